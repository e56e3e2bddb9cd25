"""Batch input: the bytes of an uploaded ``.txt`` or ``.csv`` file in, the reviews to score out.

The Predict page's Batch tab hands over what the user uploaded (or typed); this module
decides whether it can be scored and, if so, which texts are the reviews: one per line
of a text file, or the cells of a CSV file's text column (the likeliest column first).
Files come as Excel and Notepad save them: UTF-8 with or without a byte-order mark,
UTF-16, or Windows-1252. Every other column of a CSV file is kept, so the scores can be
read next to ``id`` or ``stars``; a column of true labels (``label``, ``sentiment``) or of
star ratings (``stars``, ``rating``) is recognised, so the page can say how often the
model was right. A file that cannot be scored raises :class:`BatchInputError` with a
message that says what to upload instead. Nothing here imports Streamlit.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass

import numpy as np
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
#: Encodings a file without a byte-order mark is tried in, in order: UTF-8, then Windows-1252
#: (what Excel's "CSV" and Notepad's "ANSI" write on Western systems).
FALLBACK_ENCODINGS = ("utf-8", "cp1252")
#: Column names that hold a true label, and the cell values that mean each label.
LABEL_COLUMNS = ("label", "sentiment", "polarity", "class", "target")
LABEL_VALUES = {
    **dict.fromkeys(("1", "pos", "positive", "true", "yes", "good"), 1),
    **dict.fromkeys(("0", "neg", "negative", "false", "no", "bad"), 0),
}
#: Column names that hold a star rating out of 10; IMDB's rule: 7 or more is positive, 4 or less negative.
STARS_COLUMNS = ("stars", "rating", "score")
POSITIVE_FROM_STARS, NEGATIVE_UP_TO_STARS = 7, 4


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
    encoding: str = "utf-8"  # how the bytes were read (see decode_upload)


@dataclass(frozen=True)
class BatchRows:
    """The rows to score: every input column kept, the review texts, and what was left out."""

    frame: pd.DataFrame  # one row per review scored; a CSV file's own columns, or just "review"
    texts: list[str]
    text_column: str
    skipped_empty: int  # rows whose review cell was empty
    truth: pd.Series | None = None  # 1/0 true label per row (NaN: unknown), when a label or stars column exists
    truth_source: str = ""  # the column it came from, and how (for the page)


def quoted(name: str, limit: int = 80) -> str:
    """A user-supplied name (file, CSV column) as a Markdown code span: never read as Markdown.

    Backticks are removed (they would end the span) and long names are shortened.
    """
    name = str(name).replace("`", "'").replace("\n", " ").strip()
    return f"`{name[:limit] + '…' if len(name) > limit else name}`" if name else "`(no name)`"


def lines_to_reviews(text: str) -> list[str]:
    """One review per non-blank line, surrounding whitespace removed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


#: The files the Batch tab reads: one review per line, or a table with a column of reviews.
ACCEPTED_SUFFIXES = (".txt", ".csv")


def check_kind(name: str) -> None:
    """Refuse a file that is neither ``.txt`` nor ``.csv`` by its name (a picture, a spreadsheet), before reading it.

    The uploader takes any file so that this message, not a browser's silent red chip, says what to do.
    """
    if not name.lower().endswith(ACCEPTED_SUFFIXES):
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        kind = f"a .{suffix} file" if suffix and len(suffix) <= 8 and suffix.isalnum() else "not a .txt or .csv file"
        raise BatchInputError(
            f"{quoted(name)} is {kind}. Upload a .txt file (one review per line) or a .csv file (a column of "
            "reviews); from Excel, use File > Save As > CSV."
        )


def check_size(name: str, size: int) -> None:
    """Refuse a file over :data:`MAX_UPLOAD_BYTES` (before its bytes are read, when the size is known)."""
    if size > MAX_UPLOAD_BYTES:
        raise BatchInputError(
            f"{quoted(name)} is {size / 1024**2:.1f} MB; files up to "
            f"{MAX_UPLOAD_BYTES // 1024**2} MB are accepted. Split it into smaller files."
        )


