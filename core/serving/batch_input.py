"""Batch input: the bytes of an uploaded ``.txt`` or ``.csv`` file in, the reviews to score out.

The Predict page's Batch tab hands over what the user uploaded (or typed); this module
decides whether it can be scored and, if so, which texts are the reviews: one per line
of a text file, or the cells of a CSV file's text column (the likeliest column first).
A file that cannot be scored raises :class:`BatchInputError` with a message that says
what to upload instead. Nothing here imports Streamlit.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pandas as pd

from core.errors import LabError

#: An uploaded batch file larger than this is refused before it is read.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: Reviews scored in one batch; the rest are left out with a notice.
MAX_BATCH_REVIEWS = 5000
#: Column names that most likely hold the review text, best first.
TEXT_COLUMN_HINTS = ("review", "text", "content", "comment", "body", "sentence", "message")
#: Share of a column's non-empty cells that makes it a text column (a majority, not a probability).
MOST_CELLS = 0.5


class BatchInputError(LabError):
    """An uploaded batch file that cannot be scored; the message says what to do."""


@dataclass(frozen=True)
class BatchFile:
    """An uploaded batch file, read: plain lines, or a CSV table and its usable text columns."""

    name: str
    kind: str  # "txt" or "csv"
    lines: list[str]  # txt: the reviews
    frame: pd.DataFrame | None  # csv: the table
    columns: list[str]  # csv: usable text columns, the likeliest first


def quoted(name: str, limit: int = 80) -> str:
    """A user-supplied name (file, CSV column) as a Markdown code span: never read as Markdown.

    Backticks are removed (they would end the span) and long names are shortened.
    """
    name = str(name).replace("`", "'").replace("\n", " ").strip()
    return f"`{name[:limit] + '…' if len(name) > limit else name}`" if name else "`(no name)`"


def lines_to_reviews(text: str) -> list[str]:
    """One review per non-blank line, surrounding whitespace removed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def check_size(name: str, size: int) -> None:
    """Refuse a file over :data:`MAX_UPLOAD_BYTES` (before its bytes are read, when the size is known)."""
    if size > MAX_UPLOAD_BYTES:
        raise BatchInputError(
            f"{quoted(name)} is {size / 1024**2:.1f} MB; files up to "
            f"{MAX_UPLOAD_BYTES // 1024**2} MB are accepted. Split it into smaller files."
        )


def decode_upload(name: str, raw: bytes) -> str:
    """The uploaded bytes as text (UTF-8, a BOM allowed); :class:`BatchInputError` otherwise."""
    check_size(name, len(raw))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BatchInputError(
            f"{quoted(name)} is not a UTF-8 text file (byte {raw[error.start]:#04x} at position "
            f"{error.start:,} is not valid text). Upload plain text (.txt, one review per line) "
            "or a CSV file saved as UTF-8."
        ) from None
    if "\x00" in text:
        raise BatchInputError(
            f"{quoted(name)} looks like a binary file (it contains NUL bytes), not text. "
            "Upload plain text (.txt, one review per line) or a CSV file."
        )
    return text


def read_csv(name: str, text: str) -> pd.DataFrame:
    """A CSV file's cells as strings (nothing converted, empty cells as "")."""
    try:
        dialect = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|")
        separator = dialect.delimiter
    except csv.Error:
        separator = ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False, skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as error:
        raise BatchInputError(
            f"{quoted(name)} could not be read as CSV ({str(error).strip()[:200]}). Check that "
            "it is comma-separated with a header row, or upload a .txt file with one review "
            "per line."
        ) from None
    frame.columns = [str(c) for c in frame.columns]
    return frame


_LETTER = re.compile(r"[^\W\d_]")


def text_columns(frame: pd.DataFrame) -> list[str]:
    """Columns that hold text worth scoring, the likeliest first.

    A column qualifies when most of its non-empty cells contain a letter (ids, ratings
    and dates do not). Columns named like ``review`` or ``text`` come first, then the
    others by their average length (reviews are long).
    """
    usable = []
    for column in frame.columns:
        cells = frame[column].astype(str).str.strip()
        filled = cells[cells != ""]
        if filled.empty:
            continue
        wordy = filled.map(lambda value: bool(_LETTER.search(value))).mean()
        numeric = pd.to_numeric(filled, errors="coerce").notna().mean()
        if wordy >= MOST_CELLS and numeric < MOST_CELLS:
            usable.append((column, float(filled.str.len().mean())))

    def rank(item):
        column, mean_length = item
        lowered = column.strip().lower()
        hint = next((i for i, h in enumerate(TEXT_COLUMN_HINTS) if h in lowered), len(TEXT_COLUMN_HINTS))
        return hint, -mean_length

    return [column for column, _ in sorted(usable, key=rank)]


def parse_upload(name: str, raw: bytes) -> BatchFile:
    """Read an uploaded ``.txt`` (one review per line) or ``.csv`` (a text column).

    Args:
        name: the file's name as uploaded; ``.csv`` (any case) is read as a table,
            anything else as one review per line.
        raw: the file's bytes.

    Returns:
        A :class:`BatchFile`: the lines of a text file, or a CSV file's table and its
        text columns (the likeliest first).

    Raises:
        BatchInputError: the file is too large, not text, empty, or a CSV file with no
            column of text.
    """
    text = decode_upload(name, raw)
    if name.lower().endswith(".csv"):
        frame = read_csv(name, text)
        columns = text_columns(frame)
        if frame.empty:
            raise BatchInputError(f"{quoted(name)} has a header but no rows.")
        if not columns:
            names = ", ".join(quoted(column) for column in frame.columns[:12]) or "none"
            raise BatchInputError(
                f"{quoted(name)} has no column of text (columns: {names}). It needs a column "
                "of reviews, e.g. one named 'review' or 'text'."
            )
        return BatchFile(name, "csv", [], frame, columns)
    lines = lines_to_reviews(text)
    if not lines:
        raise BatchInputError(f"{quoted(name)} is empty: it needs one review per line.")
    return BatchFile(name, "txt", lines, None, [])


def reviews_in_column(frame: pd.DataFrame, column: str) -> list[str]:
    """The non-empty cells of ``column``, in order, whitespace trimmed."""
    cells = frame[column].astype(str).str.strip()
    return cells[cells != ""].tolist()
