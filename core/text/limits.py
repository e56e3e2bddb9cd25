"""How much text the lab looks at: the one clip every typed, pasted or uploaded review goes through.

A browser's ``max_chars`` is a hint a client can ignore (a websocket message carries any
string up to the server's ``maxMessageSize``), and tokenizing a 20 MB paste, or scoring it
with the bag of words in the web process, took seconds and hundreds of MB (issue 28). So
the model, the X-ray, the baseline and Scramble all read a review through :func:`clip`.
"""

from __future__ import annotations

#: Characters of one review that are looked at; the model sees at most ``maxlen`` tokens
#: anyway (the longest IMDB review has about 13,700 characters).
MAX_TEXT_CHARS = 100_000
#: Characters a review box takes (its ``max_chars``): more than is read, so that a long paste
#: is clipped here, from the end the model keeps, with a notice, not cut by the browser at its start.
MAX_BOX_CHARS = 1_000_000
#: Characters of the Predict page's "one review per line" box (a batch of typed reviews).
MAX_BATCH_TEXT_CHARS = 1_000_000


def clip(text: str, keep_end: bool = True, limit: int = MAX_TEXT_CHARS) -> tuple[str, int]:
    """At most ``limit`` characters of ``text`` and how many were cut.

    ``keep_end``: keep the last characters (a model that truncates ``"pre"`` reads the end
    of a long review, so it reads the end of a huge paste too); else the first.
    """
    cut = max(0, len(text) - limit)
    if not cut:
        return text, 0
    return (text[cut:] if keep_end else text[:limit]), cut
