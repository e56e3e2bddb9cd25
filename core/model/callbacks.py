"""The Keras callbacks :func:`core.model.training.train` hands to ``model.fit``, one class per concern.

* :class:`ProgressCallback`: each batch's own loss and accuracy and the epoch logs to a
  :class:`~core.model.progress.Reporter`, and a cancel within one batch;
* :class:`SnapshotCallback`: the planned weight snapshots of a
  :class:`~core.model.snapshots.WeightSnapshots`, and the final one.

Module-level classes, like Keras's own ``keras.callbacks``: they subclass
``keras.callbacks.Callback``, so importing this module imports Keras (quietly, through
:func:`core.backend.import_keras`). Only :func:`~core.model.training.train` imports it,
when it trains; the seams it serves (:mod:`core.model.progress`,
:mod:`core.model.snapshots`) stay cheap to import for the web server.
"""

from __future__ import annotations

import math
import time

from core.backend import import_keras
from core.model.progress import Cancelled, Reporter
from core.model.snapshots import SnapshotPoint, WeightSnapshots

keras = import_keras()


class ProgressCallback(keras.callbacks.Callback):
    """Raw per-batch loss and accuracy, epoch logs, and a cancel within one batch.

    Keras 3 logs running means over the epoch; the reporter (a job's record, the CLI,
    a benchmark) wants each batch's own values, so they are recovered here from the
    change in the running sums. ``reporter.should_stop`` is asked after every batch and
    a yes raises :class:`~core.model.progress.Cancelled` (``stop_training`` would still
    run a whole validation pass). The histories and the steady pace are read after
    ``fit``: they become the run's stored curves and calibrate the time estimates.

    Args:
        reporter: receives every batch and epoch and may ask to stop.
        batch_sizes: reviews in each batch of an epoch (the last size stands for any later batch).
    """

    def __init__(self, reporter: Reporter, batch_sizes: list[int]):
        super().__init__()
        self.reporter, self.batch_sizes = reporter, batch_sizes
        self.batch_history: list[dict] = []
        self.epoch_history: list[dict] = []
        self.cancelled = False
        self._epoch = 0
        self.samples_total = 0
        # After the first batch (which traces and compiles): the pace a longer run keeps.
        self.steady_started: float | None = None
        self.steady_samples = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch, self._seen, self._sum_loss, self._sum_correct = epoch + 1, 0, 0.0, 0.0

    def on_train_batch_end(self, batch, logs=None):
        # Keras 3 logs running means over the epoch, weighted by batch size;
        # recover this batch's own values from the change in the running sums.
        n = self.batch_sizes[batch] if batch < len(self.batch_sizes) else self.batch_sizes[-1]
        seen = self._seen + n
        loss_sum, correct_sum = logs["loss"] * seen, logs["accuracy"] * seen
        loss, accuracy = (loss_sum - self._sum_loss) / n, (correct_sum - self._sum_correct) / n
        self._seen, self._sum_loss, self._sum_correct = seen, loss_sum, correct_sum
        self.samples_total += n
        if self.steady_started is None:
            self.steady_started = time.perf_counter()
        else:
            self.steady_samples += n
        row = {
            "step": len(self.batch_history) + 1,
            "epoch": self._epoch,
            "batch": batch + 1,
            "loss": float(loss),
            "accuracy": float(min(1.0, max(0.0, accuracy))),
        }
        self.batch_history.append(row)
        self.reporter.batch(self._epoch, batch + 1, row["loss"], row["accuracy"], self.samples_total)
        if self.reporter.should_stop():
            self.cancelled = True
            raise Cancelled  # stop_training would still run a whole validation pass

    def on_epoch_end(self, epoch, logs=None):
        row = {
            "epoch": epoch + 1,
            **{k: float(v) for k, v in (logs or {}).items() if k in ("loss", "accuracy", "val_loss", "val_accuracy")},
        }
        self.epoch_history.append(row)
        self.reporter.epoch(epoch + 1, row)

    def steady_samples_per_second(self) -> float:
        """Reviews per second after the first batch (0.0 when it never got past one)."""
        if self.steady_started is None or not self.steady_samples:
            return 0.0
        return self.steady_samples / max(time.perf_counter() - self.steady_started, 1e-9)


class SnapshotCallback(keras.callbacks.Callback):
    """Takes the planned weight snapshots during ``fit``, and the final one on :meth:`finish`.

    A stored run can be scrubbed back through its training only if copies of the weights
    were taken along the way, at the steps :func:`~core.model.snapshots.new_snapshots`
    planned: step 0 before the first batch, then after the planned batches. It counts
    steps itself, so it can run before the progress callback (whose cancel leaves ``fit``
    at once: a callback after it would miss the last batch). What ``fit`` leaves is not
    always what the run keeps (early stopping restores its best epoch), so the final
    snapshot is taken by :meth:`finish` after ``fit``.

    Args:
        snapshots: the plan and the store of one training; snapshots are added to it.
        batch_sizes: reviews in each batch of an epoch (the last size stands for any later batch).
    """

    def __init__(self, snapshots: WeightSnapshots, batch_sizes: list[int]):
        super().__init__()
        self.snapshots, self.batch_sizes = snapshots, batch_sizes
        self.per_epoch = max(1, snapshots.batches_per_epoch)
        self.todo = set(snapshots.planned_steps)
        self.last = SnapshotPoint(0, 0, 0, 0, None, None, 0.0)  # where the newest batch left training
        self.epoch = 0

    def on_train_begin(self, logs=None):
        if 0 in self.todo:
            self.snapshots.add(self.model, self.last)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch + 1

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        step = self.last.step + 1
        self.last = SnapshotPoint(
            step=step,
            epoch=self.epoch,
            batch=batch + 1,
            samples=self.last.samples + self.batch_sizes[min(batch, len(self.batch_sizes) - 1)],
            loss=_finite(logs.get("loss")),  # Keras's running mean over the epoch so far
            accuracy=_finite(logs.get("accuracy")),
            at_epoch=(self.epoch - 1) + (batch + 1) / self.per_epoch,
        )
        if step in self.todo:
            self.snapshots.add(self.model, self.last)

    def finish(self, model, restored_epoch: int | None, epoch_history: list[dict]) -> None:
        """The weights the run keeps, last; ``restored_epoch``: the epoch early stopping restored (1-based)."""
        point = self.last
        if restored_epoch:
            logs = epoch_history[restored_epoch - 1] if restored_epoch <= len(epoch_history) else {}
            point = SnapshotPoint(
                step=min(point.step, restored_epoch * self.per_epoch),
                epoch=restored_epoch,
                batch=self.per_epoch,
                samples=min(point.samples, restored_epoch * sum(self.batch_sizes)),
                loss=_finite(logs.get("loss")),
                accuracy=_finite(logs.get("accuracy")),
                at_epoch=float(restored_epoch),
            )
        self.snapshots.add(model, SnapshotPoint(**{**point.to_dict(), "final": True}))


def _finite(value) -> float | None:
    return float(value) if value is not None and math.isfinite(float(value)) else None
