"""Training benchmark: the ``fast`` preset against the tutorial's networks, in one run.

Trains ``fast`` to the end and measures its test accuracy after every epoch (outside
the timed training), so "time to 0.875" is training wall time only. Then trains each
tutorial preset for a bounded number of batches and extrapolates its epoch time.
``time_to_target_ratio`` is the goal's figure: ``tutorial-final``'s epoch seconds over
``fast``'s seconds to 0.875 (``speed_ratio_...`` compares samples per second only).

    python -m bench.training [--presets fast,tutorial-final,tutorial-v1] [--batches 40] [--repeat 3]

``--repeat N`` measures the presets N times, alternating, and states the goal on the median of
the N paired ratios: on a shared 2-core box one round's two timings can each be 20% off.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.common import emit, machine
from core import allocator
from core.config import preset
from core.data.dataset import load_dataset
from core.model import cost, inference, metrics, progress, training

TARGET_ACCURACY = 0.875


class _TestEveryEpoch(progress.Reporter):
    """Evaluates on the full test set after each epoch; its own time is not training time."""

    def __init__(self, prepared_test, config):
        self.x_test, self.config = prepared_test, config
        self.model, self.curve, self.eval_seconds, self.started_at = None, [], 0.0, None

    def model_ready(self, model):
        self.model = model

    def started(self, epochs, batches_per_epoch, train_samples):
        self.started_at = time.perf_counter()

    def epoch(self, epoch, logs):
        t0 = time.perf_counter()
        x, y = self.x_test
        accuracy = metrics.binary_metrics(inference.predict_sequences(self.model, x, self.config), y)["accuracy"]
        spent = time.perf_counter() - t0
        train_time = t0 - self.started_at - self.eval_seconds
        self.eval_seconds += spent
        self.curve.append(
            {
                "epoch": epoch,
                "train_seconds": round(train_time, 2),
                "test_accuracy": accuracy,
                "val_accuracy": logs.get("val_accuracy"),
            }
        )


def bench_full(name: str, data, epochs: int | None = None) -> dict:
    """Train a preset to the end with a test-accuracy curve."""
    from core.encoding import arrays

    config = preset(name)
    if epochs:
        config = config.replace(epochs=epochs)
    prepared = arrays.prepare(data, config)
    reporter = _TestEveryEpoch((prepared.x_test, prepared.y_test), config)
    result = training.train(config, data, reporter)
    reached = next((row["train_seconds"] for row in reporter.curve if row["test_accuracy"] >= TARGET_ACCURACY), None)
    return {
        "preset": name,
        "config": config.summary(),
        "curve": reporter.curve,
        "final_test_accuracy": result.test_metrics["accuracy"],
        "best_epoch": result.best_epoch,
        "train_seconds_excluding_test_evals": round(result.train_seconds - reporter.eval_seconds, 2),
        "samples_per_second": round(
            len(prepared.x_train) * len(reporter.curve) / max(1e-9, result.train_seconds - reporter.eval_seconds), 1
        ),
        "seconds_to_target": reached,
    }


class _StopAfter(progress.Reporter):
    def __init__(self, batches):
        self.limit, self.times, self.samples = batches, [], []

    def batch(self, epoch, batch, loss, accuracy, samples):
        self.times.append(time.perf_counter())
        self.samples.append(samples)

    def should_stop(self):
        return len(self.times) >= self.limit


#: One knob of ``fast`` changed at a time, to show what each choice buys (--ablations).
ABLATIONS = {
    "no length bucketing": {"bucketing": False},
    "no conv front end": {"conv_pool": 1},
    "conv stride 1 (window 5)": {"conv_stride": 1},
    "last state instead of max over steps": {"pooling": "last"},
    "batch 128": {"batch_size": 128},
    "mask_zero (conv off, last state)": {"mask_zero": True, "conv_pool": 1, "pooling": "last"},
    "recurrent_dropout 0.1": {"recurrent_dropout": 0.1},
    "GRU": {"cell": "gru"},
}


def bench_bounded(name: str, data, batches: int, changes: dict | None = None) -> dict:
    """Train a preset for ``batches`` batches; extrapolate seconds per epoch (first 3 batches skipped)."""
    config = preset(name).replace(test_limit=50, **(changes or {}))
    reporter = _StopAfter(batches)
    training.train(config, data, reporter)
    skip = 3
    seconds = reporter.times[-1] - reporter.times[skip - 1]
    samples = reporter.samples[-1] - reporter.samples[skip - 1]
    speed = samples / seconds
    from core.encoding import arrays

    train_reviews = len(arrays.prepare(data, config).x_train)
    return {
        "preset": name,
        "config": config.summary(),
        "batches_timed": len(reporter.times) - skip,
        "samples_per_second": round(speed, 1),
        "epoch_seconds_extrapolated": round(train_reviews / speed, 1),
        "estimate_epoch_seconds": round(cost.estimate_epoch_seconds(config, data.train.lengths), 1),
    }


def main() -> None:
    allocator.reexec_with_preload()  # train on tcmalloc where there is one, as the app's jobs do
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--presets", default="fast,tutorial-final,tutorial-v1")
    parser.add_argument("--batches", type=int, default=40, help="batches timed for the tutorial presets")
    parser.add_argument("--epochs", type=int, default=None, help="override the fast preset's epochs")
    parser.add_argument("--ablations", action="store_true", help="also time fast with one knob changed at a time")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of all presets, alternating (goal: median)")
    args = parser.parse_args()
    data = load_dataset()
    names = args.presets.split(",")
    rounds = []
    for _ in range(max(1, args.repeat)):
        rounds.append(
            {
                name: bench_full(name, data, args.epochs) if name == "fast" else bench_bounded(name, data, args.batches)
                for name in names
            }
        )
    result = {"target_accuracy": TARGET_ACCURACY, "presets": rounds[0]}
    if args.ablations:
        base = bench_bounded("fast", data, args.batches)
        result["ablations"] = {"fast (bounded)": base}
        for label, changes in ABLATIONS.items():
            row = bench_bounded("fast", data, args.batches, changes)
            row["samples_per_second_vs_fast"] = round(row["samples_per_second"] / base["samples_per_second"], 2)
            result["ablations"][label] = row
    if "fast" in names and "tutorial-final" in names:
        result.update(median_ratios([ratios(r["fast"], r["tutorial-final"]) | _round_times(r) for r in rounds]))
    result["machine"] = machine()  # after training: TensorFlow's thread settings are known by then
    emit(result)


#: Issue 12's goal: tutorial-final's epoch over fast's time to the target accuracy, on any of our machines.
GOAL_RATIO = 10


def ratios(fast: dict, tutorial_final: dict) -> dict:
    """The two ways to compare: samples per second, and the goal's time-to-accuracy ratio (None: never reached)."""
    reached = fast["seconds_to_target"]
    ratio = round(tutorial_final["epoch_seconds_extrapolated"] / reached, 2) if reached else None
    return {
        "speed_ratio_fast_vs_tutorial_final": round(
            fast["samples_per_second"] / tutorial_final["samples_per_second"], 2
        ),
        "time_to_target_ratio": ratio,
        "goal": {"ratio": GOAL_RATIO, "met": ratio is not None and ratio >= GOAL_RATIO},
    }


