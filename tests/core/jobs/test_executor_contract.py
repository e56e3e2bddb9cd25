"""One contract, every executor: the local thread, the local child process, and RQ on a real Redis.

The RQ executor runs against a real ``redis-server`` on a loopback port and real
``rq worker`` processes (the command line of ``docs/deploy.md``), each training in a
spawned work horse. Tiny models on a 300-review slice, so each job takes seconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time

import pytest

from bench import queue_cluster
from core.access import Actor, NotAllowed
from core.config import preset
from core.jobs import queue_state
from core.jobs.manager import JobManager
from core.jobs.records import CANCELLED, DONE, FAILED, QUEUED, RUNNING, JobRefused
from core.jobs.redis_queue import QueueExecutor
from core.runs.store import best_run
from tests.core.conftest import TINY
from tests.core.jobs import contract_trainers
from tests.core.jobs.contract_trainers import FAIL_SEED, HANG_SEED, KILL_SEED

LOCAL = ["thread", "process"]
EVERY = [*LOCAL, "rq"]


class Cluster:
    """What one test's executors share: the runs folder, Redis (flushed) and the workers it started."""

    def __init__(self, kind, data, tmp_path, redis_url, session_cache):
        self.kind, self.data, self.runs, self.url = kind, data, tmp_path / "runs", redis_url
        self.worker_env = {"IMDB_LAB_RUNS": str(self.runs), "IMDB_LAB_CACHE": str(session_cache),
                           "IMDB_LAB_TRAINER": contract_trainers.TRAINER}  # fmt: skip
        self.folder, self.started, self.executors, self.generation = tmp_path / "workers", [], [], 0

    def executor(self, **limits):
        """A new executor (for RQ: another replica on the same Redis and runs folder)."""
        if self.kind == "rq":
            made = QueueExecutor(self.url, runs_dir=self.runs, data_loader=lambda: self.data,
                                 cancel_grace_seconds=3, **limits)  # fmt: skip
        else:
            made = JobManager(runs_dir=self.runs, data_loader=lambda: self.data, isolation=self.kind,
                              trainer=contract_trainers.trainer, **limits)  # fmt: skip
        self.executors.append(made)
        return made

    def workers(self, count: int = 1, env: dict | None = None, **options) -> list:
        if self.kind != "rq":
            return []
        self.generation += 1  # a new name: a killed worker's stays registered in Redis for a while
        prefix, env = f"w{self.generation}", {**self.worker_env, **(env or {})}
        new = queue_cluster.start_workers(self.url, count, env, self.folder, prefix=prefix, **options)
        self.started += new
        return new

    def close(self):
        for executor in self.executors:
            with contextlib.suppress(Exception):
                for snap in executor.jobs():
                    if not snap.finished:
                        executor.cancel(snap.job_id, keep_partial=False)
        for worker in self.started:
            worker.kill()
        for executor in self.executors:
            executor.shutdown()


@pytest.fixture(scope="module")
def small_data(tmp_path_factory, session_cache):
    """320 + 320 short reviews: enough for TINY, and every child or work horse loads it in milliseconds."""
    import os

    from core.data.dataset import load_dataset
    from tests.conftest import make_archive
    from tests.core.conftest import _toy_reviews

    previous = os.environ.get("IMDB_LAB_CACHE")
    os.environ["IMDB_LAB_CACHE"] = str(session_cache)  # where the workers look too
    try:
        return load_dataset(make_archive(tmp_path_factory.mktemp("small") / "small.tar.gz", _toy_reviews(160, 1)))
    finally:
        if previous is None:
            os.environ.pop("IMDB_LAB_CACHE", None)
        else:
            os.environ["IMDB_LAB_CACHE"] = previous


@pytest.fixture(params=EVERY)
def cluster(request, small_data, tmp_path, session_cache):
    url = request.getfixturevalue("redis_url") if request.param == "rq" else None
    if url:
        import redis

        redis.Redis.from_url(url).flushdb()
    made = Cluster(request.param, small_data, tmp_path, url, session_cache)
    made.workers(1)
    yield made
    made.close()


