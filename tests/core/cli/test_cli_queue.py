"""`python -m core train --queue URL`: the command line trains on an RQ worker, through the same executor as the app."""

from __future__ import annotations

import json

import pytest

from bench import queue_cluster
from core.cli import main
from tests.core.cli.test_cli import TINY_FLAGS


def test_train_on_the_queue_stores_the_run_where_the_workers_do(
    shared_archive, session_cache, monkeypatch, capsys, tmp_path, imdb
):
    monkeypatch.setenv("IMDB_LAB_CACHE", str(session_cache))
    runs = tmp_path / "runs"
    try:
        with (
            queue_cluster.redis_server(tmp_path / "redis") as url,
            queue_cluster.workers(url, 1, {"IMDB_LAB_RUNS": str(runs), "IMDB_LAB_CACHE": str(session_cache)}, tmp_path),
        ):
            args = ["train", "--queue", url, "--data", str(shared_archive), "--runs-dir", str(runs), "--json"]
            assert main([*args, *TINY_FLAGS, "--seed", "7"]) == 0
            first = json.loads(capsys.readouterr().out)
            assert first["cached"] is False and first["state"] == "done" and 0 <= first["test_accuracy"] <= 1
            assert (runs / first["run_id"] / "model.keras").is_file()
            assert main([*args, *TINY_FLAGS, "--seed", "7"]) == 0  # the same config again: the stored run
            assert json.loads(capsys.readouterr().out)["run_id"] == first["run_id"]
    except queue_cluster.ClusterFailed as error:
        pytest.fail(str(error))


def test_an_unreachable_queue_is_a_clear_message(shared_archive, session_cache, monkeypatch, capsys, tmp_path, imdb):
    monkeypatch.setenv("IMDB_LAB_CACHE", str(session_cache))
    url = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    code = main(["train", "--queue", url, "--data", str(shared_archive), "--runs-dir", str(tmp_path), *TINY_FLAGS])
    err = capsys.readouterr().err
    assert code == 2 and f"Cannot reach the job queue at {url}" in err and "Traceback" not in err
