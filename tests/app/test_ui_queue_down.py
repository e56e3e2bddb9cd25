"""The app on the distributed executor when Redis stops answering: plain words on the page, no traceback,
and Explore still works. A real ``redis-server``, stopped mid-session."""

from __future__ import annotations

from bench import queue_cluster
from core import settings
from core.jobs.redis_queue import QueueExecutor
from tests.app.ui_helpers import assert_clean, run_page, texts
from ui.shared import resources, server_objects


def test_pages_say_the_queue_is_down_and_explore_still_works(data_env, imdb, tmp_path, monkeypatch):
    with queue_cluster.redis_server(tmp_path / "redis") as url:
        executor = QueueExecutor(url, runs_dir=tmp_path / "runs", data_loader=lambda: imdb)
        monkeypatch.setattr(resources, "job_manager", lambda: executor)
        at = run_page("train")
        assert_clean(at)
        assert not at.error
    # Redis is gone now (the session's executor still points at it).
    at = run_page("train")
    assert_clean(at)
    shown = settings.redacted_url(url)  # redis://***@127.0.0.1:PORT/0: never the password
    assert shown != url and "***@127.0.0.1" in shown
    assert any(f"The job queue ({shown}) is not answering" in e.value for e in at.error), texts(at)
    assert url not in texts(at)
    start = run_page(None)  # the estimate falls back to the uncalibrated range
    assert_clean(start)
    assert "from pressing Train to the result here" in texts(start)
    explore = run_page("explore")
    assert_clean(explore) and not explore.error


def test_a_replica_started_while_redis_is_down_says_so(data_env, monkeypatch):
    server_objects.forget("job_manager")  # an executor an earlier test made must not be reused
    monkeypatch.setenv("IMDB_LAB_QUEUE_URL", "redis://127.0.0.1:9/0")  # nothing listens on the discard port
    at = run_page("train")
    assert_clean(at)
    assert any("Cannot reach the job queue at redis://127.0.0.1:9/0" in e.value for e in at.error), texts(at)
