"""Loading the IMDB data: find the source, use the cache or build it, report timings.

:func:`load_dataset` is the one entry point for the app, the CLI, training and the
tests. The second load of the same source reads the cache (about a second) instead of
re-tokenizing 50,000 reviews.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from core import settings
from core.data import corpus_cache, sources
from core.data.corpus import Split, Vocabulary, build_corpus
from core.data.keras_npz import load_keras_npz
from core.errors import DataFormatError


@dataclass(frozen=True, eq=False)
class ImdbData:
    """The whole dataset, ready for encoding, statistics and training."""

    train: Split
    test: Split
    vocabulary: Vocabulary
    source: sources.Source
    fingerprint: str
    cache_hit: bool
    load_seconds: float
    report: dict  # empty_files, replaced_files, reviews_read, cache_note

    def split(self, name: str) -> Split:
        return {"train": self.train, "test": self.test}[name]


def load_dataset(
    path: str | os.PathLike | None = None, *, use_cache: bool = True, allow_download: bool = True
) -> ImdbData:
    """Load the IMDB reviews, from the corpus cache when the same source was parsed before.

    Args:
        path: an archive (``.tar.gz``), an extracted ``aclImdb/`` folder or Keras's
            ``imdb.npz``; None: the documented search order (:mod:`core.data.sources`).
        use_cache: read and write the parsed corpus in ``$IMDB_LAB_CACHE/corpus``.
        allow_download: when nothing is found, download the official archive (online only).

    Returns:
        The train and test splits, the training vocabulary, the source and its fingerprint.

    Raises:
        DataNotFoundError: no source anywhere (the message lists where it looked).
        DataFormatError: the source is damaged, unsafe or incomplete.
    """
    started = time.perf_counter()
    source = sources.resolve_source(path, allow_download=allow_download)
    fingerprint = sources.fingerprint(source)
    cache_path = corpus_cache.cache_file(settings.cache_dir(), fingerprint)
    cache_note = "cache disabled"
    if use_cache and cache_path.exists():
        try:
            splits, vocabulary, report = corpus_cache.load(cache_path, fingerprint)
            return _assemble(
                splits, vocabulary, source, fingerprint, True, started, {**report, "cache_note": "cache hit"}
            )
        except corpus_cache.CacheInvalid as problem:
            cache_path.unlink(missing_ok=True)
            cache_note = f"cache rebuilt: previous one was {problem}"
    elif use_cache:
        cache_note = "cache written"
    if source.kind == "keras-npz":
        splits, vocabulary, report = load_keras_npz(source.path)
    else:
        splits, vocabulary, report = build_corpus(sources.read_reviews(source))
    _check_complete(splits, source)
    if use_cache:
        try:
            corpus_cache.save(cache_path, fingerprint, splits, vocabulary, report)
        except OSError as error:  # read-only or full disk: still usable, just slower next time
            cache_note = f"cache not written ({error.strerror or error})"
    return _assemble(splits, vocabulary, source, fingerprint, False, started, {**report, "cache_note": cache_note})


def _check_complete(splits: dict[str, Split], source: sources.Source) -> None:
    missing = [
        f"{name}/{label}"
        for name, split in splits.items()
        for label, value in (("neg", 0), ("pos", 1))
        if not (split.labels == value).any()
    ]
    if missing:
        raise DataFormatError(
            f"{source.path} has no reviews in {', '.join(missing)}. Expected the official layout "
            f"aclImdb/{{train,test}}/{{pos,neg}}/<id>_<rating>.txt; point to a complete copy."
        )


def _assemble(splits, vocabulary, source, fingerprint, cache_hit, started, report) -> ImdbData:
    return ImdbData(
        train=splits["train"],
        test=splits["test"],
        vocabulary=vocabulary,
        source=source,
        fingerprint=fingerprint,
        cache_hit=cache_hit,
        load_seconds=time.perf_counter() - started,
        report=report,
    )
