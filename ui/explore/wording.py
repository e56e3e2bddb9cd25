"""The Explore page's text: a review's token ids abbreviated, a star rating as stars.

Pure: no Streamlit.
"""

from __future__ import annotations


def abbreviate_ids(ids: list[int], padding: int, padding_side: str = "pre", edge: int = 12) -> str:
    """The model's input row as text, shortened in the middle: ``[0 × 12, 1, 14, …, 7]``."""
    shown = (
        [str(i) for i in ids]
        if len(ids) <= 2 * edge
        else [str(i) for i in ids[:edge]] + [f"… {len(ids) - 2 * edge} more …"] + [str(i) for i in ids[-edge:]]
    )
    if padding:
        shown = [f"0 × {padding}", *shown] if padding_side == "pre" else [*shown, f"0 × {padding}"]
    return "[" + ", ".join(shown) + "]"


def star_rating(rating: int) -> str:
    """A review's stars in words: ``8/10 stars``; ``no star rating`` where the source has none (-1)."""
    rating = int(rating)
    return f"{rating}/10 stars" if 1 <= rating <= 10 else "no star rating"
