"""(to be described: moved from ui.tables)."""

from __future__ import annotations

import pandas as pd


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV (with a BOM, so spreadsheet programs read accents right)."""
    return frame.to_csv(index=False).encode("utf-8-sig")
