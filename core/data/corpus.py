"""The parsed corpus: reviews, labels, ratings, and each review's words as vocabulary ranks.

A :class:`Split` keeps every review's tokens in one flat ``int32`` array of word ranks
plus offsets (a ragged array), so 12 million tokens cost 48 MB instead of gigabytes of
Python strings, and encoding for Keras is a few numpy operations.

Ranks follow ``keras.datasets.imdb``: rank 1 is the most frequent word of the
*training* split (ties broken alphabetically); rank 0 marks a word never seen in
training (test-only words and unknown words in typed text).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from core.data.sources import RawReview
from core.text import tokenizer

#: Keras's ids are ``rank + INDEX_FROM``: 0 pads, 1 starts a review, 2 is out of vocabulary.
INDEX_FROM = 3


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """Training-split words ranked by frequency: ``words[r - 1]`` has rank ``r``."""

    words: tuple[str, ...]
    counts: np.ndarray  # counts[r - 1]: occurrences of the rank-r word in the training split

    def __len__(self) -> int:
        return len(self.words)

    @functools.cached_property
    def word_index(self) -> dict[str, int]:
        """``{word: rank}``, like ``keras.datasets.imdb.get_word_index()``."""
        return {word: rank for rank, word in enumerate(self.words, start=1)}

    def ranks(self, tokens: Iterable[str]) -> np.ndarray:
        """Ranks of ``tokens`` (0 for words outside the vocabulary)."""
        index = self.word_index
        return np.fromiter((index.get(token, 0) for token in tokens), dtype=np.int32)

    def word(self, rank: int) -> str | None:
        return self.words[rank - 1] if 1 <= rank <= len(self.words) else None


@dataclass(frozen=True, eq=False)
class Split:
    """One split (train or test), reviews in a deterministic order (label, then id)."""

    name: str
    texts: list[str]
    labels: np.ndarray  # int8, 1 = positive, 0 = negative
    review_ids: np.ndarray  # int32, the <id> of <id>_<rating>.txt
    ratings: np.ndarray  # int8, stars 1-10 (-1 where the source has none)
    ranks: np.ndarray  # int32, flat word ranks of all reviews
    offsets: np.ndarray  # int64, review i is ranks[offsets[i]:offsets[i+1]]
    extra: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def lengths(self) -> np.ndarray:
        """Tokens per review."""
        return np.diff(self.offsets)

    def review_ranks(self, i: int) -> np.ndarray:
        return self.ranks[self.offsets[i] : self.offsets[i + 1]]


@dataclass
class _SplitBuilder:
    texts: list = field(default_factory=list)
    labels: list = field(default_factory=list)
    review_ids: list = field(default_factory=list)
    ratings: list = field(default_factory=list)
    token_ids: list = field(default_factory=list)  # per review: np.int32 provisional ids


def _decode(data: bytes) -> tuple[str, bool]:
    """UTF-8 text, and whether bytes had to be replaced."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), True


def build_corpus(reviews: Iterable[RawReview]) -> tuple[dict[str, Split], Vocabulary, dict]:
    """Decode, tokenize and rank every review; return the splits, vocabulary and counts.

    The vocabulary is built from the training split only. Empty files are skipped,
    undecodable bytes replaced (U+FFFD); both are counted in the returned report.
    """
    builders, report = _read(reviews)
    tokens_by_split, words_seen = _provisional_ids(builders)
    train_flat = _concat(tokens_by_split["train"])
    counts = np.bincount(train_flat, minlength=len(words_seen)) if len(train_flat) else np.zeros(0, np.int64)
    # A test-only word got no provisional id (-1), so every provisional id has count > 0.
    order = sorted(range(len(words_seen)), key=lambda p: (-counts[p], words_seen[p]))
    rank_of = np.zeros(len(words_seen) + 1, dtype=np.int32)  # last slot: unknown (-1) -> rank 0
    rank_of[np.array(order, dtype=np.int64)] = np.arange(1, len(order) + 1, dtype=np.int32)
    vocabulary = Vocabulary(
        tuple(words_seen[p] for p in order), counts[np.array(order, dtype=np.int64)].astype(np.int64)
    )
    splits = {}
    for name, builder in builders.items():
        flat = _concat(tokens_by_split[name])
        lengths = np.array([len(t) for t in tokens_by_split[name]], dtype=np.int64)
        splits[name] = Split(
            name=name,
            texts=builder.texts,
            labels=np.array(builder.labels, dtype=np.int8),
            review_ids=np.array(builder.review_ids, dtype=np.int32),
            ratings=np.array(builder.ratings, dtype=np.int8),
            ranks=rank_of[flat],  # -1 indexes the last slot, which holds 0
            offsets=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        )
    return splits, vocabulary, report


def _read(reviews: Iterable[RawReview]) -> tuple[dict[str, _SplitBuilder], dict]:
    """Decoded reviews per split, in the order they came, and the counts of empty and repaired files."""
    builders = {"train": _SplitBuilder(), "test": _SplitBuilder()}
    report = {"empty_files": 0, "replaced_files": 0, "reviews_read": 0}
    for review in reviews:
        text, replaced = _decode(review.data)
        report["reviews_read"] += 1
        report["replaced_files"] += replaced
        if not text.strip():
            report["empty_files"] += 1
            continue
        builder = builders[review.split]
        builder.texts.append(text)
        builder.labels.append(review.label)
        builder.review_ids.append(review.review_id)
        builder.ratings.append(review.rating)
    return builders, report


def _provisional_ids(builders: dict[str, _SplitBuilder]) -> tuple[dict[str, list[np.ndarray]], list[str]]:
    """Sort each split by (label, review id), tokenize it, and number training words by first appearance.

    One pass over the text; test words never seen in training get -1. Returns each
    split's per-review provisional ids and the training words in provisional order.
    """
    provisional: dict[str, int] = {}
    tokens_by_split = {}
    for name in ("train", "test"):  # train first: it defines the vocabulary
        builder = builders[name]
        order = sorted(range(len(builder.labels)), key=lambda i: (builder.labels[i], builder.review_ids[i]))
        for attr in ("texts", "labels", "review_ids", "ratings"):
            values = getattr(builder, attr)
            setattr(builder, attr, [values[i] for i in order])
        per_review = []
        for text in builder.texts:
            tokens = tokenizer.tokenize(text)
            if name == "train":
                per_review.append(
                    np.array([provisional.setdefault(t, len(provisional)) for t in tokens], dtype=np.int32)
                )
            else:
                per_review.append(np.array([provisional.get(t, -1) for t in tokens], dtype=np.int32))
        tokens_by_split[name] = per_review
    return tokens_by_split, list(provisional)


def _concat(arrays: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(arrays).astype(np.int64) if arrays else np.zeros(0, dtype=np.int64)
