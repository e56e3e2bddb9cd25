"""TensorBoard event files for a run: its history and config in, ``<run>/tensorboard/`` out.

Written when the run is saved (in the training process, where TensorFlow is loaded),
from the same per-batch and per-epoch history the app draws, so ``tensorboard --logdir
runs/`` shows every run the lab trained. The layout follows Keras's own TensorBoard
callback: ``train/`` holds ``batch_loss``, ``batch_accuracy``, ``epoch_loss`` and
``epoch_accuracy``; ``validation/`` holds the epoch values measured on the validation
split, so the two curves overlay. The config goes in as HParams (every knob a column of
the HParams dashboard), with the test metrics as the session's results.
"""

from __future__ import annotations

import math
from pathlib import Path

from core.backend import import_keras
from core.config import TrainConfig

FOLDER = "tensorboard"


def hparams_of(config: TrainConfig) -> dict:
    """The config's knobs as HParams values (bool, int, float or str; unset knobs left out)."""
    return {name: value for name, value in config.to_dict().items() if isinstance(value, bool | int | float | str)}


def write(folder: Path, run_id: str, config: TrainConfig, history: dict, test_metrics: dict) -> Path:
    """Write the event files under ``folder / "tensorboard"``; return that folder.

    Args:
        folder: the run's (temporary) folder.
        run_id: names the HParams session.
        config: the knobs, as HParams.
        history: ``{"batches": [...], "epochs": [...]}`` as the run stores it.
        test_metrics: accuracy and loss on the test set (``test/accuracy``, ``test/loss``).
    """
    import_keras()
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hparams

    root = Path(folder) / FOLDER
    train = tf.summary.create_file_writer(str(root / "train"))
    with train.as_default():
        hparams.hparams(hparams_of(config), trial_id=run_id)
        for row in history.get("batches", ()):
            tf.summary.scalar("batch_loss", row["loss"], step=row["step"])
            tf.summary.scalar("batch_accuracy", row["accuracy"], step=row["step"])
        _epoch_scalars(tf, history, prefix="")
        for name in ("accuracy", "loss"):
            value = test_metrics.get(name)
            if value is not None and math.isfinite(value):
                tf.summary.scalar(f"test/{name}", value, step=len(history.get("epochs", ())))
    train.close()
    validation = tf.summary.create_file_writer(str(root / "validation"))
    with validation.as_default():
        _epoch_scalars(tf, history, prefix="val_")
    validation.close()
    return root


def _epoch_scalars(tf, history: dict, prefix: str) -> None:
    for row in history.get("epochs", ()):
        for name in ("loss", "accuracy"):
            if f"{prefix}{name}" in row:
                tf.summary.scalar(f"epoch_{name}", row[f"{prefix}{name}"], step=row["epoch"])
