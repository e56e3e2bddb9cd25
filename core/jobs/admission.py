"""Who may queue a job, and how long it will take: the rules every executor applies the same way.

The local job manager applies them under its lock; the queue executor
(:mod:`core.jobs.redis_queue`) under a Redis lock, so that they hold across replicas.
The time estimate comes from this machine's (or this cluster's) stored runs and the
running jobs' pace (:mod:`core.runs.calibration`), never from a speed written into the code.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from core.config import TrainConfig
from core.jobs.records import JobRecord, JobRefused, JobSnapshot
from core.model.cost import parameter_count, peak_memory_bytes


def check_queue(
    waiting: list[tuple],
    owner: str | None,
    max_queued: int | None,
    client: str | None = None,
    per_client: int | None = None,
) -> None:
    """Refuse a job when ``owner`` already waits, ``client`` holds its share, or the queue is full.

    ``waiting``: ``(owner, client)`` of each waiting job. An owner is a browser, and a new
    browser context is a new owner: so one person could queue a job from each of ten
    private windows. ``per_client`` caps the waiting jobs of one client (an IP address),
    so the queue stays open to the rest of the room.
    """
    if owner is not None and owner in [each[0] for each in waiting]:
        raise JobRefused("You already have a job waiting in the queue; wait for it or cancel it first.")
    if client is not None and per_client is not None and [each[1] for each in waiting].count(client) >= per_client:
        raise JobRefused(
            f"Your computer already has {per_client} jobs waiting in the queue, its share of this server; wait "
            "for one of them to start, or cancel one."
        )
    if max_queued is not None and len(waiting) >= max_queued:
        raise JobRefused(f"The training queue is full ({max_queued} jobs waiting). Try again when a job has finished.")


def calibration(store, data, running: list[JobSnapshot], config: TrainConfig | None = None):
    """The :class:`core.runs.calibration.Calibration` from ``store``'s runs and the ``running`` jobs' pace."""
    from core.runs.calibration import MIN_CALIBRATION_SAMPLES, calibrate

    pace = [(j.config, j.samples_per_second) for j in running if j.samples_seen >= MIN_CALIBRATION_SAMPLES]
    return calibrate(store.list(), data.train.lengths, live=pace, config=config)


def estimate(job: JobRecord, calibration) -> None:
    """Give a queued job its calibrated time estimates (the ETA starts from them)."""
    lengths = job.data.train.lengths
    job.test_reviews = min(job.config.test_limit or len(job.data.test), len(job.data.test))
    job.estimate_seconds = calibration.training_seconds(job.config, lengths)
    job.scoring_seconds = calibration.scoring_seconds(job.config, job.test_reviews, lengths)


def check_time_budget(job: JobRecord, budget_seconds: float | None) -> None:
    """Refuse a job whose likely training time (calibrated, :func:`estimate`) exceeds the server's budget."""
    check_likely_seconds(job.estimate_seconds[1], budget_seconds)


def refusal(
    config: TrainConfig,
    calibration,
    train_lengths,
    budget_seconds: float | None,
    max_parameters: int | None,
    max_memory_bytes: int | None,
) -> str | None:
    """Why a submit of ``config`` would be refused for its size or time (:func:`check_size`, the time budget), in
    the same words; None when it would be queued. The Train page disables Train with it, before the click."""
    try:
        check_size(config, max_parameters, max_memory_bytes)
        check_likely_seconds(calibration.training_seconds(config, train_lengths)[1], budget_seconds)
    except JobRefused as error:
        return str(error)
    return None


def check_likely_seconds(likely: float, budget_seconds: float | None) -> None:
    """Refuse a likely training time (calibrated seconds) above the server's budget."""
    if budget_seconds is None:
        return
    if likely > budget_seconds:
        raise JobRefused(
            f"This training would take about {likely / 60:.0f} min here, more than this "
            f"server allows ({budget_seconds / 60:.0f} min). Use fewer epochs, a "
            f"shorter maxlen, fewer units or no recurrent dropout."
        )


def check_size(config: TrainConfig, max_parameters: int | None, max_memory_bytes: int | None) -> None:
    """Refuse a model with more weights, or an estimated training batch needing more memory, than this server allows.

    Checked at submit, before any process starts: a 100,000 x 512 embedding (51 million
    weights, a 200 MB run every page would read) or batch 1024 x maxlen 2500 (gigabytes of
    activations a batch) would otherwise only fail, or end the server, once training.
    """
    weights = parameter_count(config)
    if max_parameters is not None and weights > max_parameters:
        raise JobRefused(
            f"This model has {weights / 1e6:.1f} million weights, more than this server allows "
            f"({max_parameters / 1e6:.0f} million). Use fewer words (num_words), a smaller embedding or fewer units."
        )
    memory = peak_memory_bytes(config)
    if max_memory_bytes is not None and memory > max_memory_bytes:
        raise JobRefused(
            f"Training this model would need about {memory / 2**30:.1f} GB of memory a batch, more than this "
            f"server allows ({max_memory_bytes / 2**30:.1f} GB). Use a smaller batch, a shorter maxlen, a smaller "
            "embedding or fewer units."
        )


def training_data(loader=None):
    """The dataset jobs train on when a submit names none: ``loader()``, else the configured source."""
    if loader is not None:
        return loader()
    from core.data.dataset import load_dataset

    return load_dataset()


#: Seconds a job takes beyond training and scoring when nothing here measured it yet: starting the training
#: process (Python, TensorFlow, the dataset: about 8 s on a 2-core Xeon, issue 31) and saving the run.
DECLARED_STARTUP_SECONDS = 10.0


@dataclass(frozen=True)
class WaitQuote:
    """How long a user waits from pressing Train to the result (queue not counted), and where the figure comes from.

    ``how``: ``"measured"`` (this server's jobs of this network, ``measured`` of them),
    ``"estimate + measured start-up"`` (the calibrated training time plus what this
    server's other jobs took beyond their training), or ``"estimate + declared start-up"``
    (plus :data:`DECLARED_STARTUP_SECONDS` and the scoring estimate: nothing measured yet).
    """

    low: float
    likely: float
    high: float
    how: str
    measured: int = 0


def expected_wait(config: TrainConfig, measured: list, calibration, train_lengths, test_reviews: int) -> WaitQuote:
    """The wait for ``config`` (any seed): measured waits (:meth:`core.jobs.journal.JobJournal.measured_waits`) first."""
    same = [wait for other, wait, _ in measured if other.replace(seed=config.seed) == config]
    if same:
        return WaitQuote(min(same), statistics.median(same), max(same), "measured", len(same))
    low, likely, high = calibration.training_seconds(config, train_lengths)
    beyond = [wait - train for _, wait, train in measured if 0 < train < wait]
    if beyond:
        extra, how = statistics.median(beyond), "estimate + measured start-up"
    else:
        extra = DECLARED_STARTUP_SECONDS + calibration.scoring_seconds(config, test_reviews, train_lengths)
        how = "estimate + declared start-up"
    return WaitQuote(low + extra, likely + extra, high + extra, how, len(beyond))
