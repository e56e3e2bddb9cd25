"""Table helpers every page uses: a frame as CSV bytes for a download, a cell that may be missing.

Pure: no Streamlit.
"""

from __future__ import annotations

import math

import pandas as pd


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV (with a BOM, so spreadsheet programs read accents right)."""
    return frame.to_csv(index=False).encode("utf-8-sig")


def number_or_nan(value) -> float:
    """A table cell: the number, or NaN for a value never recorded (pandas shows it blank)."""
    return float(value) if value is not None else math.nan
