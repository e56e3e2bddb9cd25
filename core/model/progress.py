"""Progress out of ``model.fit`` and cancel into it: the :class:`Reporter` seam.

Jobs, the CLI and the benchmarks each pass their own :class:`Reporter`; its Keras
callback, :class:`core.model.callbacks.ProgressCallback`, turns Keras's running means
into each batch's own loss and accuracy and checks ``should_stop`` after every batch,
so a cancel stops within one batch. This module does not import Keras.
"""

from __future__ import annotations

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
    """Raised from :class:`core.model.callbacks.ProgressCallback` to leave ``model.fit`` at once (no validation pass)."""
