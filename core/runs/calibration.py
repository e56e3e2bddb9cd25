"""Honest time: the cost model scaled by what this machine measured.

The cost model (:mod:`core.model.cost`) holds the factors each knob costs, measured on
one reference machine. Our machines differ up to 3x on the same training (AVX-512 or
not, see the notes), so a fixed figure was 7x off on another server. Every stored run
records its samples per second after the first batch (which traces and compiles the
model: on a slice of 3,000 reviews that start-up was half the time), its scoring time
and the host it trained on; each is
one measurement of "this machine is ``k`` times the reference" (measured seconds per
review over the cost model's, for that run's own config). :func:`calibrate` takes the
median ``k`` of this host's recent runs (and of a running job, when given) and its
spread, so the estimate is the cost model's shape at this machine's speed, shown as a
range. With nothing measured yet it says so and gives a wide range.
"""

from __future__ import annotations

import platform
import statistics
from dataclasses import dataclass

import numpy as np

from core.config import TrainConfig
from core.model.cost import epoch_samples, seconds_per_sample
from core.runs.store import RunInfo

#: Runs on fewer training reviews are dominated by start-up and per-batch overhead: not used.
MIN_CALIBRATION_SAMPLES = 1_000
#: The newest runs read (a machine's speed drifts with library versions and load).
RECENT_RUNS = 20
#: Without measurements: the range around the reference machine's figure (our machines span 3x).
UNCALIBRATED_RANGE = (0.6, 3.0)
#: The least spread shown around a calibrated figure (one run is one noisy measurement).
MIN_SPREAD = (0.8, 1.3)
#: Scoring a review (forward only, large batches) relative to training on it, when no run measured it.
DEFAULT_SCORING_SHARE = 0.3


@dataclass(frozen=True)
class Calibration:
    """How this machine compares with the cost model's reference machine.

    ``factor`` multiplies the cost model's seconds (2.0: this machine takes twice as
    long); ``low``/``high`` bound it; ``measurements`` is how many runs (or live jobs)
    it comes from, 0 meaning uncalibrated. ``scoring_share`` is a test review's scoring
    time over a training review's.
    """

    factor: float = 1.0
    low: float = UNCALIBRATED_RANGE[0]
    high: float = UNCALIBRATED_RANGE[1]
    measurements: int = 0
    scoring_share: float = DEFAULT_SCORING_SHARE

    @property
    def calibrated(self) -> bool:
        return self.measurements > 0

    def epoch_seconds(self, config: TrainConfig, lengths: np.ndarray | None = None) -> tuple[float, float, float]:
        """(low, likely, high) seconds for one epoch of ``config`` on this machine."""
        reference = epoch_samples(config, lengths) * seconds_per_sample(config, lengths)
        return reference * self.low, reference * self.factor, reference * self.high

    def training_seconds(self, config: TrainConfig, lengths: np.ndarray | None = None) -> tuple[float, float, float]:
        """(low, likely, high) seconds for every planned epoch of ``config``."""
        return tuple(value * config.epochs for value in self.epoch_seconds(config, lengths))

    def scoring_seconds(self, config: TrainConfig, reviews: int, lengths: np.ndarray | None = None) -> float:
        """Likely seconds to score ``reviews`` test reviews with a model of ``config``."""
        return reviews * seconds_per_sample(config, lengths) * self.factor * self.scoring_share


def run_factor(run: RunInfo, lengths: np.ndarray | None = None) -> float | None:
    """This run's measured seconds per review over the cost model's (None: not a usable measurement)."""
    speed = run.steady_samples_per_second or run.samples_per_second  # older runs: the whole fit's average
    if speed <= 0 or epoch_samples(run.config, lengths) < MIN_CALIBRATION_SAMPLES:
        return None
    reference = seconds_per_sample(run.config, lengths)
    return (1.0 / speed) / reference if reference > 0 else None


def shape(config: TrainConfig) -> tuple:
    """What decides how a config's time *scales* (the cost model is least sure across these)."""
    return (
        config.cell,
        config.layers,
        config.bidirectional,
        config.shortening,
        config.mask_zero,
        config.pooling,
        config.recurrent_dropout > 0,
    )


def calibrate(
    runs: list[RunInfo],
    lengths: np.ndarray | None = None,
    live: list[tuple[TrainConfig, float]] = (),
    host: str | None = None,
    config: TrainConfig | None = None,
) -> Calibration:
    """The calibration from this host's newest stored runs and any live jobs.

    The cost model's factors between model shapes are measured on one machine and were
    2x off between ``tutorial-v1`` and ``conv-lstm`` on another (bench/estimate.py), so when
    ``config`` is given and runs of its :func:`shape` were measured here, only those count.

    Args:
        runs: stored runs (any host; only ``host``'s, and runs without a host, are read).
        lengths: tokens per training review (the cost model's steps per review).
        live: (config, samples per second) of jobs training now on this machine.
        host: the machine (default: this one, :func:`platform.node`).
        config: the config to estimate; runs of the same shape are preferred.

    Returns:
        A :class:`Calibration`; uncalibrated (factor 1, wide range) when nothing was measured.
    """
    host = platform.node() if host is None else host
    mine = sorted((r for r in runs if r.host in (None, host)), key=lambda r: -r.created)[:RECENT_RUNS]
    measured = [(r.config, f) for r in mine if (f := run_factor(r, lengths)) is not None]
    for live_config, samples_per_second in live:
        reference = seconds_per_sample(live_config, lengths)
        if samples_per_second > 0 and reference > 0:
            measured.append((live_config, (1.0 / samples_per_second) / reference))
    alike = [f for c, f in measured if config is not None and shape(c) == shape(config)]
    factors = alike or [f for _, f in measured]
    if not factors:
        return Calibration()
    factor = statistics.median(factors)
    low = min(min(factors), factor * MIN_SPREAD[0])
    high = max(max(factors), factor * MIN_SPREAD[1])
    return Calibration(factor, low, high, len(factors), _scoring_share(mine))


def _scoring_share(runs: list[RunInfo]) -> float:
    """Median of (seconds per scored review) / (seconds per trained review) over runs that measured both."""
    shares = [
        (run.eval_seconds / run.test_metrics["count"]) * run.samples_per_second
        for run in runs
        if run.eval_seconds > 0
        and run.samples_per_second > 0
        and run.test_metrics.get("count", 0) >= MIN_CALIBRATION_SAMPLES
    ]
    return statistics.median(shares) if shares else DEFAULT_SCORING_SHARE
