"""The Explore page's frames: how many reviews each split holds, and the length histogram's bins.

Pure: no Streamlit. The bins are shaped here so a chart stays at a few hundred rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The two kinds of length band in :func:`length_bands` (and the colours' legend).
WHOLE_BAND = "whole or partly cut"


TRUNCATED_BAND = "truncated (longer than maxlen)"


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
