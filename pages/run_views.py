"""Pure helpers for the Predict and Evaluate pages: verdicts, batch input, tables, charts, coloured words.

Like :mod:`pages.views`, nothing here imports Streamlit, Keras or TensorFlow: every
function takes plain values or ``core`` results and returns a string, a DataFrame or an
Altair chart, so each is testable on its own. The numbers come from ``core``
(:mod:`core.serving.explain`, :mod:`core.runs.evaluation`, :mod:`core.runs.store`); these functions only
arrange them.

One rule matters more than the rest: review text is untrusted. It reaches HTML only
through :func:`contributions_html`, which escapes every piece of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import math
import re
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from core.errors import LabError

POSITIVE_COLOR = "#1a9850"   # green: pushed towards "positive"
NEGATIVE_COLOR = "#d73027"   # red: pushed towards "negative"
CUT_COLOR = "#9e9e9e"        # grey: cut off by truncation, never seen

#: Reviews written for the page: plain cases, the negations an LSTM must read in order, a mixed one.
EXAMPLE_REVIEWS = {
    "Positive": "One of the best films I have seen this year. The acting is superb, the story is moving and "
                "the ending left the whole audience in tears. A wonderful, beautifully shot movie: see it!",
    "Negative": "A complete waste of time. The plot makes no sense, the dialogue is awful and the acting is "
                "wooden. I was bored from start to finish and nearly walked out. Avoid this mess.",
    "Not bad": "I expected a disaster, but honestly it was not bad at all. Not boring either: the jokes "
               "mostly land and the cast never lets it drag.",
    "Not good": "The trailer looked great, but the film is not good. The story is not interesting, the "
                "characters are not funny and the pacing is not great either.",
    "Mixed": "The first hour is brilliant: sharp writing, a terrific lead performance and gorgeous music. "
             "Then it falls apart. The last act is a dull, predictable mess with a ridiculous twist, and "
             "I left more annoyed than entertained.",
}

#: An uploaded batch file larger than this is refused before it is read.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: Reviews scored in one batch; the rest are left out with a notice.
MAX_BATCH_REVIEWS = 5000
#: Column names that most likely hold the review text, best first.
TEXT_COLUMN_HINTS = ("review", "text", "content", "comment", "body", "sentence", "message")


class BatchInputError(LabError):
    """An uploaded batch file that cannot be scored; the message says what to do."""


# ---------------------------------------------------------------- Predict: the verdict


@dataclass(frozen=True)
class Verdict:
    probability: float   # of "positive"
    label: str           # "positive" or "negative" (threshold 0.5, as in the test metrics)
    confidence: float    # 0 at p = 0.5, 1 at p = 0 or 1

    @property
    def strength(self) -> str:
        if self.confidence >= 0.8:
            return "very confident"
        if self.confidence >= 0.4:
            return "fairly confident"
        return "unsure"

    @property
    def color(self) -> str:
        return POSITIVE_COLOR if self.label == "positive" else NEGATIVE_COLOR


def verdict(probability: float) -> Verdict:
    probability = float(probability)
    return Verdict(probability, "positive" if probability >= 0.5 else "negative", abs(probability - 0.5) * 2)


def probability_chart(probabilities: dict[str, float], height_per_row: int = 36) -> alt.Chart:
    """A bar per run from 0.5 (undecided) to its probability: left red (negative), right green.

    ``probabilities`` maps a row name (a run id) to the probability of positive.
    """
    rows = pd.DataFrame({"run": list(probabilities), "probability": [float(p) for p in probabilities.values()]})
    rows["middle"] = 0.5
    rows["label"] = np.where(rows["probability"] >= 0.5, "positive", "negative")
    rows["text"] = rows["probability"].map(lambda p: f"{p:.3f}")
    scale = alt.Scale(domain=[0, 1], nice=False)
    y = alt.Y("run:N", title=None, sort=None, scale=alt.Scale(paddingInner=0.35, paddingOuter=0.2),
              axis=alt.Axis(labelLimit=260, labelFontSize=12) if len(rows) > 1 else None)
    track = alt.Chart(rows).mark_bar(color="#eef0f3", cornerRadius=3).encode(
        x=alt.X("zero:Q", scale=scale), x2=alt.X2("one:Q"), y=y).transform_calculate(zero="0", one="1")
    bar = alt.Chart(rows).mark_bar(cornerRadius=3).encode(
        x=alt.X("middle:Q", scale=scale, title="probability of positive (0.5: undecided)",
                axis=alt.Axis(values=[0, 0.25, 0.5, 0.75, 1], format=".2f")),
        x2=alt.X2("probability:Q"), y=y,
        color=alt.Color("label:N", legend=None,
                        scale=alt.Scale(domain=["negative", "positive"], range=[NEGATIVE_COLOR, POSITIVE_COLOR])),
        tooltip=[alt.Tooltip("run:N"), alt.Tooltip("probability:Q", format=".3f"), alt.Tooltip("label:N")])
    middle = alt.Chart(pd.DataFrame({"middle": [0.5]})).mark_rule(color="#555", strokeDash=[3, 3]).encode(
        x=alt.X("middle:Q"))
    # The number sits beyond the bar's end: right of a green bar, left of a red one.
    right = alt.Chart(rows).mark_text(dx=6, align="left", fontWeight="bold").encode(
        x=alt.X("probability:Q", scale=scale), y=y, text=alt.Text("text:N"),
    ).transform_filter(alt.datum.label == "positive")
    left = alt.Chart(rows).mark_text(dx=-6, align="right", fontWeight="bold").encode(
        x=alt.X("probability:Q", scale=scale), y=y, text=alt.Text("text:N"),
    ).transform_filter(alt.datum.label == "negative")
    # Vega's "fit" counts the x axis in the height: leave it room beside the rows.
    return alt.layer(track, bar, middle, right, left).properties(height=84 + height_per_row * len(rows))


# ---------------------------------------------------------------- Predict: why (coloured words)


_WHY_CSS = """
<style>
.lab-why { font-size: 1rem; line-height: 1.9; white-space: pre-wrap; overflow-wrap: anywhere;
  max-height: 420px; overflow-y: auto; padding: 10px 12px; border: 1px solid #e3e6ea; border-radius: 8px;
  background: #ffffff; }
.lab-why .w { border-radius: 3px; padding: 1px 1px; }
.lab-why .w.cut { color: #9e9e9e; }
.lab-why .w.oov { text-decoration: underline wavy #7b4fa0; text-decoration-thickness: 1px;
  text-underline-offset: 3px; }
.lab-why .gap { color: #6b7280; font-style: italic; background: #f3f4f6; border-radius: 3px; padding: 0 4px; }
.lab-why-legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 0.8rem; color: #4b5563;
  margin: 2px 0 6px 0; }
.lab-why-legend span.key { padding: 0 5px; border-radius: 3px; }
</style>
"""


#: Below this, no word really moves the prediction (the colour scale's floor, too).
WEAK_CONTRIBUTION = 0.02


def strongest_contribution(words) -> float:
    """The largest |contribution| of any word the model saw (0 when there is none)."""
    return max([0.0, *(abs(w.contribution) for w in words
                       if w.contribution is not None and math.isfinite(w.contribution))])


def contribution_scale(words) -> float:
    """The |contribution| that gets the strongest colour: the largest one, at least :data:`WEAK_CONTRIBUTION`.

    The floor keeps a review whose words all barely matter from looking vivid.
    """
    return max(WEAK_CONTRIBUTION, strongest_contribution(words))


def _background(contribution: float, scale: float) -> str:
    """An rgba() background, green for positive, red for negative, opacity by strength."""
    strength = min(1.0, abs(contribution) / scale)
    if strength < 0.04:
        return "transparent"
    rgb = (26, 152, 80) if contribution > 0 else (215, 48, 39)
    return f"rgba({rgb[0]}, {rgb[1]}, {rgb[2]}, {0.12 + 0.6 * strength:.2f})"


def _elided_runs(words, keep: int) -> dict[int, int]:
    """Runs of truncated words longer than ``2 * keep + 1``: {first hidden index: last hidden index}.

    A 100,000-character review would otherwise become megabytes of grey spans.
    """
    runs, i = {}, 0
    while i < len(words):
        if not words[i].truncated:
            i += 1
            continue
        j = i
        while j + 1 < len(words) and words[j + 1].truncated:
            j += 1
        if j - i + 1 > 2 * keep + 1:
            runs[i + keep] = j - keep
        i = j + 1
    return runs


def _word_title(word) -> str:
    if word.truncated:
        return "cut off by truncation: the model never saw this word"
    parts = []
    if word.contribution is not None:
        towards = "positive" if word.contribution >= 0 else "negative"
        parts.append(f"{word.contribution:+.3f}: pushed towards {towards}")
    if word.oov:
        parts.append("out of the vocabulary: the model sees only the OOV id")
    return "; ".join(parts)


def contributions_html(explanation, *, keep_cut: int = 25, legend: bool = True) -> str:
    """The review as HTML, each word coloured by its contribution (see :mod:`core.serving.explain`).

    Green words pushed the prediction towards positive, red ones towards negative (the
    stronger, the deeper the colour); grey words were cut off by truncation; a wavy
    underline marks words out of the vocabulary. The characters between words (spaces,
    punctuation, line breaks) are kept, so the review reads as typed. Long runs of cut
    words are shortened to their first and last ``keep_cut`` words.

    SAFETY: review text is untrusted. Every piece of it (each word and each stretch
    between words) goes through ``html.escape`` here, and every attribute value is
    either built from numbers or escaped with ``quote=True``. This is the only function
    that builds HTML from review text; render its result with ``st.html``.
    """
    text, words = explanation.text, explanation.words
    scale = contribution_scale(words)
    elided = _elided_runs(words, keep_cut)
    out, position, i = [], 0, 0
    while i < len(words):
        word = words[i]
        out.append(html.escape(text[position:word.start]))
        if i in elided:
            last = elided[i]
            hidden = last - i + 1
            out.append(f'<span class="gap" title="not shown: cut off by truncation">… {hidden:,} more words '
                       f'cut off by truncation …</span>')
            position, i = words[last].end, last + 1
            continue
        classes = ["w"]
        style = ""
        if word.truncated:
            classes.append("cut")
        elif word.contribution is not None and math.isfinite(word.contribution):
            style = f' style="background: {_background(word.contribution, scale)}"'
        if word.oov:
            classes.append("oov")
        out.append(f'<span class="{" ".join(classes)}"{style} title="{html.escape(_word_title(word), quote=True)}">'
                   f"{html.escape(text[word.start:word.end])}</span>")
        position, i = word.end, i + 1
    out.append(html.escape(text[position:]))
    if explanation.clipped_chars:
        gap = f'<span class="gap">… {int(explanation.clipped_chars):,} more characters not read …</span>'
        out = [gap, *out] if explanation.clipped_at_start else [*out, gap]
    body = "".join(out) or '<span class="gap">(no words)</span>'
    return _WHY_CSS + (legend_html() if legend else "") + f'<div class="lab-why">{body}</div>'


def legend_html() -> str:
    """The colour key above the coloured review (fixed text, no user data)."""
    keys = [
        ("background: rgba(26, 152, 80, 0.55)", "pushed towards positive"),
        ("background: rgba(215, 48, 39, 0.55)", "pushed towards negative"),
        (f"color: {CUT_COLOR}", "cut off by truncation (never seen)"),
        ("text-decoration: underline wavy #7b4fa0", "out of the vocabulary"),
    ]
    items = "".join(f'<span><span class="key" style="{style}">word</span> {what}</span>' for style, what in keys)
    return f'<div class="lab-why-legend">{items}</div>'


def top_words(explanation, n: int = 8) -> pd.DataFrame:
    """The words that mattered most: total contribution per distinct word, strongest first.

    Columns: word, contribution (summed over its occurrences), occurrences, pushed towards.
    """
    seen = [(w.word, w.contribution) for w in explanation.words if w.contribution is not None]
    if not seen:
        return pd.DataFrame({"word": pd.Series(dtype=str), "contribution": pd.Series(dtype=float),
                             "occurrences": pd.Series(dtype=int), "pushed towards": pd.Series(dtype=str)})
    frame = pd.DataFrame(seen, columns=["word", "contribution"])
    grouped = frame.groupby("word", as_index=False).agg(contribution=("contribution", "sum"),
                                                        occurrences=("contribution", "size"))
    grouped["pushed towards"] = np.where(grouped["contribution"] >= 0, "positive", "negative")
    order = grouped["contribution"].abs().sort_values(ascending=False, kind="stable").index
    return grouped.loc[order].head(n).reset_index(drop=True)


@dataclass(frozen=True)
class InputSummary:
    words: int            # words found in the (clipped) text
    seen: int             # words the model read
    cut: int              # words cut off by truncation
    oov_words: list[str]  # distinct out-of-vocabulary words, in order of appearance
    oov_count: int        # OOV occurrences among all words
    clipped_chars: int    # characters beyond core.serving.predictor.MAX_TEXT_CHARS


def input_summary(explanation) -> InputSummary:
    words = explanation.words
    oov = [w.word for w in words if w.oov]
    return InputSummary(words=len(words), seen=sum(not w.truncated for w in words),
                        cut=sum(w.truncated for w in words), oov_words=list(dict.fromkeys(oov)),
                        oov_count=len(oov), clipped_chars=int(explanation.clipped_chars))


def code_list(words: list[str], limit: int = 30) -> str:
    """Words as Markdown code spans (``a``, ``b``, … and N more); backticks removed.

    Tokens are letters, digits and apostrophes only, so this is belt and braces: inside a
    code span nothing is interpreted as Markdown.
    """
    shown = [f"`{w.replace('`', '')}`" for w in words[:limit]]
    more = len(words) - limit
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def truncation_sentence(summary: InputSummary, maxlen: int, truncating: str) -> str | None:
    """Why some words are grey, or None when the model read them all."""
    if not summary.cut:
        return None
    kept = "last" if truncating == "pre" else "first"
    return (f"This run reads at most {maxlen} tokens (its start marker included), so it kept the {kept} "
            f"{summary.seen:,} of your {summary.words:,} words; the {summary.cut:,} "
            f"{'earlier' if truncating == 'pre' else 'later'} ones (grey) were cut off and never seen.")


# ---------------------------------------------------------------- Predict: batch input


def lines_to_reviews(text: str) -> list[str]:
    """One review per non-blank line, surrounding whitespace removed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def quoted(name: str, limit: int = 80) -> str:
    """A user-supplied name (file, CSV column) as a Markdown code span: never read as Markdown.

    Backticks are removed (they would end the span) and long names are shortened.
    """
    name = str(name).replace("`", "'").replace("\n", " ").strip()
    return f"`{name[:limit] + '…' if len(name) > limit else name}`" if name else "`(no name)`"


def decode_upload(name: str, raw: bytes) -> str:
    """The uploaded bytes as text (UTF-8, a BOM allowed); :class:`BatchInputError` otherwise."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise BatchInputError(f"{quoted(name)} is {len(raw) / 1024**2:.1f} MB; files up to "
                              f"{MAX_UPLOAD_BYTES // 1024**2} MB are accepted. Split it into smaller files.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BatchInputError(f"{quoted(name)} is not a UTF-8 text file (byte {raw[error.start]:#04x} at position "
                              f"{error.start:,} is not valid text). Upload plain text (.txt, one review per line) "
                              "or a CSV file saved as UTF-8.") from None
    if "\x00" in text:
        raise BatchInputError(f"{quoted(name)} looks like a binary file (it contains NUL bytes), not text. "
                              "Upload plain text (.txt, one review per line) or a CSV file.")
    return text


def read_csv(name: str, text: str) -> pd.DataFrame:
    """A CSV file's cells as strings (nothing converted, empty cells as "")."""
    try:
        dialect = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|")
        separator = dialect.delimiter
    except csv.Error:
        separator = ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False,
                            skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as error:
        raise BatchInputError(f"{quoted(name)} could not be read as CSV ({str(error).strip()[:200]}). Check that "
                              "it is comma-separated with a header row, or upload a .txt file with one review "
                              "per line.") from None
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
        if wordy >= 0.5 and numeric < 0.5:
            usable.append((column, float(filled.str.len().mean())))

    def rank(item):
        column, mean_length = item
        lowered = column.strip().lower()
        hint = next((i for i, h in enumerate(TEXT_COLUMN_HINTS) if h in lowered), len(TEXT_COLUMN_HINTS))
        return hint, -mean_length

    return [column for column, _ in sorted(usable, key=rank)]


@dataclass(frozen=True)
class BatchFile:
    """An uploaded batch file, read: plain lines, or a CSV table and its usable text columns."""

    name: str
    kind: str                     # "txt" or "csv"
    lines: list[str]              # txt: the reviews
    frame: pd.DataFrame | None    # csv: the table
    columns: list[str]            # csv: usable text columns, the likeliest first


def parse_upload(name: str, raw: bytes) -> BatchFile:
    """Read an uploaded ``.txt`` (one review per line) or ``.csv`` (a text column).

    Raises :class:`BatchInputError` for files that are too large, not text, empty, or
    CSV files with no column of text.
    """
    text = decode_upload(name, raw)
    if name.lower().endswith(".csv"):
        frame = read_csv(name, text)
        columns = text_columns(frame)
        if frame.empty:
            raise BatchInputError(f"{quoted(name)} has a header but no rows.")
        if not columns:
            names = ", ".join(quoted(column) for column in frame.columns[:12]) or "none"
            raise BatchInputError(f"{quoted(name)} has no column of text (columns: {names}). It needs a column "
                                  "of reviews, e.g. one named 'review' or 'text'.")
        return BatchFile(name, "csv", [], frame, columns)
    lines = lines_to_reviews(text)
    if not lines:
        raise BatchInputError(f"{quoted(name)} is empty: it needs one review per line.")
    return BatchFile(name, "txt", lines, None, [])


def reviews_in_column(frame: pd.DataFrame, column: str) -> list[str]:
    """The non-empty cells of ``column``, in order, whitespace trimmed."""
    cells = frame[column].astype(str).str.strip()
    return cells[cells != ""].tolist()


def batch_table(texts: list[str], probabilities) -> pd.DataFrame:
    """One row per review: the review, the probability of positive, the label and the confidence."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    return pd.DataFrame({
        "review": list(texts),
        "probability_positive": probabilities.round(4),
        "label": np.where(probabilities >= 0.5, "positive", "negative"),
        "confidence": (np.abs(probabilities - 0.5) * 2).round(4),
    })


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV (with a BOM, so spreadsheet programs read accents right)."""
    return frame.to_csv(index=False).encode("utf-8-sig")


# ---------------------------------------------------------------- Evaluate: one run


def confusion_long(confusion: pd.DataFrame) -> pd.DataFrame:
    """The 2x2 counts (``Evaluation.confusion()``) as rows: true, predicted, reviews, share of the true row."""
    rows = []
    for true in confusion.index:
        total = int(confusion.loc[true].sum())
        for predicted in confusion.columns:
            count = int(confusion.loc[true, predicted])
            rows.append({"true": str(true), "predicted": str(predicted), "reviews": count,
                         "share": count / total if total else 0.0, "correct": str(true) == str(predicted)})
    return pd.DataFrame(rows)


def confusion_chart(confusion: pd.DataFrame) -> alt.Chart:
    """A heatmap of the confusion matrix with each cell's count (and share of its row) written in it."""
    rows = confusion_long(confusion)
    rows["text"] = [f"{r.reviews:,} ({r.share:.0%})" for r in rows.itertuples()]
    order = ["negative", "positive"]
    base = alt.Chart(rows).encode(
        x=alt.X("predicted:N", sort=order, title="predicted label", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("true:N", sort=order, title="true label"))
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("reviews:Q", scale=alt.Scale(scheme="blues"), legend=None),
        tooltip=[alt.Tooltip("true:N"), alt.Tooltip("predicted:N"), alt.Tooltip("reviews:Q"),
                 alt.Tooltip("share:Q", format=".1%", title="share of row")])
    high = float(rows["reviews"].max()) if len(rows) else 0.0
    labels = base.mark_text(fontSize=16, fontWeight="bold").encode(
        text=alt.Text("text:N"),
        color=alt.condition(alt.datum.reviews > high * 0.55, alt.value("white"), alt.value("#1f2937")))
    return alt.layer(cells, labels).properties(height=300, title="Confusion matrix (test reviews)")


def thin_curve(points: pd.DataFrame, max_points: int = 500) -> pd.DataFrame:
    """Every k-th point of a long curve, first and last always kept (a 25,000-point ROC draws slowly)."""
    if len(points) <= max_points:
        return points.reset_index(drop=True)
    keep = np.unique(np.r_[np.linspace(0, len(points) - 1, max_points).round().astype(int), len(points) - 1])
    return points.iloc[keep].reset_index(drop=True)


def roc_chart(roc: pd.DataFrame, auc: float) -> alt.Chart:
    """The ROC curve, the chance diagonal dashed, the AUC in the title."""
    curve = thin_curve(roc)
    line = alt.Chart(curve).mark_line(color="#2e86ab", strokeWidth=2.5, interpolate="step-after").encode(
        # Short axis titles: Vega's "fit" shrinks the plot until a y title longer than the plot fits.
        x=alt.X("false_positive_rate:Q", title="false positive rate", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("true_positive_rate:Q", title="true positive rate", scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("false_positive_rate:Q", format=".3f"),
                 alt.Tooltip("true_positive_rate:Q", format=".3f")])
    chance = pd.DataFrame({"false_positive_rate": [0.0, 1.0], "true_positive_rate": [0.0, 1.0]})
    diagonal = alt.Chart(chance).mark_line(color="#888", strokeDash=[5, 4]).encode(
        x=alt.X("false_positive_rate:Q"), y=alt.Y("true_positive_rate:Q"))
    return alt.layer(line, diagonal).properties(height=300, title=f"ROC curve (AUC {auc:.3f})")


def length_bands(by_length: pd.DataFrame, maxlen: int) -> pd.DataFrame:
    """``Evaluation.accuracy_by_length(maxlen)`` ready to draw: adds ``reads`` for the colour."""
    frame = by_length.copy()
    frame["reads"] = np.where(frame["truncated"], "truncated (longer than maxlen)", "whole or partly cut")
    return frame.sort_values("start", kind="stable").reset_index(drop=True)


def length_chart(by_length: pd.DataFrame, maxlen: int, overall: float | None = None) -> alt.Chart:
    """Accuracy per length band, bands beyond ``maxlen`` in orange, review counts on the bars."""
    frame = length_bands(by_length, maxlen)
    frame["text"] = [f"{n:,}" for n in frame["reviews"]]
    order = frame["band"].tolist()
    colors = alt.Scale(domain=["whole or partly cut", "truncated (longer than maxlen)"],
                       range=["#2e86ab", "#f28e2b"])
    base = alt.Chart(frame).encode(x=alt.X("band:N", sort=order, title="review length (tokens)",
                                           axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar().encode(
        y=alt.Y("accuracy:Q", scale=alt.Scale(domain=[0, 1]), title="accuracy", axis=alt.Axis(format=".0%")),
        color=alt.Color("reads:N", scale=colors, title=None, legend=alt.Legend(orient="top", labelLimit=300)),
        tooltip=[alt.Tooltip("band:N", title="tokens"), alt.Tooltip("accuracy:Q", format=".1%"),
                 alt.Tooltip("reviews:Q"), alt.Tooltip("reads:N")])
    counts = base.mark_text(dy=-7, fontSize=11, color="#374151").encode(
        y=alt.Y("accuracy:Q"), text=alt.Text("text:N"))
    layers = [bars, counts]
    notes = ["numbers on the bars: reviews"]
    if overall is not None and math.isfinite(overall):
        rule = pd.DataFrame({"accuracy": [overall]})
        layers.append(alt.Chart(rule).mark_rule(color="#374151", strokeDash=[4, 3]).encode(y=alt.Y("accuracy:Q")))
        notes.append(f"dashed line: all reviews ({overall:.1%})")
    title = alt.TitleParams(f"Accuracy by review length (maxlen {maxlen})", subtitle=" · ".join(notes),
                            anchor="start")
    return alt.layer(*layers).properties(height=320, title=title)


def length_sentence(by_length: pd.DataFrame, maxlen: int) -> str:
    """Are long, truncated reviews harder? One sentence with the two accuracies."""
    frame = length_bands(by_length, maxlen)
    cut = frame[frame["truncated"]]
    whole = frame[~frame["truncated"]]
    if cut.empty or cut["reviews"].sum() == 0:
        return (f"No test review here is longer than this run's maxlen ({maxlen} tokens): nothing was "
                "truncated away.")
    cut_acc = float(np.average(cut["accuracy"], weights=cut["reviews"]))
    whole_acc = float(np.average(whole["accuracy"], weights=whole["reviews"])) if whole["reviews"].sum() else math.nan
    n_cut = int(cut["reviews"].sum())
    verdict_text = ("harder" if cut_acc < whole_acc - 0.02 else "easier" if cut_acc > whole_acc + 0.02
                    else "about as hard")
    return (f"Reviews longer than maxlen ({maxlen} tokens; {n_cut:,} here) lose their beginning: the model "
            f"got {cut_acc:.1%} of them right against {whole_acc:.1%} for the others, so they are "
            f"{verdict_text} for this run.")


def review_for_display(text: str) -> str:
    """A review as plain text for ``st.text``: IMDB's ``<br />`` tags become line breaks."""
    return re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)


def mistake_title(row) -> str:
    """The expander label of one confident mistake (numbers only, no review text)."""
    true = "positive" if int(row["label"]) == 1 else "negative"
    predicted = "positive" if float(row["probability"]) >= 0.5 else "negative"
    return (f"True {true}, predicted {predicted} (p = {float(row['probability']):.3f}) · "
            f"{int(row['tokens']):,} tokens · review {int(row['review_id'])}")


# ---------------------------------------------------------------- Evaluate: all runs


def runs_table(runs) -> pd.DataFrame:
    """One row per stored run (:class:`core.runs.store.RunInfo`): metrics first, then every config field."""
    rows = []
    for run in runs:
        metrics = run.test_metrics or {}
        row = {
            "run": run.run_id, "preset": run.preset or "custom",
            "test accuracy": _number(metrics.get("accuracy")), "test loss": _number(metrics.get("loss")),
            "test reviews": metrics.get("count"), "epochs": run.epochs_trained, "best epoch": run.best_epoch,
            "train seconds": round(run.train_seconds, 1), "samples/s": round(run.samples_per_second, 1),
            "created": dt.datetime.fromtimestamp(run.created), "partial": run.partial,
            "model": run.config.summary(),
        }
        row.update(run.config.to_dict())
        rows.append(row)
    return pd.DataFrame(rows)


def _number(value) -> float:
    return float(value) if value is not None else math.nan


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
                        rows.append({"run": run_id, "epoch": int(epoch["epoch"]), "metric": metric,
                                     "split": split, "value": float(value)})
    return pd.DataFrame(rows, columns=["run", "epoch", "metric", "split", "value"])


def curves_chart(curves: pd.DataFrame, metric: str) -> alt.Chart:
    """One colour per run; training solid, validation dashed; a point per epoch."""
    frame = curves[curves["metric"] == metric]
    return alt.Chart(frame).mark_line(point=alt.OverlayMarkDef(size=45, filled=True), strokeWidth=2.2).encode(
        x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("value:Q", title=metric, scale=alt.Scale(zero=False)),
        # The legend beside the plot: below it, each run's row would take the plot's height.
        color=alt.Color("run:N", title="run", scale=alt.Scale(scheme="tableau10"),
                        legend=alt.Legend(orient="right", labelLimit=220)),
        strokeDash=alt.StrokeDash("split:N", title=None, sort=["training", "validation"],
                                  scale=alt.Scale(domain=["training", "validation"], range=[[1, 0], [6, 4]]),
                                  legend=None),  # the title says which is which
        detail=alt.Detail("split:N"),
        tooltip=[alt.Tooltip("run:N"), alt.Tooltip("split:N"), alt.Tooltip("epoch:Q"),
                 alt.Tooltip("value:Q", format=".4f")],
    ).properties(height=320, title=f"{metric.capitalize()} per epoch: training (solid) vs validation (dashed)")


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
    return history_table(history).to_csv(index=False).encode("utf-8")
