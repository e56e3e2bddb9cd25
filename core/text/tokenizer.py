"""Standardization and tokenization: the one place text becomes words.

Training, the length statistics and the prediction of typed text all go through
:func:`tokenize`, so what the model sees at prediction time is exactly what it saw in
training. Rules, in order:

1. HTML line breaks (``<br />``, ``<br>``) and any other tags become spaces;
2. control, zero-width and line-separator characters become spaces (U+0085 is in IMDB);
3. lowercase (``str.lower``, Unicode-aware);
4. words are runs of letters and digits in any script, keeping inner apostrophes
   (``don't``, ``l'amour``); every other punctuation mark and emoji separates words
   and is dropped.

Changing any rule changes :data:`TOKENIZER_VERSION`, which invalidates every cache.
"""

from __future__ import annotations

import re
import unicodedata

TOKENIZER_VERSION = "1"

_TAG = re.compile(r"<[^<>]{0,200}>")


# Categories Cc (control), Cf (format: zero-width, bidi marks), Zl, Zp (line/paragraph sep),
# as a class of ranges (a class of single characters is ten times slower).
def _invisible_class() -> str:
    ranges: list[list[int]] = []
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF or unicodedata.category(chr(code)) not in {"Cc", "Cf", "Zl", "Zp"}:
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(re.escape(chr(a)) + (f"-{re.escape(chr(b))}" if b > a else "") for a, b in ranges) + "]"


_INVISIBLE = re.compile(_invisible_class())
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _blank(text: str) -> str:
    """Replace tags and invisible characters by spaces of the same length."""
    if "<" in text:
        text = _TAG.sub(lambda m: " " * len(m.group()), text)
    if not text.isprintable():  # fast check: only then can there be invisible characters
        text = _INVISIBLE.sub(" ", text)
    return text


def tokenize(text: str) -> list[str]:
    """Split ``text`` into the words the vocabulary and the model know about.

    Always the same words as :func:`word_spans` finds, lowercased.
    """
    blanked = _blank(text)
    lowered = blanked.lower()
    if len(lowered) == len(blanked):  # the common case: lowercase the text once
        words = _WORD.findall(lowered)
    else:  # a few characters (e.g. "İ") grow when lowercased: lowercase word by word
        words = [word.lower() for word in _WORD.findall(blanked)]
    return [word.replace("’", "'") for word in words]


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans in ``text`` of each token :func:`tokenize` returns, for highlighting."""
    return [m.span() for m in _WORD.finditer(_blank(text))]
