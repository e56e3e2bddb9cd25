"""The frames behind the live curves and the epoch table: smoothing, per-batch points, epochs done.

Pure: no Streamlit. A job's history (``core.model.progress``) becomes one row per point.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ui.shared.tables import number_or_nan

#: The curve series :func:`curve_frames` adds to :data:`ui.shared.palette.SERIES`: Keras's training value of each epoch.
EPOCH_AVERAGE = "train, epoch average"


def smooth(values, weight: float) -> np.ndarray:
    """TensorBoard's smoothing: an exponential moving average, debiased so that the first points are not pulled to 0.

    ``weight`` 0 leaves the values as they are; 0.99 smooths hard. The debiased average
    of ``x_1..x_t`` is ``sum(weight**i * x_(t-i)) / sum(weight**i)``, which is pandas'
    ``ewm(adjust=True)``; non-finite values are skipped (TensorBoard passes them through).
    """
    series = pd.Series(np.asarray(values, dtype=np.float64))
    if weight <= 0 or series.empty:
        return series.to_numpy()
    finite = series.where(np.isfinite(series))
    smoothed = finite.ewm(alpha=1.0 - min(float(weight), 0.999), adjust=True, ignore_na=True).mean()
    return smoothed.where(finite.notna(), series).to_numpy()


def curve_frames(
    batch_history,
    epoch_history,
    batches_per_epoch: int,
    metric: str,
    max_points: int = 1500,
    smoothing: float = 0.6,
) -> pd.DataFrame:
    """Long-format curves for one metric (``loss`` or ``accuracy``), x in epochs.

    Series: ``train, per batch`` (raw, thinned to ``max_points``), ``train, smoothed``
    (:func:`smooth` with ``smoothing`` over the whole history, then thinned),
    :data:`EPOCH_AVERAGE` (Keras's training value of each finished epoch: the mean over
    its batches) and ``validation`` (one point per epoch, at the epoch's end). Columns:
    epoch, value, series, and on the batch rows ``raw`` and ``smoothed`` (for the tooltip).
    """
    frames = []
    if batch_history:
        batches = pd.DataFrame(list(batch_history))
        per_epoch = batches_per_epoch or int(batches["batch"].max())
        x = (batches["epoch"] - 1) + batches["batch"] / per_epoch
        values = batches[metric].astype(float).to_numpy()
        both = pd.DataFrame({"epoch": x, "raw": values, "smoothed": smooth(values, smoothing)})
        stride = max(1, math.ceil(len(both) / max_points))
        keep = np.r_[np.arange(0, len(both) - 1, stride), len(both) - 1]  # always keep the newest point
        kept = both.iloc[keep]
        frames += [
            kept.assign(value=kept["raw"], series="train, per batch"),
            kept.assign(value=kept["smoothed"], series="train, smoothed"),
        ]
    # An epoch stopped early (Stop) is validated where training stopped, not at its planned end.
    last_x = float(frames[0]["epoch"].iloc[-1]) if frames else math.inf
    for key, series in ((metric, EPOCH_AVERAGE), (f"val_{metric}", "validation")):
        rows = [row for row in (epoch_history or ()) if key in row]
        if rows:
            frames.append(
                pd.DataFrame(
                    {
                        "epoch": [min(float(r["epoch"]), last_x) for r in rows],
                        "value": [float(r[key]) for r in rows],
                        "series": series,
                    }
                )
            )
    if not frames:
        return pd.DataFrame(
            {"epoch": pd.Series(dtype=float), "value": pd.Series(dtype=float), "series": pd.Series(dtype=str)}
        )
    return pd.concat(frames, ignore_index=True).reindex(columns=["epoch", "value", "series", "raw", "smoothed"])


def epoch_table(epoch_history) -> pd.DataFrame:
    """One row per finished epoch: training loss and accuracy (means over the epoch) and validation's.

    Columns: epoch, training loss, validation loss, training accuracy, validation
    accuracy, and ``best`` (the epoch with the highest validation accuracy, which early
    stopping keeps).
    """
    names = {
        "loss": "training loss",
        "val_loss": "validation loss",
        "accuracy": "training accuracy",
        "val_accuracy": "validation accuracy",
    }
    rows = [
        {"epoch": int(row["epoch"]), **{title: number_or_nan(row.get(key)) for key, title in names.items()}}
        for row in (epoch_history or ())
    ]
    table = pd.DataFrame(rows, columns=["epoch", *names.values()])
    accuracy = table["validation accuracy"]
    table["best"] = accuracy.notna() & (accuracy == accuracy.max()) if len(table) else pd.Series(dtype=bool)
    return table


def epochs_done(batch_history, epoch_history, batches_per_epoch: int | None = None) -> float | None:
    """Epochs trained, with the fraction of an epoch stopped part-way: 0.8, 1.5, 2 (None: no batch at all).

    ``batches_per_epoch`` comes from a job's snapshot; a stored history gives it by a
    finished epoch's last batch. Without either (a run stopped in its first epoch), None.
    """
    finished = len([row for row in (epoch_history or ()) if "epoch" in row])
    if not batch_history:
        return float(finished) if finished else None
    last = batch_history[-1]
    if not batches_per_epoch:
        first = [row["batch"] for row in batch_history if row["epoch"] == 1]
        batches_per_epoch = max(first) if finished and first else None
    if not batches_per_epoch:
        return None
    return max(float(finished), (int(last["epoch"]) - 1) + int(last["batch"]) / batches_per_epoch)
