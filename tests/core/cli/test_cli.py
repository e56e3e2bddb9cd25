"""The command line: `python -m core data|train|runs|predict`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from core.cli import main
from tests.conftest import REPO, TINY

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


def test_train_from_the_operators_glove_file(shared_archive, session_cache, monkeypatch, capsys, tmp_path, imdb):
    """``--glove-file`` names the vectors (only the operator can); the run says how many words they covered."""
    monkeypatch.setenv("IMDB_LAB_CACHE", str(session_cache))
    monkeypatch.setenv("IMDB_LAB_GLOVE_FILE", "")  # restored after the CLI sets it
    vectors = tmp_path / "vectors.txt"
    vectors.write_text("".join(f"{word} {' '.join(['0.5'] * 8)}\n" for word in ("the", "movie", "zyxwv")), "utf-8")
    runs = str(tmp_path / "runs")
    flags = ["--embeddings", "glove-file", "--no-embeddings-trainable", "--glove-file", str(vectors)]
    flags += ["--train-limit", "100", "--test-limit", "50", "--maxlen", "20"]  # the wiring, not the learning
    assert main(["train", "--data", str(shared_archive), "--runs-dir", runs, "--json", *TINY_FLAGS, *flags]) == 0
    trained = json.loads(capsys.readouterr().out)
    assert trained["config"]["embeddings"] == "glove-file" and trained["config"]["embeddings_trainable"] is False
    assert main(["runs", "--runs-dir", runs, "--json"]) == 0
    (run,) = json.loads(capsys.readouterr().out)["runs"]
    assert run["embeddings_note"] == "GloVe file vectors.txt: 2 of 996 words found, frozen"


def test_bad_flags_give_one_clear_error(capsys, tmp_path):
    assert main(["train", "--units", "0", "--runs-dir", str(tmp_path)]) == 2
    assert "units: 0 is outside the allowed range 2 to 512" in capsys.readouterr().err
    assert main(["predict", "--run", "../../etc", "--runs-dir", str(tmp_path), "hi"]) == 2
    assert "not a valid run id" in capsys.readouterr().err
    assert main(["predict", "--runs-dir", str(tmp_path), "hi"]) == 2
    assert "No stored runs" in capsys.readouterr().err


def test_boolean_knobs_are_switches_and_bad_values_one_line(capsys, tmp_path):
    from core.cli import build_parser

    parsed = build_parser().parse_args(["train", "--bidirectional", "--no-bucketing"])
    assert parsed.bidirectional is True and parsed.bucketing is False
    assert build_parser().parse_args(["train"]).bidirectional is None  # unset: the preset decides
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--bidirectional", "maybe", "--runs-dir", str(tmp_path)])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "maybe" in err and "--help" in err


@pytest.fixture(scope="module")
def tiny_run_dir(imdb, tmp_path_factory):
    from core.model.training import train
    from core.runs.store import RunStore

    root = tmp_path_factory.mktemp("cli-runs")
    RunStore(root).save(train(TINY, imdb), TINY, imdb)
    return root


def test_predict_a_csv_file_keeps_its_columns(tiny_run_dir, tmp_path, capsys):
    reviews = tmp_path / "reviews.csv"
    reviews.write_text('id,stars,review\n1,9,"A wonderful, moving film"\n2,1,Dull and far too long\n3,5,\n', "utf-8")
    out = tmp_path / "scored.csv"
    assert main(["predict", "--runs-dir", str(tiny_run_dir), "--file", str(reviews), "--out", str(out)]) == 0
    import pandas as pd

    scored = pd.read_csv(out)
    assert scored.columns.tolist() == ["id", "stars", "review", "positive_probability", "label"]
    assert scored["id"].tolist() == [1, 2]  # the row without a review is skipped
    assert scored["positive_probability"].between(0, 1).all()
    capsys.readouterr()
    for text, in_file in zip(scored["review"], scored["positive_probability"], strict=True):  # as the text alone
        assert main(["predict", "--runs-dir", str(tiny_run_dir), "--json", text]) == 0
        alone = json.loads(capsys.readouterr().out)["predictions"][0]["positive_probability"]
        assert in_file == pytest.approx(alone, abs=2e-6)  # both rounded to 6 places
    assert main(["predict", "--runs-dir", str(tiny_run_dir), "--file", str(reviews), "--column", "nope"]) == 2
    assert "no column 'nope'" in capsys.readouterr().err


def test_predict_from_standard_input_prints_only_json_and_no_tensorflow_noise(tiny_run_dir):
    result = subprocess.run(
        [sys.executable, "-m", "core", "predict", "--runs-dir", str(tiny_run_dir), "--file", "-", "--json"],
        cwd=REPO,
        input="A wonderful film\n\nDull and far too long\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["predictions"]  # stdout is exactly one JSON object
    assert [row["text"] for row in rows] == ["A wonderful film", "Dull and far too long"]
    for noise in ("cuInit", "cuda", "oneDNN", "cpu_feature_guard", "absl"):
        assert noise not in result.stderr, result.stderr
