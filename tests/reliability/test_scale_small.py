"""A small version of the scale benchmark (bench/scale.py): a real redis-server, two ``rq worker``
processes and two app replicas on one shared runs folder; two websocket sessions, one per
replica, each queue their own tiny job (300 reviews), and each worker trains one (a worker
with a job running takes no other)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench import scale


def _run_scale(**kwargs) -> dict:
    # In its own thread, as test_load_small does: a sync Playwright of the browser tests may hold this thread's loop.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(scale.run, **kwargs).result()


@pytest.mark.slow
def test_two_sessions_on_two_replicas_train_on_both_workers(shared_archive, session_cache, tmp_path, monkeypatch):
    monkeypatch.setenv("IMDB_LAB_CACHE", str(session_cache))  # the replicas and workers inherit it
    result = _run_scale(
        sessions=2,
        replicas=2,
        worker_count=2,
        data=str(shared_archive),
        runs_dir=str(tmp_path / "runs"),
        test_slice=300,
        timeout=150,
    )
    print(json.dumps(result, indent=1, default=float))  # pytest shows it when an assertion fails
    assert result["failures"] == 0 and result["exceptions"] == 0, result["errors"]
    presses = result["presses"]  # every press queued a job (or a worker took it before the page was drawn)
    assert set(presses) <= {"queued", "started"} and sum(presses.values()) == 2, presses
    assert result["jobs_done"] == result["jobs_queued"] == 2, result
    assert result["jobs_shared"] == 0 and result["seeds_as_typed"]  # each session its own seed, its own job
    assert result["workers_used"] == 2, result["jobs_per_worker"]
    assert result["horse_pids_match_workers"]
    assert result["sessions_per_replica"] == [1, 1] and result["jobs_per_replica"] == [1, 1]
    assert result["jobs_seen_from_another_replica"] >= 1  # a replica lists the jobs submitted through the other
    assert all(result["alive_at_end"].values())
    assert result["queue_wait_p50_s"] is not None and result["training_p50_s"] > 0

    memory = result["memory_mb"]
    assert [memory["replicas"][name]["end"] > 0 for name in ("replica_1", "replica_2")] == [True, True]
    assert len(memory["workers"]) == 2 and all(figures["end"] > 0 for figures in memory["workers"].values())
    assert memory["horses_seen"] >= 2 and memory["horse_peak"] > memory["workers"][min(memory["workers"])]["end"]
    assert memory["redis_server"]["end"] > 0
