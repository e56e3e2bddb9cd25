"""What a job is: its states, its mutable record, and the immutable snapshot pages read.

Progress and the ETA are computed here, in :func:`snapshot_of`, and nowhere else: the
Train page, the CLI's progress bar and the tests all read them from a :class:`JobSnapshot`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from core.config import TrainConfig
from core.errors import LabError

QUEUED, RUNNING, DONE, CANCELLED, FAILED = "queued", "running", "done", "cancelled", "failed"
FINISHED_STATES = (DONE, CANCELLED, FAILED)


class JobRefused(LabError):
    """A job was not queued: queue full, one already waiting for this owner, or too slow."""


@dataclass(frozen=True)
class JobSnapshot:
    """A consistent, immutable view of a job at one moment."""

    job_id: str
    state: str
    config: TrainConfig
    owner: str | None
    queue_position: int | None
    phase: str
    epoch: int
    epochs: int
    batch: int
    batches_per_epoch: int
    samples_seen: int
    samples_per_second: float
    elapsed_seconds: float
    eta_seconds: float | None
    batch_history: tuple
    epoch_history: tuple
    error: str | None
    run_id: str | None
    cached: bool
    partial: bool
    test_metrics: dict | None
    train_seconds: float | None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def batches_done(self) -> int:
        return batches_done(self.epoch, self.batch, self.batches_per_epoch)

    @property
    def progress(self) -> float:
        """Share of the planned batches done, 0..1."""
        total = self.epochs * self.batches_per_epoch
        if self.state == DONE:
            return 1.0
        return min(1.0, self.batches_done / total) if total and self.epoch else 0.0


@dataclass
class JobRecord:
    """A job's mutable state, changed only under its manager's lock."""

    job_id: str
    config: TrainConfig
    retrain: bool
    keep_partial: bool
    owner: str | None
    state: str = QUEUED
    phase: str = "queued"
    epoch: int = 0
    epochs: int = 0
    batch: int = 0
    batches_per_epoch: int = 0
    samples_seen: int = 0
    started: float | None = None
    train_started: float | None = None
    finished_at: float | None = None
    batch_history: list = field(default_factory=list)
    epoch_history: list = field(default_factory=list)
    error: str | None = None
    run_id: str | None = None
    cached: bool = False
    partial: bool = False
    test_metrics: dict | None = None
    train_seconds: float | None = None
    cancel_requested: bool = False
    data: object = None  # the dataset this job trains on (ImdbData)


def batches_done(epoch: int, batch: int, batches_per_epoch: int) -> int:
    """Batches finished when batch ``batch`` of epoch ``epoch`` (both from 1; 0: not started) is done."""
    return (epoch - 1) * batches_per_epoch + batch if epoch else 0


def snapshot_of(job: JobRecord, queue_position: int | None) -> JobSnapshot:
    """An immutable copy of ``job`` with its speed and ETA (call under the manager's lock)."""
    now = time.monotonic()
    elapsed = ((job.finished_at or now) - job.started) if job.started else 0.0
    train_elapsed = ((job.finished_at or now) - job.train_started) if job.train_started else 0.0
    total, done = job.epochs * job.batches_per_epoch, batches_done(job.epoch, job.batch, job.batches_per_epoch)
    eta = train_elapsed * (total - done) / done if job.state == RUNNING and done and total else None
    return JobSnapshot(
        job_id=job.job_id,
        state=job.state,
        config=job.config,
        owner=job.owner,
        queue_position=queue_position,
        phase=job.phase,
        epoch=job.epoch,
        epochs=job.epochs or job.config.epochs,
        batch=job.batch,
        batches_per_epoch=job.batches_per_epoch,
        samples_seen=job.samples_seen,
        samples_per_second=job.samples_seen / train_elapsed if train_elapsed > 0 else 0.0,
        elapsed_seconds=elapsed,
        eta_seconds=eta,
        batch_history=tuple(job.batch_history),
        epoch_history=tuple(job.epoch_history),
        error=job.error,
        run_id=job.run_id,
        cached=job.cached,
        partial=job.partial,
        test_metrics=dict(job.test_metrics) if job.test_metrics else None,
        train_seconds=job.train_seconds,
    )
