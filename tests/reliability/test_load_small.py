"""A small version of the classroom load benchmark (bench/load.py): 5 browser sessions
and 20 idle websocket sessions against one server, with a stored run to predict with."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bench import load
from core.config import TrainConfig
from core.runs import RunStore
from core.training import train

TINY = TrainConfig(train_limit=300, test_limit=200, epochs=1, units=8, embedding_dim=8, maxlen=80,
                   num_words=2000, batch_size=32, patience=0)


@pytest.mark.browser
@pytest.mark.slow
def test_five_sessions_and_idle_clients(imdb, shared_archive, session_cache, tmp_path, monkeypatch):
    monkeypatch.setenv("IMDB_LAB_CACHE", str(session_cache))
    runs = tmp_path / "runs"
    RunStore(runs).save(train(TINY, imdb), TINY, imdb)
    # In its own thread: the sync Playwright of the browser tests may hold this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(load.run, sessions=5, rounds=1, idle=20, cycles=2, hold=1.0, train=False,
                             data=str(shared_archive), runs_dir=str(runs), settle=2.0).result()
    assert result["server_alive_at_end"] and result["health_failures"] == 0
    assert result["failed_sessions"] == 0, result["errors"]
    assert result["exceptions"] == 0
    assert result["predictions"] == 5 and result["rerun_p95_s"] is not None
    assert result["idle"]["failures"] == 0, result["idle"]["errors"]