def _wait_until(predicate, timeout=120, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.parametrize("cluster", ["process", "rq"], indirect=True)  # the thread: test_manager.py's first test
def test_a_job_reports_live_stores_its_run_and_only_its_owner_shares_it(cluster):
    jobs = cluster.executor()
    config = TINY.replace(seed=21)
    job = jobs.submit(config, owner="a")
    assert jobs.submit(config, owner="a") == job  # the same owner, config and data: one job
    theirs = jobs.submit(config, owner="b")  # another student asking for the same network: their own job
    assert theirs != job and jobs.snapshot(theirs).owner == "b"
    jobs.cancel(theirs, keep_partial=False)
    seen = set()
    _wait_until(lambda: seen.add(len(jobs.snapshot(job).batch_history)) or jobs.snapshot(job).finished, 240)
    snap = jobs.snapshot(job)
    assert snap.state == DONE, snap.error
    assert len(seen - {0}) >= 2, "no live progress while it trained"
    assert len(snap.batch_history) == 2 * 9 and [row["epoch"] for row in snap.epoch_history] == [1, 2]
    assert jobs.store.get(snap.run_id).test_metrics == snap.test_metrics and snap.owner == "a"

    started = time.monotonic()
    cached = jobs.wait(jobs.submit(config, owner="a"), timeout=5)
    assert cached.cached and cached.state == DONE and cached.run_id == snap.run_id
    assert len(cached.batch_history) == len(snap.batch_history) and len(cached.epoch_history) == 2  # its curves
    assert time.monotonic() - started < 5
    someone_else = jobs.submit(config, owner="c")  # a run nobody else may be handed: c trains its own
    assert not jobs.snapshot(someone_else).cached
    jobs.cancel(someone_else, keep_partial=False)


def test_cancel_within_one_batch_keeps_a_partial_run_or_nothing(cluster):
    jobs = cluster.executor()
    job = jobs.submit(TINY.replace(epochs=50, seed=22), owner="a")
    _wait_until(lambda: jobs.snapshot(job).batch >= 2, what="two batches")
    with pytest.raises(NotAllowed):
        jobs.cancel(job, by=Actor("someone else"))
    jobs.cancel(job, by=Actor("a"))
    # Counted once the cancel is recorded: tiny batches take milliseconds, so batches run while cancel() works.
    cancelled_at = len(jobs.snapshot(job).batch_history)
    snap = jobs.wait(job, timeout=120)
    assert snap.state == CANCELLED and snap.partial and snap.run_id.endswith("-partial")
    assert len(snap.batch_history) <= cancelled_at + 2  # stopped within a batch (or two in flight)
    assert len(snap.epoch_history) < snap.epoch  # the cut epoch got no validation pass
    run = jobs.store.get(snap.run_id)
    assert run.partial and jobs.store.find_cached(TINY.replace(epochs=50, seed=22), run.data_fingerprint) is None

    if cluster.kind != "process":  # discarding: the child's shared flag here; RQ's in the second-replica test
        return
    again = jobs.submit(TINY.replace(epochs=50, seed=23))
    _wait_until(lambda: jobs.snapshot(again).batch >= 1, what="a batch")
    jobs.cancel(again, keep_partial=False)
    snap = jobs.wait(again, timeout=120)
    assert snap.state == CANCELLED and snap.run_id is None


@pytest.mark.parametrize("cluster", ["thread", "rq"], indirect=True)  # admission does not depend on isolation
def test_queue_limits_per_owner_and_in_all_and_fifo_positions(cluster, imdb):
    jobs = cluster.executor(max_queued=2, time_budget_seconds=120)
    with pytest.raises(JobRefused, match=r"about \d+ min here, more than this server allows \(2 min\)"):
        jobs.submit(preset("tutorial-final"), data=imdb)  # the real reviews' lengths
    running = jobs.submit(TINY.replace(seed=41, epochs=50), owner="a")
    _wait_until(lambda: jobs.snapshot(running).state == RUNNING, what="the first job to start")
    b = jobs.submit(TINY.replace(seed=42), owner="b")
    with pytest.raises(JobRefused, match="already have a job waiting"):
        jobs.submit(TINY.replace(seed=43), owner="b")
    c = jobs.submit(TINY.replace(seed=44), owner="c")
    with pytest.raises(JobRefused, match=r"queue is full \(2 jobs waiting\)"):
        jobs.submit(TINY.replace(seed=45), owner="d")
    assert [jobs.snapshot(j).queue_position for j in (b, c)] == [1, 2]
    assert jobs.clear_queue(by=Actor(None, teacher=True)) == [b, c]
    assert {jobs.snapshot(j).state for j in (b, c)} == {CANCELLED}


@pytest.mark.parametrize("cluster", ["thread", "rq"], indirect=True)
def test_ten_fresh_owners_from_one_client_hold_only_its_share_of_the_queue(cluster, monkeypatch):
    """A new private window is a new owner; the client address bounds what one place can queue."""
    monkeypatch.setenv("IMDB_LAB_MAX_QUEUED_PER_CLIENT", "3")
    jobs = cluster.executor(max_queued=10)
    running = jobs.submit(TINY.replace(seed=51, epochs=50), owner="teacher", client="10.0.0.1")
    _wait_until(lambda: jobs.snapshot(running).state == RUNNING, what="the first job to start")
    queued, refused = [], []
    for i in range(10):
        try:
            queued.append(jobs.submit(TINY.replace(seed=60 + i), owner=f"window-{i}", client="10.0.0.66"))
        except JobRefused as error:
            refused.append(str(error))
    assert len(queued) == 3 and len(refused) == 7 and "its share of this server" in refused[0]
    other = jobs.submit(TINY.replace(seed=80), owner="ada", client="10.0.0.7")  # the rest of the room still queues
    assert jobs.snapshot(other).queue_position == 4
    jobs.clear_queue(by=Actor(None, teacher=True))
    jobs.cancel(running, keep_partial=False)


@pytest.mark.parametrize("cluster", LOCAL, indirect=True)
def test_a_job_past_its_deadline_is_stopped_with_its_partial_run_kept_and_the_reason_journalled(cluster, monkeypatch):
    from core.jobs import records

    monkeypatch.setattr(records, "DEADLINE_FACTOR", 0.0)
    monkeypatch.setattr(records, "DEADLINE_MARGIN_SECONDS", 3.0)  # a deadline of 3 s from its start
    jobs = cluster.executor()
    job = jobs.submit(TINY.replace(seed=91, epochs=50))
    snap = jobs.wait(job, timeout=120)
    assert snap.state == CANCELLED and snap.run_id and snap.partial
    assert snap.phase.startswith("stopped by the server after") and "partial run kept" in snap.phase
    entry = jobs.store.root / ".jobs" / f"{job}.json"
    _wait_until(lambda: json.loads(entry.read_text("utf-8"))["state"] == CANCELLED, what="the journal's last word")
    assert json.loads(entry.read_text("utf-8"))["phase"] == snap.phase


def test_a_failing_or_killed_training_fails_its_job_not_the_server_and_the_next_job_runs(cluster):
    jobs = cluster.executor()
    bad = jobs.submit(TINY.replace(seed=FAIL_SEED, epochs=1))
    # Killed like an out-of-memory kill: only where training has a process of its own.
    doomed = None if cluster.kind == "thread" else jobs.submit(TINY.replace(seed=KILL_SEED, epochs=1))
    good = jobs.submit(TINY.replace(seed=24, epochs=1))
    snap = jobs.wait(bad, timeout=120)
    assert snap.state == FAILED and "boom: out of memory" in snap.error
    if doomed is not None:
        snap = jobs.wait(doomed, timeout=120)
        assert snap.state == FAILED and "out of memory" in snap.error and "boom" not in snap.error
    assert jobs.wait(good, timeout=240).state == DONE
    assert [run.run_id for run in jobs.store.list()] == [jobs.snapshot(good).run_id]  # nothing half-saved


# ---------------------------------------------------------------- RQ only: what several replicas add


@pytest.mark.parametrize("cluster", ["rq"], indirect=True)
def test_a_second_replica_sees_the_progress_and_may_not_stop_anothers_job(cluster):
    a, b = cluster.executor(), cluster.executor()
    job = a.submit(TINY.replace(seed=26, epochs=50), owner="student")
    _wait_until(lambda: b.snapshot(job).batch >= 2, what="progress on replica B")
    assert [s.job_id for s in b.jobs()] == [job] and b.snapshot(job).owner == "student"
    with pytest.raises(NotAllowed):
        b.cancel(job, by=Actor("another student"))
    b.cancel(job, keep_partial=False, by=Actor("student"))
    assert a.wait(job, timeout=120).state == CANCELLED


@pytest.mark.parametrize("cluster", ["rq"], indirect=True)
def test_a_job_stuck_inside_a_step_is_stopped_by_rq_after_the_grace_period(cluster):
    jobs = cluster.executor()
    job = jobs.submit(TINY.replace(seed=HANG_SEED))
    _wait_until(lambda: jobs.snapshot(job).phase == "training", what="the stuck job to start")
    jobs.cancel(job)
    snap = jobs.wait(job, timeout=60)  # grace 3 s, then RQ's stop command
    assert snap.state == CANCELLED and "stopped by the queue" in snap.phase and snap.run_id is None


@pytest.mark.parametrize("cluster", ["rq"], indirect=True)
def test_a_sigkilled_worker_fails_its_job_and_another_worker_runs_the_next(cluster, monkeypatch):
    monkeypatch.setattr(queue_state, "HEARTBEAT_STALE_SECONDS", 6.0)
    jobs = cluster.executor()
    (first,) = cluster.started
    job = jobs.submit(TINY.replace(seed=27, epochs=50))
    _wait_until(lambda: jobs.snapshot(job).batch >= 1, what="training on the first worker")
    horse = queue_state.decode(jobs.connection.hgetall(queue_state.job_key(job)))["worker"]["pid"]
    first.kill()  # the worker and its work horse (its own process group), as a machine switched off
    os.kill(horse, signal.SIGKILL)
    snap = jobs.wait(job, timeout=60)
    assert snap.state == FAILED and "no heartbeat" in snap.error
    cluster.workers(1)
    assert jobs.wait(jobs.submit(TINY.replace(seed=28, epochs=1)), timeout=240).state == DONE


@pytest.mark.parametrize("cluster", ["rq"], indirect=True)
def test_configs_cudnn_can_run_go_to_a_gpu_worker_when_one_listens(cluster):
    jobs = cluster.executor()
    plain, dropout = TINY.replace(seed=29, epochs=1), TINY.replace(seed=30, epochs=1, recurrent_dropout=0.1)

    def queue_of(job_id):
        return queue_state.decode(jobs.connection.hgetall(queue_state.job_key(job_id)))["queue"]

    first = jobs.submit(plain)
    assert queue_of(first) == queue_state.TRAIN_QUEUE  # no GPU worker yet
    jobs.cancel(first, keep_partial=False)
    cluster.workers(1, gpu=True)
    gpu_job, cpu_job = jobs.submit(plain.replace(seed=31)), jobs.submit(dropout)
    assert (queue_of(gpu_job), queue_of(cpu_job)) == (queue_state.GPU_QUEUE, queue_state.TRAIN_QUEUE)
    assert {jobs.wait(j, timeout=240).state for j in (gpu_job, cpu_job)} == {DONE}
    assert jobs.wait(first, timeout=60).state in (CANCELLED, DONE)
    assert QUEUED not in {s.state for s in jobs.jobs()}


@pytest.mark.parametrize("cluster", ["rq"], indirect=True)
def test_a_worker_applies_its_retention_rule_after_each_job(cluster):
    cluster.started.pop().kill()  # replaced by one that keeps one run per owner
    cluster.workers(1, env={"IMDB_LAB_KEEP_RUNS_PER_OWNER": "1"})
    jobs = cluster.executor()
    # Three runs of one owner: the rule keeps the newest and the best by validation (never deleted),
    # so at least one goes, whichever the tiny validation split calls best.
    done = [
        jobs.wait(jobs.submit(TINY.replace(seed=seed, learning_rate=rate), owner="a"), timeout=240)
        for seed, rate in ((32, 1e-5), (33, 3e-3), (34, 1e-3))
    ]
    assert {snapshot.state for snapshot in done} == {DONE}

    def settled() -> bool:  # the rule runs once the job's end is written: soon after, the newest and the best only
        runs = jobs.store.list()
        return len(runs) < 3 and {run.run_id for run in runs} == {done[-1].run_id, best_run(runs).run_id}

    _wait_until(settled, 30, "retention")
