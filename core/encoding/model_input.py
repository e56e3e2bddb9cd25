"""What the model sees for one review: the one encoder behind Explore's token view and the Predictor.

A review's words (from the corpus, or typed text through the tokenizer) become Keras ids
with :func:`core.encoding.word_ids.encode_ranks`, and the part the model keeps comes from
:func:`core.encoding.arrays.truncate`: the same two functions training uses, so the
token chips on Explore, the explanation on Predict and the model's input cannot disagree.
Per-token views are built only when asked for (:attr:`EncodedReview.tokens`); scoring
uses the arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from core.data.corpus import Vocabulary
from core.encoding.arrays import truncate
from core.encoding.word_ids import Encoding, encode_ranks
from core.text import tokenizer

START_TOKEN = "<start>"


@dataclass(frozen=True)
class TokenView:
    """One position of an encoded review, as the token view draws it."""

    token: str  # the word as the tokenizer produced it, or "<start>"
    id: int  # the Keras id the model receives
    oov: bool  # the word became the OOV id (outside num_words, or never seen in training)
    start: bool  # the start character Keras puts before every review
    cut: bool  # removed by truncation to maxlen


@dataclass(frozen=True)
class EncodedReview:
    """One review's ids, which of them are OOV, and which part truncation keeps."""

    words: tuple[str, ...]
    ids: np.ndarray  # Keras ids, start char first, before truncation
    oov_mask: np.ndarray  # per id: the OOV id (never the start char)
    kept: slice  # the ids truncation keeps
    has_start: bool
    maxlen: int

    @cached_property
    def tokens(self) -> list[TokenView]:
        names = ([START_TOKEN] if self.has_start else []) + list(self.words)
        kept = np.zeros(len(self.ids), dtype=bool)
        kept[self.kept] = True
        return [
            TokenView(token=name, id=int(value), oov=bool(oov), start=self.has_start and i == 0, cut=not keep)
            for i, (name, value, oov, keep) in enumerate(
                zip(names, self.ids.tolist(), self.oov_mask, kept, strict=False)
            )
        ]

    @property
    def model_ids(self) -> np.ndarray:
        return self.ids[self.kept]

    @property
    def model_input(self) -> list[int]:
        """The ids the model sees, padding left out."""
        return self.model_ids.tolist()

    @property
    def padding(self) -> int:
        """Zeros added to reach maxlen (0 when the review is cut)."""
        return max(0, self.maxlen - len(self.ids))

    @property
    def cut(self) -> int:
        return len(self.ids) - len(self.model_ids)

    @property
    def oov(self) -> int:
        return int(self.oov_mask.sum())

    @property
    def oov_words(self) -> list[str]:
        offset = 1 if self.has_start else 0
        return [self.words[i - offset] for i in np.flatnonzero(self.oov_mask).tolist()]


def encode_review(
    words: list[str],
    ranks: np.ndarray,
    num_words: int | None,
    maxlen: int,
    truncating: str,
    encoding: Encoding | None = None,
) -> EncodedReview:
    """Encode one review like training does and mark OOV words and what truncation cuts.

    Args:
        words: the review's tokens (:func:`core.text.tokenizer.tokenize`).
        ranks: their vocabulary ranks, position by position (0: never seen in training).
        num_words: the vocabulary size the model uses.
        maxlen: the length truncation keeps (start character included).
        truncating: ``"pre"`` keeps the end, ``"post"`` the beginning.
        encoding: the id scheme (default: Keras's, with ``num_words``).
    """
    encoding = encoding or Encoding(num_words=num_words)
    ranks = np.asarray(ranks, dtype=np.int64)
    ids, _ = encode_ranks(ranks, np.array([0, len(ranks)]), encoding, num_words=num_words)
    has_start = encoding.start_char is not None
    oov_mask = np.zeros(len(ids), dtype=bool) if encoding.oov_char is None else ids == encoding.oov_char
    if has_start and len(oov_mask):
        oov_mask[0] = False
    kept_count = len(truncate(np.arange(len(ids)), maxlen, truncating))
    kept = slice(len(ids) - kept_count, len(ids)) if truncating == "pre" else slice(0, kept_count)
    return EncodedReview(tuple(words), ids, oov_mask, kept, has_start, maxlen)


def encode_text(
    text: str, vocabulary: Vocabulary, encoding: Encoding, maxlen: int | None = None, truncating: str = "pre"
) -> EncodedReview:
    """Typed text through the training tokenizer, then :func:`encode_review` (``maxlen`` None: keep all)."""
    words = tokenizer.tokenize(text)
    ranks = vocabulary.ranks(words)
    return encode_review(words, ranks, encoding.num_words, maxlen or len(words) + 1, truncating, encoding)
