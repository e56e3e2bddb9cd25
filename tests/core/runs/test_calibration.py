"""The cost model calibrated on this machine: stored runs' measured speed, a running job's, a range."""

from __future__ import annotations

import platform
import time

import pytest

from core.config import preset
from core.model import cost
from core.runs import calibration
from core.runs.store import RunInfo

FAST, TUTORIAL = preset("conv-lstm"), preset("tutorial-v1")


def _run(config, slowdown: float, *, host=None, eval_share=None, age=0.0, train_limit=None) -> RunInfo:
    """A run that trained ``slowdown`` times slower than the cost model predicts for its config."""
    config = config.replace(train_limit=train_limit) if train_limit else config
    samples_per_second = 1.0 / (cost.seconds_per_sample(config) * slowdown)
    eval_seconds = 0.0 if eval_share is None else 25_000 * eval_share / samples_per_second
    return RunInfo(
        run_id=f"run-{slowdown}-{age}",
        path=None,
        config=config,
        test_metrics={"accuracy": 0.8, "count": 25_000},
        train_seconds=10.0,
        samples_per_second=samples_per_second,
        created=time.time() - age,
        partial=False,
        data_fingerprint="x",
        epochs_trained=1,
        best_epoch=None,
        versions={},
        notes=(),
        eval_seconds=eval_seconds,
        host=host or platform.node(),
    )


def test_nothing_measured_gives_the_reference_figure_with_a_wide_range():
    result = calibration.calibrate([])
    assert not result.calibrated and result.factor == 1.0
    low, likely, high = result.epoch_seconds(FAST)
    assert likely == pytest.approx(cost.estimate_epoch_seconds(FAST))
    assert high / low == pytest.approx(calibration.UNCALIBRATED_RANGE[1] / calibration.UNCALIBRATED_RANGE[0])


def test_runs_of_other_configs_calibrate_the_estimate_of_this_one():
    """This machine is 3x slower than the reference on two other configs: the conv-lstm preset's estimate follows."""
    result = calibration.calibrate([_run(TUTORIAL, 2.8), _run(TUTORIAL.replace(units=64), 3.2)])
    assert result.calibrated and result.measurements == 2 and result.factor == pytest.approx(3.0)
    low, likely, high = result.training_seconds(FAST.replace(epochs=2))
    assert likely == pytest.approx(3.0 * 2 * cost.estimate_epoch_seconds(FAST))
    assert low < likely < high and low <= 2.8 * 2 * cost.estimate_epoch_seconds(FAST)


def test_only_this_hosts_usable_runs_count_and_a_live_job_does():
    others = [_run(TUTORIAL, 10.0, host="another-box"), _run(TUTORIAL, 10.0, train_limit=300)]  # tiny: overhead
    assert not calibration.calibrate(others).calibrated
    live_speed = 1.0 / (cost.seconds_per_sample(FAST) * 0.5)
    result = calibration.calibrate(others, live=[(FAST, live_speed)])
    assert result.measurements == 1 and result.factor == pytest.approx(0.5)


def test_scoring_time_comes_from_what_the_runs_measured():
    result = calibration.calibrate([_run(TUTORIAL, 2.0, eval_share=0.2), _run(FAST, 2.0, eval_share=0.4)])
    assert result.scoring_share == pytest.approx(0.3)
    expected = 25_000 * cost.seconds_per_sample(FAST) * 2.0 * 0.3
    assert result.scoring_seconds(FAST, 25_000) == pytest.approx(expected)
    assert calibration.calibrate([]).scoring_share == calibration.DEFAULT_SCORING_SHARE


def test_runs_of_the_same_shape_count_first():
    """The cost model's factors across shapes are the least sure: a run of the same shape wins when there is one."""
    runs = [_run(TUTORIAL, 3.0), _run(FAST.replace(units=32), 1.4, age=1.0)]
    assert calibration.calibrate(runs, config=FAST).factor == pytest.approx(1.4)
    assert calibration.calibrate(runs, config=TUTORIAL.replace(units=40)).factor == pytest.approx(3.0)
    assert calibration.calibrate(runs).factor == pytest.approx(2.2)  # no config: every run


def test_the_pace_after_the_first_batch_calibrates_not_the_start_up():
    """A short run's average includes tracing the model; the steady pace is what a long run keeps."""
    import dataclasses

    run = _run(FAST, 5.0)  # the whole fit's average: start-up made it look 5x slower
    steady = 1.0 / (cost.seconds_per_sample(FAST) * 1.5)
    assert calibration.calibrate([dataclasses.replace(run, steady_samples_per_second=steady)]).factor == pytest.approx(
        1.5
    )
