"""Every colour the app draws with, in one place (the theme's primary colour is read from the theme).

Charts and the coloured review take their colours from here, so "positive" is the same
blue on every page. The theme (``.streamlit/config.toml``) owns the primary colour;
the static look of the token chips and the coloured review (borders, the grey of cut
words, the OOV underline) lives in ``assets/style.css``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from core.model.metrics import POSITIVE as POSITIVE_LABEL

_THEME = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"

#: The theme's primary colour (buttons, sliders): the app's own blue.
PRIMARY = tomllib.loads(_THEME.read_text("utf-8"))["theme"]["primaryColor"]

#: A prediction or a word that says "positive" / "negative": blue and vermillion from the
#: Okabe-Ito palette, told apart with every common colour-vision deficiency (green and
#: red, the usual pair, look alike to about 1 man in 12).
POSITIVE = "#0072b2"
NEGATIVE = "#d55e00"
#: The two labels of the dataset (Explore's histograms): the same pair.
LABELS = {"neg": NEGATIVE, "pos": POSITIVE}
#: One line of data (vocabulary coverage, smoothed training loss).
LINE = "#2171b5"
#: The live training curves.
SERIES = {"train, per batch": "#9ecae1", "train, smoothed": LINE, "validation": "#e6550d"}
#: Reviews longer than maxlen (truncated) against the others.
TRUNCATED = "#f28e2b"
WHOLE = PRIMARY
#: Marks drawn over a chart (cut-off rules, their labels, counts on bars).
INK = "#374151"
#: Reference marks (the tutorial's choice, the chance diagonal, undecided).
MUTED = "#888888"
#: The empty track behind a probability bar.
TRACK = "#eef0f3"
#: Colour schemes (Vega's names) for counts and for one colour per run.
COUNT_SCHEME = "blues"
#: Values inside the network (the X-ray's states and gates): their own diverging palette, purple
#: (low) through near-white to green (high), ColorBrewer's PRGn (colour-blind safe), so that a
#: unit's +1 is never read as the verdict's blue or vermillion. States diverge around 0 (tanh
#: range), gates around 0.5 (0 closed, 1 open).
INTERNAL_LOW, INTERNAL_MID, INTERNAL_HIGH = "#762a83", "#f7f7f7", "#1b7837"
INTERNAL_RANGE = (INTERNAL_LOW, INTERNAL_MID, INTERNAL_HIGH)
RUN_SCHEME = "tableau10"


def rgb(color: str) -> tuple[int, int, int]:
    """``"#1a9850"`` -> ``(26, 152, 80)``, for an ``rgba()`` of a palette colour."""
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def markdown_color(label: str) -> str:
    """Streamlit's Markdown colour (``:blue[...]``) closest to a label's colour, for verdicts written in text."""
    return "blue" if label == POSITIVE_LABEL else "orange"
