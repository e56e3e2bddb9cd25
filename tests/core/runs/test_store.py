"""The run store: damaged runs are skipped with a reason, bad run ids refused."""

from __future__ import annotations

import math
import shutil
import time

import numpy as np
import pytest

from core.config import FIELDS, PRESETS, TrainConfig, preset
from core.errors import ConfigError, RunError
from core.jobs.manager import CANCELLED, DONE, FAILED, JobManager
from core.runs.store import RunStore, check_run_id
from core.serving.predictor import Predictor
from tests.core.conftest import TINY


def test_damaged_runs_are_skipped_with_a_reason(manager):
    snap = manager.wait(manager.submit(TINY.replace(epochs=1, seed=21)), timeout=180)
    root = manager.store.root
    for name, damage in [("zero-bytes", b""), ("random", bytes(range(256)) * 40)]:
        shutil.copytree(root / snap.run_id, root / name)
        (root / name / "model.keras").write_bytes(damage)
    shutil.copytree(root / snap.run_id, root / "truncated")
    raw = (root / "truncated" / "model.keras").read_bytes()
    (root / "truncated" / "model.keras").write_bytes(raw[: len(raw) // 2])
    shutil.copytree(root / snap.run_id, root / "no-json")
    (root / "no-json" / "run.json").unlink()
    (root / ".tmp-half-written-999999-abc").mkdir()
    runs, problems = RunStore(root).scan()
    assert [r.run_id for r in runs] == [snap.run_id]
    text = "\n".join(problems)
    assert "zero-bytes" in text and "empty (0 bytes)" in text
    assert "random" in text and "truncated" in text and "no-json" in text
    with pytest.raises(RunError):
        RunStore(root).load_model("truncated")
    RunStore(root).sweep()
    assert not (root / ".tmp-half-written-999999-abc").exists()


@pytest.mark.parametrize("bad", ["../etc", "/abs/path", "a" * 200, "x\x00y", "UPPER", ""])
def test_bad_run_ids_are_refused(bad, tmp_path):
    with pytest.raises(RunError, match="not a valid run id"):
        check_run_id(bad)
    with pytest.raises(RunError):
        RunStore(tmp_path).get(bad)




def test_600_runs_scan_warm_in_well_under_a_second_without_reading_a_model_file(tmp_path, monkeypatch):
    """Past the size of any LRU: a warm scan only stats the files; a changed run alone is read again."""
    import shutil
    import time as clock

    from core.runs import store as store_module
    from tests.core.runs.fake_runs import save_fake_run

    store = RunStore(tmp_path / "runs")
    first = save_fake_run(store)
    for i in range(600):
        shutil.copytree(first.path, store.root / f"copy-{i:04d}")
    assert len(store.list()) == 601  # cold: every run checked once

    reads = []
    real_check = store_module.check_keras_file
    monkeypatch.setattr(store_module, "check_keras_file", lambda path: reads.append(path) or real_check(path))
    started = clock.perf_counter()
    runs = store.list()
    warm = clock.perf_counter() - started
    assert len(runs) == 601 and reads == [] and warm < 1.0, warm
    assert [store.validation_accuracy_of(r.run_id) for r in runs[:3]] == [runs[0].validation_accuracy] * 3

    (store.root / "copy-0007" / "model.keras").write_bytes(b"not a zip")
    runs, problems = store.scan()
    assert len(reads) == 1 and len(runs) == 600 and "copy-0007" in problems[0]
