"""Progress out of ``model.fit`` and cancel into it: the :class:`Reporter` seam and its Keras callback.

Jobs, the CLI and the benchmarks each pass their own :class:`Reporter`; the callback
turns Keras's running means into each batch's own loss and accuracy and checks
``should_stop`` after every batch, so a cancel stops within one batch.
"""

from __future__ import annotations

import time

from core.backend import import_keras

#: The phase names that mean something to the ETA (:mod:`core.jobs.records`) and the pages.
PHASE_TRAINING = "training"
PHASE_SCORING = "scoring the test set"
#: After a Stop that keeps the partial model: it is scored first; cancelling again skips that.
PHASE_SCORING_PARTIAL = "scoring the partial model on the test set"
SCORING_PHASES = (PHASE_SCORING, PHASE_SCORING_PARTIAL)


class Reporter:
    """Receives progress; the default ignores it and never asks to stop."""

    def phase(self, name: str) -> None: ...

    def model_ready(self, model) -> None:
        """The compiled model, before training (benchmarks evaluate it between epochs)."""

    def started(self, epochs: int, batches_per_epoch: int, train_samples: int) -> None: ...

    def batch(self, epoch: int, batch: int, loss: float, accuracy: float, samples: int) -> None: ...

    def epoch(self, epoch: int, logs: dict) -> None: ...

    def should_stop(self) -> bool:
        return False

    def wants_partial(self) -> bool:
        """After a cancel: evaluate what was learned (True) or skip straight to the end."""
        return True


class Cancelled(Exception):
    """Raised from the progress callback to leave ``model.fit`` at once (no validation pass)."""


def progress_callback(reporter: Reporter, batch_sizes: list[int]):
    """A Keras callback: raw per-batch loss/accuracy, epoch logs, cancel within one batch.

    Defined on first use so that importing this module does not import Keras.
    """
    keras = import_keras()

    class Callback(keras.callbacks.Callback):
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
                **{
                    k: float(v)
                    for k, v in (logs or {}).items()
                    if k in ("loss", "accuracy", "val_loss", "val_accuracy")
                },
            }
            self.epoch_history.append(row)
            self.reporter.epoch(epoch + 1, row)

        def steady_samples_per_second(self) -> float:
            """Reviews per second after the first batch (0.0 when it never got past one)."""
            if self.steady_started is None or not self.steady_samples:
                return 0.0
            return self.steady_samples / max(time.perf_counter() - self.steady_started, 1e-9)

    return Callback(reporter, batch_sizes)
