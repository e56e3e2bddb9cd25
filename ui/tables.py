"""The frames behind the app's tables, downloads and charts: one row per review, run, cell, bin or epoch.

Pure: no Streamlit. Each function takes ``core`` results (an evaluation's frames, a
run's history, :class:`core.runs.store.RunInfo` objects, probabilities) and returns a
``pandas.DataFrame`` (or its CSV bytes); the pages pass them to ``st.dataframe`` and
``st.download_button``, :mod:`ui.charts` draws them. Shaping here keeps a chart at a
few hundred rows and makes each shape testable. Labels and confidences come from
:mod:`core.model.metrics`.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from core.config import CUSTOM
from core.model import metrics

#: The two kinds of length band in :func:`length_bands` (and the colours' legend).
WHOLE_BAND = "whole or partly cut"
TRUNCATED_BAND = "truncated (longer than maxlen)"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV (with a BOM, so spreadsheet programs read accents right)."""
    return frame.to_csv(index=False).encode("utf-8-sig")


def split_counts(summary: dict) -> pd.DataFrame:
    """``core.data.stats.dataset_summary`` as one row per split: counts, positive share, token lengths."""
    return pd.DataFrame(
        [
            {
                "split": name,
                "reviews": counts["total"],
                "positive": counts["pos"],
                "negative": counts["neg"],
                "positive share": counts["pos"] / counts["total"] if counts["total"] else 0.0,
                "median tokens": summary["lengths"][name]["p50"],
                "mean tokens": summary["lengths"][name]["mean"],
                "longest": summary["lengths"][name]["max"],
            }
            for name, counts in summary["counts"].items()
        ]
    )


# ---------------------------------------------------------------- Explore and Train: chart data


