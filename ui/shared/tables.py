"""Table helpers every page uses: a frame as CSV bytes for a download, a cell that may be missing.

Pure: no Streamlit.
"""

from __future__ import annotations

import math

import pandas as pd

#: A text cell starting with one of these is a formula to a spreadsheet program (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV (with a BOM, so spreadsheet programs read accents right).

    A review or nickname is someone's text: a text cell that a spreadsheet would run as a
    formula (``=HYPERLINK(...)``) is written with a leading ``'``, as OWASP advises;
    numbers are left as they are.
    """
    safe = frame.copy()
    for column in safe.select_dtypes(include=["object", "string"]).columns:
        safe[column] = safe[column].map(
            lambda cell: f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell
        )
    return safe.to_csv(index=False).encode("utf-8-sig")


def number_or_nan(value) -> float:
    """A table cell: the number, or NaN for a value never recorded (pandas shows it blank)."""
    return float(value) if value is not None else math.nan
