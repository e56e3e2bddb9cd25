"""What a job is: its states, its mutable record, and the immutable snapshot pages read.

Progress and the ETA are computed here, in :func:`snapshot_of`, and nowhere else: the
Train page, the CLI's progress bar and the tests all read them from a :class:`JobSnapshot`.

The ETA is honest in three ways. Before the first batches it is the calibrated estimate
(:mod:`core.runs.calibration`: this machine's measured speed), not a guess from a
batch that included building the model. Then it follows the recent batches' pace (a
window, so the first traced batch does not linger) and is smoothed between snapshots, so
it does not jump. And it includes scoring the test set, which is its own phase with its
own estimate (``scoring_seconds``), instead of "under 1 s" for the whole scoring.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from core.config import TrainConfig
from core.errors import LabError
from core.model.progress import PHASE_SCORING_PARTIAL, SCORING_PHASES
from core.runs.calibration import DEFAULT_SCORING_SHARE

SCORING_PARTIAL = PHASE_SCORING_PARTIAL
#: Batches whose end times the ETA reads (the recent pace).
PACE_WINDOW = 50
#: Batches after which the measured pace replaces the calibrated estimate entirely.
PACE_TRUSTED_AFTER = 30
#: Weight of a new ETA measurement against the previous one carried forward (smoothing).
ETA_SMOOTHING = 0.3

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
    estimate_seconds: tuple | None = None  # (low, likely, high) training seconds when queued, this machine
    scoring_seconds: float | None = None  # likely seconds to score the test set
    test_reviews: int = 0  # reviews the test-set phase scores

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
    client: str | None = None  # where the request came from (an IP address): one client's share of the queue
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
    deadline_stopped: bool = False  # the server stopped it at its deadline (:func:`stop_at_deadline`)
    data: object = None  # the dataset this job trains on (ImdbData)
    estimate_seconds: tuple | None = None  # calibrated (low, likely, high) training seconds, set when submitted
    scoring_seconds: float | None = None
    test_reviews: int = 0
    batch_times: list = field(default_factory=list)  # monotonic end times of the last PACE_WINDOW batches
    train_finished: float | None = None  # when the scoring phase began
    eta_last: tuple | None = None  # (when, eta) of the previous snapshot, for smoothing


#: A job may run this many times its likely estimate (training and scoring), plus a margin, before the
#: server stops it and keeps its partial run: a config the cost model got badly wrong cannot hold the
#: only training slot of a class for hours.
DEADLINE_FACTOR, DEADLINE_MARGIN_SECONDS = 4.0, 120.0


def deadline_seconds(job: JobRecord) -> float | None:
    """Seconds a job may run from its start (None: no estimate, so no deadline)."""
    if job.estimate_seconds is None:
        return None
    return DEADLINE_FACTOR * (job.estimate_seconds[1] + (job.scoring_seconds or 0.0)) + DEADLINE_MARGIN_SECONDS


def stop_at_deadline(job: JobRecord, now: float) -> bool:
    """(Under the job's lock.) Ask a running job past its deadline to stop, keeping its partial run; whether it did now."""
    limit = deadline_seconds(job)
    if job.state != RUNNING or job.started is None or limit is None or job.cancel_requested:
        return False
    if now - job.started <= limit:
        return False
    job.cancel_requested, job.keep_partial, job.deadline_stopped = True, True, True
    job.phase = "stopping: past its deadline"
    return True


def apply_outcome(job: JobRecord, outcome: dict) -> None:
    """Set a trained job's final state from its outcome (:func:`core.runs.store.store_outcome`)."""
    job.test_metrics, job.train_seconds = outcome["test_metrics"], outcome["train_seconds"]
    job.run_id = outcome["run_id"]
    job.partial = job.run_id is not None and (outcome["cancelled"] or outcome["diverged"])
    if outcome["diverged"]:
        job.state, job.phase = FAILED, "diverged"
        job.error = (
            "Training diverged (the loss became NaN or infinite). Lower the learning rate; "
            "the history up to that point was kept."
        )
    elif outcome["cancelled"]:
        job.state = CANCELLED
        job.phase = "cancelled" + (" (partial run kept)" if job.run_id else "")
        if job.deadline_stopped:
            limit = deadline_seconds(job) or 0.0
            job.phase = f"stopped by the server after {limit / 60:.0f} min, {DEADLINE_FACTOR:g}x its estimate" + (
                " (partial run kept)" if job.run_id else ""
            )
    else:
        job.state, job.phase = DONE, "done"


def finish_as_cached(job: JobRecord, run, history: dict) -> None:
    """Make ``job`` done at once from a stored run of exactly its config and data, with its curves."""
    job.state, job.phase, job.cached, job.run_id = DONE, "cached", True, run.run_id
    job.test_metrics, job.train_seconds = run.test_metrics, run.train_seconds
    job.epochs = job.epoch = run.epochs_trained
    job.batch_history, job.epoch_history = history["batches"], history["epochs"]


def batches_done(epoch: int, batch: int, batches_per_epoch: int) -> int:
    """Batches finished when batch ``batch`` of epoch ``epoch`` (both from 1; 0: not started) is done."""
    return (epoch - 1) * batches_per_epoch + batch if epoch else 0


def snapshot_of(job: JobRecord, queue_position: int | None) -> JobSnapshot:
    """An immutable copy of ``job`` with its speed and ETA (call under the manager's lock)."""
    now = time.monotonic()
    elapsed = ((job.finished_at or now) - job.started) if job.started else 0.0
    train_end = job.train_finished or job.finished_at or now
    train_elapsed = (train_end - job.train_started) if job.train_started else 0.0
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
        eta_seconds=_smoothed_eta(job, now),
        batch_history=tuple(job.batch_history),
        epoch_history=tuple(job.epoch_history),
        error=job.error,
        run_id=job.run_id,
        cached=job.cached,
        partial=job.partial,
        test_metrics=dict(job.test_metrics) if job.test_metrics else None,
        train_seconds=job.train_seconds,
        estimate_seconds=job.estimate_seconds,
        scoring_seconds=job.scoring_seconds,
        test_reviews=job.test_reviews,
    )


