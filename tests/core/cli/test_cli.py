"""The command line: `python -m core data|train|runs|predict`."""

from __future__ import annotations

import json
import subprocess
import sys

from core.cli import main
from tests.conftest import REPO

TINY_FLAGS = [
    "--train-limit",
    "300",
    "--test-limit",
    "200",
    "--epochs",
    "1",
    "--units",
    "8",
    "--embedding-dim",
    "8",
    "--maxlen",
    "60",
    "--num-words",
    "1000",
]


def test_data_json_on_the_shared_archive(shared_archive, session_cache, monkeypatch, capsys, imdb):
    monkeypatch.setenv("IMDB_LAB_CACHE", str(session_cache))
    assert main(["data", "--data", str(shared_archive), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["counts"]["train"] == {"total": 25000, "pos": 12500, "neg": 12500}
    assert summary["counts"]["test"]["total"] == 25000
    assert summary["cache_hit"] is True and summary["load_seconds"] < 5
    assert 0.95 < summary["lengths"]["all"]["share_le_800"] < 1.0
    assert set(summary["lengths"]["all"]) >= {"p50", "p90", "p95", "p99", "max", "share_le_200"}


def test_data_text_summary(shared_archive, session_cache, monkeypatch, capsys, imdb):
    monkeypatch.setenv("IMDB_LAB_CACHE", str(session_cache))
    assert main(["data", "--data", str(shared_archive)]) == 0
    out = capsys.readouterr().out
    assert "25000 reviews: 12500 pos, 12500 neg" in out and "cache hit" in out


def test_data_missing_exits_2_with_advice(isolated_env, capsys):
    code = subprocess.run(
        [sys.executable, "-m", "core", "data", "--data", str(isolated_env / "none")],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert code.returncode == 2 and "No IMDB data found" in code.stderr and "Traceback" not in code.stderr


def test_train_runs_predict(shared_archive, session_cache, monkeypatch, capsys, tmp_path, imdb):
    monkeypatch.setenv("IMDB_LAB_CACHE", str(session_cache))
    runs = str(tmp_path / "runs")
    args = ["train", "--data", str(shared_archive), "--runs-dir", runs, "--json", *TINY_FLAGS]
    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["cached"] is False and 0 <= first["test_accuracy"] <= 1 and first["train_seconds"] > 0
    assert main(args) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["cached"] is True and second["run_id"] == first["run_id"]

    assert main(["runs", "--runs-dir", runs, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["run_id"] for r in listed["runs"]] == [first["run_id"]]

    assert main(["predict", "--runs-dir", runs, "--json", "A wonderful film", ""]) == 0
    predicted = json.loads(capsys.readouterr().out)
    assert predicted["run_id"] == first["run_id"]
    assert all(0 <= row["positive_probability"] <= 1 for row in predicted["predictions"])


def test_bad_flags_give_one_clear_error(capsys, tmp_path):
    assert main(["train", "--units", "0", "--runs-dir", str(tmp_path)]) == 2
    assert "units: 0 is outside the allowed range 2 to 512" in capsys.readouterr().err
    assert main(["predict", "--run", "../../etc", "--runs-dir", str(tmp_path), "hi"]) == 2
    assert "not a valid run id" in capsys.readouterr().err
    assert main(["predict", "--runs-dir", str(tmp_path), "hi"]) == 2
    assert "No stored runs" in capsys.readouterr().err
