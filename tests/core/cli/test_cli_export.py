"""The command line: `python -m core export` writes a run bundle (folder or zip); bad requests exit 2."""

from __future__ import annotations

import json
import zipfile

from core.cli import main


def test_export_a_bundle_and_a_zip_of_the_best_run(toy, tmp_path, capsys):
    _, store, snap = toy
    runs = str(store.root)
    assert main(["export", "--runs-dir", runs, "--out", str(tmp_path), "--json"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert written["run_id"] == snap.run_id and written["format"] == "bundle"
    assert (tmp_path / snap.run_id / "predict.py").is_file() and written["bytes"] > 10_000

    assert main(["export", "--run", snap.run_id, "--runs-dir", runs, "--out", str(tmp_path), "--zip"]) == 0
    out = capsys.readouterr().out
    assert f"zip written to {tmp_path / snap.run_id}.zip" in out and "predict.py" in out
    with zipfile.ZipFile(tmp_path / f"{snap.run_id}.zip") as archive:
        assert f"{snap.run_id}/predict.py" in archive.namelist()


def test_export_errors_are_one_line(toy, tmp_path, capsys):
    _, store, snap = toy
    runs = str(store.root)
    assert main(["export", "--run", snap.run_id, "--runs-dir", runs, "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["export", "--run", snap.run_id, "--runs-dir", runs, "--out", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["export", "--run", "nope", "--runs-dir", runs, "--out", str(tmp_path)]) == 2
    assert "No run nope" in capsys.readouterr().err
    assert main(["export", "--format", "tflite", "--zip", "--runs-dir", runs, "--out", str(tmp_path)]) == 2
    assert "--zip is for the bundle only" in capsys.readouterr().err
    assert main(["export", "--runs-dir", str(tmp_path / "empty"), "--out", str(tmp_path)]) == 2
    assert "No stored runs to export" in capsys.readouterr().err
