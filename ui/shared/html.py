"""The only HTML built from review text: the token chips (Explore) and the coloured words (Predict).

Review text is untrusted. Every piece of it that reaches a string here goes through
``html.escape``, every attribute value is built from numbers or escaped with
``quote=True``, and nothing else in the strings comes from user data. Render the
results with ``st.html`` and nothing else. The classes used here are styled by
``assets/style.css`` (loaded once per page run); the colours of the contributions come
from :mod:`ui.shared.palette`. Pure: no Streamlit.
"""

from __future__ import annotations

import html
import math

from core.encoding.model_input import EncodedReview
from core.model.metrics import label_name
from ui.shared import palette

#: The change in log-odds that gets the full colour: the same for every review, so a
#: word that moves the verdict a little looks pale and one that moves it a lot looks deep.
#: (+2 turns p = 0.50 into 0.88, or 0.88 into 0.98.)
FULL_COLOUR = 2.0
#: Below this change in log-odds a word does not really move the prediction.
WEAK_CONTRIBUTION = 0.1
#: The values the legend shows on its colour scale.
LEGEND_STEPS = (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0)

# ---------------------------------------------------------------- Explore: what the model sees


def tokens_html(review: EncodedReview, padding_side: str = "pre") -> str:
    """HTML for the token view: one chip per token, with its id underneath.

    SAFETY: each token goes through ``html.escape``; ids are ints, classes and counts
    are ours.
    """
    chips = []
    for token in review.tokens:
        classes = " ".join(c for c, on in (("oov", token.oov), ("start", token.start), ("cut", token.cut)) if on)
        title = "cut off by truncation" if token.cut else ("out of vocabulary" if token.oov else "kept")
        chips.append(
            f'<span class="lab-tok {classes}" title="{title}">{html.escape(token.token)}'
            f'<span class="id">{int(token.id)}</span></span>'
        )
    if review.padding:
        pad = f'<span class="lab-pad">{int(review.padding)} × padding id 0</span>'
        chips = [pad, *chips] if padding_side == "pre" else [*chips, pad]
    return '<div class="lab-tokens">' + "".join(chips) + "</div>"


# ---------------------------------------------------------------- Predict: why (coloured words)


def strongest_contribution(words) -> float:
    """The largest |contribution| of any word the model saw (0 when there is none)."""
    return max(
        [0.0, *(abs(w.contribution) for w in words if w.contribution is not None and math.isfinite(w.contribution))]
    )


def _shade(color: str, opacity: float) -> str:
    red, green, blue = palette.rgb(color)
    return f"rgba({red}, {green}, {blue}, {opacity:.2f})"


def _background(contribution: float) -> str:
    """An rgba() background in the positive or negative colour, opacity by strength on the fixed scale."""
    strength = min(1.0, abs(contribution) / FULL_COLOUR)
    if strength < 0.04:
        return "transparent"
    return _shade(palette.POSITIVE if contribution > 0 else palette.NEGATIVE, 0.12 + 0.6 * strength)


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
        towards = label_name(word.contribution >= 0)
        parts.append(f"{word.contribution:+.2f} log-odds: pushed towards {towards}")
    if word.oov:
        parts.append("out of the vocabulary: the model sees only the OOV id")
    return "; ".join(parts)


def _scored(word) -> bool:
    return not word.truncated and word.contribution is not None and math.isfinite(word.contribution)


def _word_span(text: str, word, values: bool) -> str:
    classes = ["w"]
    style = value = ""
    if word.truncated:
        classes.append("cut")
    elif _scored(word):
        style = f' style="background: {_background(word.contribution)}"'
        if values:
            value = f'<span class="v">{word.contribution:+.2f}</span>'
    if word.oov:
        classes.append("oov")
    return (
        f'<span class="{" ".join(classes)}"{style} title="{html.escape(_word_title(word), quote=True)}">'
        f"{html.escape(text[word.start : word.end])}{value}</span>"
    )


def contributions_html(explanation, *, keep_cut: int = 25, legend: bool = True, values: bool = False) -> str:
    """The review as HTML, each word coloured by its contribution (see :mod:`core.serving.explain`).

    Words in the positive colour pushed the prediction towards positive, those in the
    negative colour towards negative, on one fixed scale of log-odds (:data:`FULL_COLOUR`
    is full strength); with ``values`` each word's number is printed under it (for
    projectors and touch screens, where there is no hover); grey words were cut off by truncation; a wavy
    underline marks words out of the vocabulary. The characters between words (spaces,
    punctuation, line breaks) are kept, so the review reads as typed. Long runs of cut
    words are shortened to their first and last ``keep_cut`` words.

    SAFETY: each word and each stretch between words goes through ``html.escape``;
    every attribute value is built from numbers or escaped with ``quote=True``.
    """
    text, words = explanation.text, explanation.words
    elided = _elided_runs(words, keep_cut)
    out, position, i = [], 0, 0
    while i < len(words):
        word = words[i]
        out.append(html.escape(text[position : word.start]))
        if i in elided:
            last = elided[i]
            out.append(
                f'<span class="gap" title="not shown: cut off by truncation">… {last - i + 1:,} more words '
                f"cut off by truncation …</span>"
            )
            position, i = words[last].end, last + 1
            continue
        out.append(_word_span(text, word, values))
        position, i = word.end, i + 1
    out.append(html.escape(text[position:]))
    if explanation.clipped_chars:
        gap = f'<span class="gap">… {int(explanation.clipped_chars):,} more characters not read …</span>'
        out = [gap, *out] if explanation.clipped_at_start else [*out, gap]
    body = "".join(out) or '<span class="gap">(no words)</span>'
    classes = "lab-why values" if values else "lab-why"
    return (legend_html() if legend else "") + f'<div class="{classes}">{body}</div>'


def legend_html() -> str:
    """The colour key above the coloured review: the fixed scale with its numbers, then the marks (no user data)."""
    steps = "".join(
        f'<span class="step" style="background: {_background(value)}">{f"{value:+g}" if value else "0"}</span>'
        for value in LEGEND_STEPS
    )
    scale = (
        f'<span class="scale" title="change in log-odds when the word is removed; '
        f'{FULL_COLOUR:g} and beyond get the full colour">towards negative {steps} towards positive</span>'
    )
    keys = [("key cut", "cut off by truncation (never seen)"), ("key oov", "out of the vocabulary")]
    items = "".join(f'<span><span class="{classes}">word</span> {what}</span>' for classes, what in keys)
    return f'<div class="lab-why-legend">{scale}{items}</div>'
