"""Numbers and labels as text, the same on every page: percentages, durations, code spans, a review for display.

Pure: no Streamlit.
"""

from __future__ import annotations

import math
import re


def percent(share: float, digits: int = 1) -> str:
    return f"{100 * share:.{digits}f}%"


def duration(seconds: float | None) -> str:
    """``under 1 s``, ``45 s``, ``3 min 05 s``, ``1 h 02 min``; an em dash when unknown."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    if seconds < 1:
        return "under 1 s"
    seconds = round(float(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def code_span(value) -> str:
    """``value`` as a Markdown code span (a backtick inside would end it, so it becomes a quote)."""
    return "`" + str(value).replace("`", "'") + "`"


def code_list(words: list[str], limit: int = 30) -> str:
    """Words as Markdown code spans (``a``, ``b``, … and N more); backticks removed.

    Tokens are letters, digits and apostrophes only, so this is belt and braces: inside a
    code span nothing is interpreted as Markdown.
    """
    shown = [f"`{w.replace('`', '')}`" for w in words[:limit]]
    more = len(words) - limit
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def review_for_display(text: str) -> str:
    """A review as plain text for ``st.text``: IMDB's ``<br />`` tags become line breaks."""
    return re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
