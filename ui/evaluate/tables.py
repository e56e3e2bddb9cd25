"""The frames behind the Evaluate charts: the confusion matrix in long form, length bands, thinned curves.

Pure: no Streamlit. Thinning keeps a curve at a few hundred points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ui.explore.tables import TRUNCATED_BAND, WHOLE_BAND


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
