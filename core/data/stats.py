"""Length and vocabulary statistics: the numbers behind "why truncate" and "why 5,000 words".

Lengths are counted in tokens (words, as :mod:`core.text.tokenizer` splits them), without the
start character Keras adds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.data.corpus import INDEX_FROM

PERCENTILES = (50, 90, 95, 99)


def review_lengths(data) -> pd.DataFrame:
    """One row per review: split, label (``pos``/``neg``), tokens."""
    frames = [
        pd.DataFrame({"split": split.name, "label": np.where(split.labels == 1, "pos", "neg"), "tokens": split.lengths})
        for split in (data.train, data.test)
    ]
    return pd.concat(frames, ignore_index=True)


def share_at_most(lengths, maxlen: int) -> float:
    """Fraction of reviews with at most ``maxlen`` tokens."""
    lengths = np.asarray(lengths)
    return float((lengths <= maxlen).mean()) if len(lengths) else 0.0


def length_summary(lengths) -> dict:
    """Percentiles 50/90/95/99, mean, max and the share under 200 and 800 tokens."""
    lengths = np.asarray(lengths)
    if not len(lengths):
        return {"count": 0}
    summary = {f"p{p}": float(np.percentile(lengths, p)) for p in PERCENTILES}
    summary.update(
        count=len(lengths),
        mean=float(lengths.mean()),
        max=int(lengths.max()),
        share_le_200=share_at_most(lengths, 200),
        share_le_800=share_at_most(lengths, 800),
    )
    return summary


def oov_share(split, num_words: int, index_from: int = INDEX_FROM) -> float:
    """Share of ``split``'s tokens that become OOV with a vocabulary of ``num_words`` ids.

    Keras keeps ids below ``num_words``; ids are ``rank + index_from``.
    """
    ranks = split.ranks
    if not len(ranks):
        return 0.0
    return float(((ranks == 0) | (ranks + index_from >= num_words)).mean())


def coverage_curve(split, sizes=None, index_from: int = INDEX_FROM) -> pd.DataFrame:
    """Share of tokens covered (not OOV) for a range of vocabulary sizes."""
    if sizes is None:
        sizes = sorted({int(s) for s in np.unique(np.geomspace(100, 100_000, 40).round(-1))} | {5000})
    ranks = np.sort(split.ranks[split.ranks > 0])
    total = len(split.ranks)
    covered = [np.searchsorted(ranks, size - index_from, side="left") / total if total else 0.0 for size in sizes]
    return pd.DataFrame({"num_words": sizes, "coverage": covered})


def dataset_summary(data) -> dict:
    """The numbers ``python -m core data`` prints."""
    counts = {
        split.name: {"total": len(split), "pos": int((split.labels == 1).sum()), "neg": int((split.labels == 0).sum())}
        for split in (data.train, data.test)
    }
    all_lengths = np.concatenate([data.train.lengths, data.test.lengths])
    return {
        "source": str(data.source.path),
        "source_kind": data.source.kind,
        "found_via": data.source.found_via,
        "fingerprint": data.fingerprint,
        "counts": counts,
        "vocabulary_size": len(data.vocabulary),
        "lengths": {
            "all": length_summary(all_lengths),
            "train": length_summary(data.train.lengths),
            "test": length_summary(data.test.lengths),
        },
        "oov_share_test_5000": oov_share(data.test, 5000),
        "empty_files": data.report.get("empty_files", 0),
        "replaced_files": data.report.get("replaced_files", 0),
        "load_seconds": round(data.load_seconds, 3),
        "cache_hit": data.cache_hit,
        "cache_note": data.report.get("cache_note", ""),
    }