def length_histogram(lengths: pd.DataFrame, bin_width: int = 25, clip_at: int | None = None) -> pd.DataFrame:
    """Bin ``core.data.stats.review_lengths`` output: one row per split, label and bin.

    Columns: split, label, start, end (token counts, ``start <= tokens < end``), reviews.
    With ``clip_at``, reviews of ``clip_at`` tokens or more share one last bin starting
    there. Binning here keeps the chart at a few hundred rows instead of 50,000.
    """
    tokens = lengths["tokens"].to_numpy()
    if clip_at is not None:
        tokens = np.minimum(tokens, clip_at)
    binned = (
        lengths.assign(start=(tokens // bin_width) * bin_width)
        .groupby(["split", "label", "start"], as_index=False, observed=True)
        .size()
        .rename(columns={"size": "reviews"})
    )
    binned["end"] = binned["start"] + bin_width
    return binned[["split", "label", "start", "end", "reviews"]]


def _smoothing_window(batches_per_epoch: int) -> int:
    return max(3, min(50, (batches_per_epoch or 0) // 8))


def curve_frames(
    batch_history, epoch_history, batches_per_epoch: int, metric: str, max_points: int = 1500
) -> pd.DataFrame:
    """Long-format curves for one metric (``loss`` or ``accuracy``), x in epochs.

    Series: ``train, per batch`` (raw, thinned to ``max_points``), ``train, smoothed``
    (rolling mean over the whole history, then thinned) and ``validation`` (one point
    per epoch, at the epoch's end). Columns: epoch, value, series.
    """
    frames = []
    if batch_history:
        batches = pd.DataFrame(list(batch_history))
        per_epoch = batches_per_epoch or int(batches["batch"].max())
        x = (batches["epoch"] - 1) + batches["batch"] / per_epoch
        raw = pd.DataFrame({"epoch": x, "value": batches[metric].astype(float)})
        smooth = raw.assign(value=raw["value"].rolling(_smoothing_window(per_epoch), min_periods=1).mean())
        stride = max(1, math.ceil(len(raw) / max_points))
        keep = np.r_[np.arange(0, len(raw) - 1, stride), len(raw) - 1]  # always keep the newest point
        frames += [raw.iloc[keep].assign(series="train, per batch"), smooth.iloc[keep].assign(series="train, smoothed")]
    val_key = f"val_{metric}"
    epochs = [row for row in (epoch_history or ()) if val_key in row]
    if epochs:
        # An epoch stopped early (Stop) is validated where training stopped, not at its planned end.
        last_x = float(frames[0]["epoch"].iloc[-1]) if frames else math.inf
        frames.append(
            pd.DataFrame(
                {
                    "epoch": [min(float(r["epoch"]), last_x) for r in epochs],
                    "value": [float(r[val_key]) for r in epochs],
                    "series": "validation",
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            {"epoch": pd.Series(dtype=float), "value": pd.Series(dtype=float), "series": pd.Series(dtype=str)}
        )
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- Predict


def batch_table(texts: list[str], probabilities) -> pd.DataFrame:
    """One row per review: the review, the probability of positive, the label and the confidence."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    return pd.DataFrame(
        {
            "review": list(texts),
            "probability_positive": probabilities.round(4),
            "label": metrics.label(probabilities),
            "confidence": metrics.confidence(probabilities).round(4),
        }
    )


def top_words(explanation, n: int = 8) -> pd.DataFrame:
    """The words that mattered most: total contribution per distinct word, strongest first.

    Columns: word, contribution (summed over its occurrences), occurrences, pushed towards.
    """
    seen = [(w.word, w.contribution) for w in explanation.words if w.contribution is not None]
    if not seen:
        return pd.DataFrame(
            {
                "word": pd.Series(dtype=str),
                "contribution": pd.Series(dtype=float),
                "occurrences": pd.Series(dtype=int),
                "pushed towards": pd.Series(dtype=str),
            }
        )
    frame = pd.DataFrame(seen, columns=["word", "contribution"])
    grouped = frame.groupby("word", as_index=False).agg(
        contribution=("contribution", "sum"), occurrences=("contribution", "size")
    )
    grouped["pushed towards"] = np.where(grouped["contribution"] >= 0, metrics.POSITIVE, metrics.NEGATIVE)
    order = grouped["contribution"].abs().sort_values(ascending=False, kind="stable").index
    return grouped.loc[order].head(n).reset_index(drop=True)


# ---------------------------------------------------------------- Evaluate: one run


def confusion_long(confusion: pd.DataFrame) -> pd.DataFrame:
    """The 2x2 counts (``Evaluation.confusion()``) as rows: true, predicted, reviews, share of the true row."""
    rows = []
    for true in confusion.index:
        total = int(confusion.loc[true].sum())
        for predicted in confusion.columns:
            count = int(confusion.loc[true, predicted])
            rows.append(
                {
                    "true": str(true),
                    "predicted": str(predicted),
                    "reviews": count,
                    "share": count / total if total else 0.0,
                    "correct": str(true) == str(predicted),
                }
            )
    return pd.DataFrame(rows)


def length_bands(by_length: pd.DataFrame, maxlen: int) -> pd.DataFrame:
    """``Evaluation.accuracy_by_length(maxlen)`` ready to draw: adds ``reads`` for the colour."""
    frame = by_length.copy()
    frame["reads"] = np.where(frame["truncated"], TRUNCATED_BAND, WHOLE_BAND)
    return frame.sort_values("start", kind="stable").reset_index(drop=True)


def thin_curve(points: pd.DataFrame, max_points: int = 500) -> pd.DataFrame:
    """Every k-th point of a long curve, first and last always kept (a 25,000-point ROC draws slowly)."""
    if len(points) <= max_points:
        return points.reset_index(drop=True)
    keep = np.unique(np.r_[np.linspace(0, len(points) - 1, max_points).round().astype(int), len(points) - 1])
    return points.iloc[keep].reset_index(drop=True)


def history_table(history: dict) -> pd.DataFrame:
    """A run's history as one table: per-epoch rows (kind "epoch") then per-batch rows (kind "batch")."""
    epochs = pd.DataFrame(list(history.get("epochs", ())))
    batches = pd.DataFrame(list(history.get("batches", ())))
    parts = []
    if not epochs.empty:
        parts.append(epochs.assign(kind="epoch"))
    if not batches.empty:
        parts.append(batches.assign(kind="batch"))
    if not parts:
        return pd.DataFrame({"kind": pd.Series(dtype=str)})
    table = pd.concat(parts, ignore_index=True)
    first = [c for c in ("kind", "epoch", "batch", "step") if c in table.columns]
    return table[first + [c for c in table.columns if c not in first]]


def history_csv(history: dict) -> bytes:
    """:func:`history_table` as UTF-8 CSV, the Evaluate page's history download."""
    return history_table(history).to_csv(index=False).encode("utf-8")


# ---------------------------------------------------------------- Evaluate: all runs


def history_curves(histories: dict[str, dict]) -> pd.DataFrame:
    """Per-epoch curves of several runs, long format: run, epoch, metric, split, value.

    ``histories`` maps a run id to :meth:`core.runs.store.RunStore.history`. split is
    "training" (``loss``/``accuracy``) or "validation" (``val_loss``/``val_accuracy``).
    """
    rows = []
    for run_id, history in histories.items():
        for epoch in history.get("epochs", ()):
            for metric in ("loss", "accuracy"):
                for split, key in (("training", metric), ("validation", f"val_{metric}")):
                    value = epoch.get(key)
                    if value is not None and math.isfinite(float(value)):
                        rows.append(
                            {
                                "run": run_id,
                                "epoch": int(epoch["epoch"]),
                                "metric": metric,
                                "split": split,
                                "value": float(value),
                            }
                        )
    return pd.DataFrame(rows, columns=["run", "epoch", "metric", "split", "value"])


def runs_table(runs) -> pd.DataFrame:
    """One row per stored run (:class:`core.runs.store.RunInfo`): metrics first, then every config field."""
    rows = []
    for run in runs:
        run_metrics = run.test_metrics or {}
        row = {
            "run": run.run_id,
            "preset": run.preset or CUSTOM,
            "test accuracy": _number(run_metrics.get("accuracy")),
            "test loss": _number(run_metrics.get("loss")),
            "test reviews": run_metrics.get("count"),
            "epochs": run.epochs_trained,
            "best epoch": run.best_epoch,
            "train seconds": round(run.train_seconds, 1),
            "samples/s": round(run.samples_per_second, 1),
            "created": dt.datetime.fromtimestamp(run.created),
            "partial": run.partial,
            "model": run.config.summary(),
        }
        row.update(run.config.to_dict())
        rows.append(row)
    return pd.DataFrame(rows)


def _number(value) -> float:
    return float(value) if value is not None else math.nan