def _smoothed_eta(job: JobRecord, now: float) -> float | None:
    """:func:`eta_seconds`, blended with the previous snapshot's value carried forward (no jumps)."""
    eta = eta_seconds(job, now)
    if eta is None or job.eta_last is None or job.phase in SCORING_PHASES:
        job.eta_last = None if eta is None else (now, eta)
        return eta
    when, previous = job.eta_last
    carried = max(0.0, previous - (now - when))
    eta = ETA_SMOOTHING * eta + (1 - ETA_SMOOTHING) * carried
    job.eta_last = (now, eta)
    return eta


def eta_seconds(job: JobRecord, now: float) -> float | None:
    """Seconds left: the training batches still to run plus the test-set scoring (None: unknown)."""
    if job.state != RUNNING:
        return None
    scoring = job.scoring_seconds or 0.0
    if job.cancel_requested and not job.keep_partial:
        scoring = 0.0
    if job.phase in SCORING_PHASES:
        started = job.train_finished or now
        left = scoring - (now - started)
        return left if left > 0 else None  # past its estimate: say nothing rather than "under 1 s"
    training = _training_left(job)
    if training is None:
        return None
    return (0.0 if job.cancel_requested else training) + scoring


def _training_left(job: JobRecord) -> float | None:
    """Seconds of training left: the calibrated estimate, then the recent pace as batches come in."""
    total = job.epochs * job.batches_per_epoch
    done = batches_done(job.epoch, job.batch, job.batches_per_epoch)
    prior = None
    if job.estimate_seconds is not None:
        prior = job.estimate_seconds[1] * (1 - done / total) if total else job.estimate_seconds[1]
    times = job.batch_times
    if not total or len(times) < 3:
        return prior
    per_batch = (times[-1] - times[0]) / (len(times) - 1)
    # The window sees only training batches; each epoch also runs one validation pass.
    val_share = job.config.validation_fraction / (1 - job.config.validation_fraction) * DEFAULT_SCORING_SHARE
    measured = (total - done) * per_batch * (1 + val_share)
    if prior is None:
        return measured
    trust = min(1.0, done / PACE_TRUSTED_AFTER)
    return trust * measured + (1 - trust) * prior