def _utf16_without_bom(raw: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when every other byte is NUL (mostly-ASCII UTF-16 text), else None."""
    if len(raw) < 4 or len(raw) % 2:
        return None
    if raw[1::2].count(0) > 0.9 * len(raw) // 2:
        return "utf-16-le"
    if raw[0::2].count(0) > 0.9 * len(raw) // 2:
        return "utf-16-be"
    return None


def _encodings_to_try(raw: bytes) -> tuple[str, ...]:
    if raw.startswith(codecs.BOM_UTF8):
        return ("utf-8-sig",)
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ("utf-16",)
    utf16 = _utf16_without_bom(raw)
    return (utf16,) if utf16 else FALLBACK_ENCODINGS


def decode_upload(name: str, raw: bytes) -> tuple[str, str]:
    """The uploaded bytes as text, and the encoding that read them; :class:`BatchInputError` otherwise.

    A byte-order mark decides (UTF-8 or UTF-16); without one, UTF-16 is recognised by its
    NUL bytes, then UTF-8 and Windows-1252 are tried in turn.
    """
    check_size(name, len(raw))
    failure = None
    for encoding in _encodings_to_try(raw):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError as error:
            failure = failure or error
    else:
        raise BatchInputError(
            f"{quoted(name)} is not a text file (byte {raw[failure.start]:#04x} at position {failure.start:,} "
            "is not text in UTF-8, UTF-16 or Windows-1252). Upload plain text (.txt, one review per line) "
            "or a CSV file."
        ) from None
    if "\x00" in text:
        raise BatchInputError(
            f"{quoted(name)} looks like a binary file (it contains NUL bytes), not text. "
            "Upload plain text (.txt, one review per line) or a CSV file."
        )
    return text, encoding


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
    text, encoding = decode_upload(name, raw)
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
        return BatchFile(name, "csv", [], frame, columns, encoding)
    lines = lines_to_reviews(text)
    if not lines:
        raise BatchInputError(f"{quoted(name)} is empty: it needs one review per line.")
    return BatchFile(name, "txt", lines, None, [], encoding)


def rows_from_lines(lines: list[str]) -> BatchRows:
    """Typed lines or a .txt file: one row per review, in a single ``review`` column."""
    return BatchRows(pd.DataFrame({"review": lines}), list(lines), "review", 0)


def rows_from_column(frame: pd.DataFrame, column: str) -> BatchRows:
    """A CSV file's rows with a non-empty ``column``, every column kept, and its true labels when it has them."""
    cells = frame[column].astype(str).str.strip()
    keep = cells != ""
    rows = frame.loc[keep].reset_index(drop=True)
    truth, source = truth_of(rows, exclude=column)
    return BatchRows(rows, cells[keep].tolist(), column, int((~keep).sum()), truth, source)


def first_rows(rows: BatchRows, n: int) -> BatchRows:
    """The first ``n`` rows of a batch (the page scores at most :data:`MAX_BATCH_REVIEWS`)."""
    truth = None if rows.truth is None else rows.truth.iloc[:n]
    return BatchRows(
        rows.frame.iloc[:n], rows.texts[:n], rows.text_column, rows.skipped_empty, truth, rows.truth_source
    )


def _named(frame: pd.DataFrame, names: tuple[str, ...], exclude: str) -> str | None:
    return next((c for c in frame.columns if c != exclude and c.strip().lower() in names), None)


def truth_of(frame: pd.DataFrame, exclude: str = "") -> tuple[pd.Series | None, str]:
    """The true label (1/0, NaN unknown) of each row, from a label column or else a stars column.

    Returns the labels and a sentence on where they came from, or ``(None, "")`` when the
    file has neither, or the column's values mean nothing recognisable.
    """
    column = _named(frame, LABEL_COLUMNS, exclude)
    if column is not None:
        labels = frame[column].astype(str).str.strip().str.lower().map(LABEL_VALUES)
        if labels.notna().any():
            return labels.astype(float), f"the true labels in column {quoted(column)}"
    column = _named(frame, STARS_COLUMNS, exclude)
    if column is not None:
        stars = pd.to_numeric(frame[column], errors="coerce")
        labels = pd.Series(
            np.where(stars >= POSITIVE_FROM_STARS, 1.0, np.where(stars <= NEGATIVE_UP_TO_STARS, 0.0, np.nan)),
            index=frame.index,
        )
        labels[stars.isna() | (stars < 1) | (stars > 10)] = np.nan
        if labels.notna().any():
            return labels, (
                f"the stars in column {quoted(column)} ({POSITIVE_FROM_STARS}-10 positive, "
                f"1-{NEGATIVE_UP_TO_STARS} negative, as in IMDB; 5 and 6 left out)"
            )
    return None, ""
