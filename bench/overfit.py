"""When does the overfitting demo overfit? Seconds until its validation loss turns up.

    python -m bench.overfit [--preset overfit-demo]

Trains the preset once and prints one JSON object: per epoch the training and
validation loss and the seconds since training began, the epoch with the lowest
validation loss, and the seconds until the first epoch whose validation loss is above
that low (the moment a class sees the curves part). The classroom issue asks for
about 2 minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import time

from bench.common import emit, machine
from core import allocator
from core.config import preset
from core.data.dataset import load_dataset
from core.model import progress, training


class _EpochClock(progress.Reporter):
    def __init__(self):
        self.rows, self.t0 = [], time.perf_counter()

    def started(self, epochs, batches_per_epoch, train_samples):
        self.t0 = time.perf_counter()

    def epoch(self, epoch, logs):
        self.rows.append({"epoch": epoch, "seconds": round(time.perf_counter() - self.t0, 1), **logs})


def main() -> None:
    allocator.reexec_with_preload()  # train on tcmalloc where there is one, as the app's jobs do
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="overfit-demo")
    args = parser.parse_args()
    data = load_dataset(allow_download=False)
    config = preset(args.preset).replace(test_limit=2000)
    clock = _EpochClock()
    result = training.train(config, data, clock)
    rows = [{k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()} for row in clock.rows]
    best = min(rows, key=lambda r: r["val_loss"])
    turned = next((r for r in rows if r["epoch"] > best["epoch"] and r["val_loss"] > best["val_loss"]), None)
    emit(
        {
            "benchmark": "overfit",
            "machine": machine(),
            "preset": args.preset,
            "config": config.summary(),
            "epochs": rows,
            "lowest_val_loss_epoch": best["epoch"],
            "val_loss_turns_up_at_epoch": turned and turned["epoch"],
            "seconds_until_it_turns_up": turned and turned["seconds"],
            "train_seconds": round(result.train_seconds, 1),
            "final_train_accuracy": rows[-1]["accuracy"],
            "final_val_accuracy": rows[-1]["val_accuracy"],
        }
    )


if __name__ == "__main__":
    main()
