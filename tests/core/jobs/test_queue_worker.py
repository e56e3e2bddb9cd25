"""The training worker runs the lab's training task and nothing else; queue URLs never show their password.

A real ``redis-server`` (with a password, as ``docs/deploy.md`` asks) and a real ``rq worker``
(:func:`core.jobs.queue_worker.worker_command`): jobs naming ``os.getpid``, ``os.mkdir`` or a
callback are refused before anything they name is imported, while a training job queued
through the app's executor still trains and stores its run.
"""

from __future__ import annotations

import pytest

from bench import queue_cluster
from core import settings
from core.jobs import queue_state
from core.jobs.records import DONE
from core.jobs.redis_queue import QueueExecutor, QueueUnavailable
from tests.conftest import make_archive
from tests.core.conftest import TINY, _toy_reviews


def test_the_worker_refuses_every_function_but_the_training_task_which_still_trains(
    redis_url, tmp_path, session_cache, monkeypatch
):
    import redis
    from rq import Callback, Queue
    from rq.job import JobStatus
    from rq.serializers import JSONSerializer

    from core.data.dataset import load_dataset

    monkeypatch.setenv("IMDB_LAB_CACHE", str(session_cache))
    data = load_dataset(make_archive(tmp_path / "small.tar.gz", _toy_reviews(160, 1)))
    queue = Queue(queue_state.TRAIN_QUEUE, connection=redis.Redis.from_url(redis_url), serializer=JSONSerializer)
    pwned = tmp_path / "pwned"
    hostile = {
        "getpid": queue.enqueue("os.getpid"),
        "mkdir": queue.enqueue("os.mkdir", str(pwned)),  # had it run, the folder would exist
        "callback": queue.enqueue(queue_state.TRAIN_TASK, "job-none", on_failure=Callback("os.getpid")),
    }
    replica = QueueExecutor(redis_url, runs_dir=tmp_path / "runs", data_loader=lambda: data)
    job = replica.submit(TINY.replace(seed=31), owner="a")
    env = {"IMDB_LAB_RUNS": str(tmp_path / "runs"), "IMDB_LAB_CACHE": str(session_cache)}
    with queue_cluster.workers(redis_url, 1, env, tmp_path / "workers"):
        snapshot = replica.wait(job, timeout=240)
    assert snapshot.state == DONE, snapshot.error  # queued after the hostile jobs, trained all the same
    assert not pwned.exists()
    for name, rq_job in hostile.items():
        rq_job.refresh()
        assert rq_job.get_status() == JobStatus.FAILED, name
        assert rq_job.return_value() is None, name
        reason = rq_job.latest_result().exc_string
        assert f"Refused job {rq_job.id}" in reason and "This worker runs nothing else" in reason, name
    assert "'os.getpid', not the lab's training task" in hostile["getpid"].latest_result().exc_string
    assert "callbacks" in hostile["callback"].latest_result().exc_string
    replica.shutdown()


def test_messages_about_the_queue_never_show_its_password(redis_url, tmp_path):
    password = redis_url.split("//:")[1].split("@")[0]
    port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    down = redis_url.replace(f":{port}/", ":9/")  # the discard port: nothing answers
    with pytest.raises(Exception) as refused:
        QueueExecutor(down, runs_dir=tmp_path / "runs")
    assert "Cannot reach the job queue at redis://***@127.0.0.1:9/0" in str(refused.value)
    assert password not in str(refused.value)

    replica = QueueExecutor(redis_url, runs_dir=tmp_path / "runs")
    replica.connection = type(replica.connection).from_url(down)  # Redis gone after this replica started
    with pytest.raises(QueueUnavailable) as unavailable:
        replica.jobs()
    assert f"redis://***@127.0.0.1:{port}/0" in str(unavailable.value) and password not in str(unavailable.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("redis://:s3cret@10.0.0.5:6379/0", "redis://***@10.0.0.5:6379/0"),
        ("rediss://imdb-lab:p@ss@redis.school:6380/0", "rediss://***@redis.school:6380/0"),
        ("redis://redis.school/0?password=s3cret&db=1", "redis://redis.school/0?password=***&db=1"),
        ("queue at redis://u:pw@h:1/0 (timeout)", "queue at redis://***@h:1/0 (timeout)"),
    ],
)
def test_redacted_url_hides_credentials_and_nothing_else(url, shown):
    assert settings.redacted_url(url) == shown
