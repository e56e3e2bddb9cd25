"""The one clip every review goes through (core.text.limits)."""

from __future__ import annotations

from core.text.limits import MAX_TEXT_CHARS, clip


def test_short_text_passes_whole():
    assert clip("Not bad at all.") == ("Not bad at all.", 0)


def test_a_huge_paste_keeps_the_end_the_model_reads_or_the_start():
    text = "a" * MAX_TEXT_CHARS + "THE VERDICT"
    kept, cut = clip(text)
    assert cut == len("THE VERDICT") and len(kept) == MAX_TEXT_CHARS and kept.endswith("THE VERDICT")
    kept, cut = clip(text, keep_end=False)
    assert kept == "a" * MAX_TEXT_CHARS and cut == len("THE VERDICT")
    assert clip("abcdef", limit=4) == ("cdef", 2)
