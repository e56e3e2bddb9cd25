"""Damaged model files, failing disks and extreme settings: reported, never crashing."""

from __future__ import annotations

import errno
import shutil
import zipfile

import pytest

from core.config import FIELDS, TrainConfig
from core.errors import ConfigError, RunError
from core.jobs.manager import DONE, FAILED, JobManager
from core.runs import store as runs_module
from core.runs.store import RunStore
from core.serving.predictor import Predictor
from tests.conftest import TINY


@pytest.fixture(scope="module")
def stored(imdb, tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    manager = JobManager(runs_dir=root, data_loader=lambda: imdb)
    snap = manager.wait(manager.submit(TINY), timeout=180)
    manager.shutdown()
    assert snap.state == DONE
    return root, snap.run_id


def _copy_run(root, run_id, name):
    shutil.copytree(root / run_id, root / name)
    return root / name / "model.keras"


def test_missing_members_lambda_layers_and_zip_bombs_are_refused(stored, monkeypatch):
    root, run_id = stored
    # A .keras without its weights.
    model = _copy_run(root, run_id, "missing-weights")
    with zipfile.ZipFile(root / run_id / "model.keras") as src, zipfile.ZipFile(model, "w") as dst:
        for item in src.infolist():
            if item.filename != "model.weights.h5":
                dst.writestr(item, src.read(item))
    # A model with a Lambda layer (arbitrary code): Keras safe_mode must refuse it.
    import keras

    inputs = keras.Input((3,))
    lambda_model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    lambda_file = _copy_run(root, run_id, "lambda-layer")
    lambda_file.unlink()
    lambda_model.save(lambda_file)
    # A zip bomb: far more bytes unpacked than the limit (lowered here to keep the test small).
    monkeypatch.setattr(runs_module, "MAX_MODEL_UNZIPPED_BYTES", 5 * 1024 * 1024)
    bomb = _copy_run(root, run_id, "zip-bomb")
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("padding.bin", b"\0" * (8 * 1024 * 1024))

    store = RunStore(root)
    listed, problems = store.scan()
    assert {r.run_id for r in listed} == {run_id, "lambda-layer"}  # a whole archive; its loading is refused
    text = "\n".join(problems)
    assert "missing-weights" in text and "model.weights.h5" in text
    assert "zip-bomb" in text and "refused" in text
    with pytest.raises(RunError, match="could not be loaded"):
        store.load_model("lambda-layer")  # listed (a whole file), but never loaded
    Predictor(run_id, store)  # the healthy run still loads


def test_disk_full_during_save_fails_cleanly(imdb, tmp_path, monkeypatch):
    manager = JobManager(runs_dir=tmp_path / "runs", data_loader=lambda: imdb)
    real_rename = runs_module.os.rename

    def disk_full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(runs_module.os, "rename", disk_full)
    try:
        snap = manager.wait(manager.submit(TINY.replace(seed=2)), timeout=180)
    finally:
        monkeypatch.setattr(runs_module.os, "rename", real_rename)
        manager.shutdown()
    assert snap.state == FAILED and "No space left on device" in snap.error
    assert "Free some disk space" in snap.error
    root = tmp_path / "runs"
    assert [p.name for p in root.iterdir() if not p.name.startswith(".jobs")] == []  # no half-written run


def test_extreme_but_valid_settings_build(imdb):
    from core.model.architecture import build_model

    low = {name: (rule.choices[0] if rule.choices else rule.low) for name, rule in FIELDS.items() if not rule.optional}
    low.update(mask_zero=False, validation_fraction=0.5, learning_rate=1e-5)
    high = {name: rule.high for name, rule in FIELDS.items() if rule.choices is None and not rule.optional}
    high.update(bidirectional=True, cell="gru", conv_pool=1)
    for values in (low, high):
        config = TrainConfig(
            **{
                k: (int(v) if FIELDS[k].step and float(FIELDS[k].step).is_integer() and not isinstance(v, bool) else v)
                for k, v in values.items()
            }
        )
        assert build_model(config).count_params() > 0


@pytest.mark.parametrize(
    "values",
    [
        {"units": 10_000},
        {"units": -1},
        {"maxlen": 0},
        {"learning_rate": float("inf")},
        {"dropout": -0.1},
        {"epochs": 10**9},
        {"batch_size": "64; rm -rf /"},
        {"optimizer": "sgd"},
        {"seed": -5},
    ],
)
def test_out_of_range_settings_sent_straight_to_core(values):
    with pytest.raises(ConfigError):
        TrainConfig.from_dict({**TrainConfig().to_dict(), **values})
