"""A small version of the classroom load benchmark (bench/load.py) against one server with
a stored run to predict with: 5 websocket sessions while a small job trains and 20 idle
ones, then 2 browser tabs."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bench import load
from core.model.training import train
from core.runs.store import RunStore
from tests.conftest import TINY


@pytest.fixture(scope="module")
def tiny_runs_dir(imdb, tmp_path_factory):
    runs = tmp_path_factory.mktemp("load-runs")
    RunStore(runs).save(train(TINY, imdb), TINY, imdb)
    return runs


def _run_load(**kwargs) -> dict:
    # In its own thread: the sync Playwright of the browser tests may hold this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(load.run, **kwargs).result()


def _assert_sessions_ok(result: dict, sessions: int) -> None:
    assert result["server_alive_at_end"] and result["health_failures"] == 0
    assert result["failed_sessions"] == 0, result["errors"]
    assert result["exceptions"] == 0
    assert result["predictions"] == sessions and result["rerun_p95_s"] is not None


@pytest.mark.slow
def test_five_websocket_sessions_while_training_and_idle_clients(
    shared_archive, session_cache, tiny_runs_dir, monkeypatch
):
    monkeypatch.setenv("IMDB_LAB_CACHE", str(session_cache))
    monkeypatch.setenv("IMDB_LAB_TEST_SLICE", "2000")  # the Train button's job: the default preset on 2,000 reviews
    result = _run_load(
        sessions=5,
        rounds=1,
        idle=20,
        cycles=2,
        hold=1.0,
        train=True,
        data=str(shared_archive),
        runs_dir=str(tiny_runs_dir),
        settle=2.0,
        clients="ws",
    )
    assert result["training_started"]
    _assert_sessions_ok(result, 5)
    jobs = result["jobs_pressed_train"]  # every session pressed Train: queued (or started), never lost
    assert jobs["other"] == 0 and jobs["queued"] + jobs["started"] + jobs["refused_queue_full"] == 5, jobs
    assert result["idle"]["failures"] == 0, result["idle"]["errors"]


@pytest.mark.browser
@pytest.mark.slow
def test_two_browser_sessions(shared_archive, session_cache, tiny_runs_dir, monkeypatch):
    monkeypatch.setenv("IMDB_LAB_CACHE", str(session_cache))
    result = _run_load(
        sessions=2,
        rounds=1,
        idle=0,
        cycles=0,
        hold=1.0,
        train=False,
        data=str(shared_archive),
        runs_dir=str(tiny_runs_dir),
        clients="browser",
    )
    _assert_sessions_ok(result, 2)