def _round_times(presets: dict) -> dict:
    return {
        "fast_seconds_to_target": presets["fast"]["seconds_to_target"],
        "tutorial_final_epoch_seconds": presets["tutorial-final"]["epoch_seconds_extrapolated"],
    }


def median_ratios(rounds: list[dict]) -> dict:
    """One round: its ratios. Several: each round's, and the goal stated on the median (never reached counts as 0)."""
    if len(rounds) == 1:
        return {
            k: v
            for k, v in rounds[0].items()
            if k in ("speed_ratio_fast_vs_tutorial_final", "time_to_target_ratio", "goal")
        }
    goal_ratios = [r["time_to_target_ratio"] or 0.0 for r in rounds]
    median = round(statistics.median(goal_ratios), 2)
    return {
        "rounds": rounds,
        "speed_ratio_fast_vs_tutorial_final": round(
            statistics.median(r["speed_ratio_fast_vs_tutorial_final"] for r in rounds), 2
        ),
        "time_to_target_ratio": median,
        "time_to_target_ratio_range": [min(goal_ratios), max(goal_ratios)],
        "goal": {"ratio": GOAL_RATIO, "met": median >= GOAL_RATIO, "on": f"median of {len(rounds)} rounds"},
    }


if __name__ == "__main__":
    main()
