"""Stored runs without training: a result whose "model" writes a well-formed ``.keras`` archive.

The run store's checks (whole JSON files, a zip with ``config.json`` and
``model.weights.h5``) pass, so listing, labelling, deleting and retention can be tested
in milliseconds. Loading such a model in Keras would fail: tests that predict train for real.
"""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from core.runs.store import RunInfo, RunStore
from tests.conftest import TINY

FINGERPRINT = "fake-data-fingerprint"


class FakeModel:
    def save(self, path) -> None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("config.json", json.dumps({"class_name": "Fake"}))
            archive.writestr("model.weights.h5", b"\0" * 64)


def fake_result(accuracy: float = 0.8, *, cancelled: bool = False) -> SimpleNamespace:
    epochs = [
        {"epoch": 1, "loss": 0.6, "accuracy": 0.7, "val_loss": 0.62, "val_accuracy": round(accuracy - 0.12, 4)}
    ]  # a better run validates better too
    return SimpleNamespace(
        model=FakeModel(),
        test_metrics={"accuracy": accuracy, "loss": 0.5, "count": 200},
        train_seconds=1.0,
        eval_seconds=0.1,
        prepare_seconds=0.1,
        samples_per_second=300.0,
        cancelled=cancelled,
        stopped_early=False,
        best_epoch=1,
        epoch_history=epochs,
        batch_history=[{"step": 1, "epoch": 1, "batch": 1, "loss": 0.6, "accuracy": 0.7}],
        notes=(),
        test_probabilities=np.full(4, 0.7),
        test_indices=np.arange(4),
    )


def fake_data(fingerprint: str = FINGERPRINT) -> SimpleNamespace:
    return SimpleNamespace(
        fingerprint=fingerprint,
        source=SimpleNamespace(path=Path("fake.tar.gz")),
        vocabulary=SimpleNamespace(words=("the", "movie", "great", "awful")),
        train=SimpleNamespace(lengths=np.full(300, 120)),
        test=[None] * 200,
    )


def trainer(config, data, reporter):
    """A job manager ``trainer`` that returns a fake result at once."""
    return fake_result()


def save_fake_run(
    store: RunStore,
    *,
    config=TINY,
    owner: str | None = None,
    accuracy: float = 0.8,
    age_days: float = 0.0,
    fingerprint: str = FINGERPRINT,
) -> RunInfo:
    """A stored run of ``config``, its ``created`` time ``age_days`` in the past (run.json and mtime)."""
    run = store.save(fake_result(accuracy), config, fake_data(fingerprint), owner=owner)
    if age_days:
        meta_path = run.path / "run.json"
        meta = json.loads(meta_path.read_text("utf-8"))
        meta["created"] = time.time() - age_days * 86400
        meta_path.write_text(json.dumps(meta))
        os.utime(meta_path, ns=(time.time_ns(), time.time_ns() + 1))  # a new signature: re-checked
        run = store.get(run.run_id)
    return run
