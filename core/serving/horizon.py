"""The memory horizon: how many of a review's last words the model needs to reach its own verdict.

Over a sample of the run's *validation* reviews (never test reviews), the model reads only
the last ``k`` words of each review (the words before them removed, the start token kept)
and its verdict is compared with its verdict on the whole review (as the model reads it,
after the ``maxlen`` cut): the share of reviews whose verdict stays on the same side of
0.5, and the mean absolute change in log-odds (saturated predictions still count).
A review of ``k`` words or fewer is read whole, so it changes by exactly 0.

"This model reaches its verdict from the last N words": N is the smallest ``k`` at which
:data:`AGREEMENT` of the reviews keep their verdict. Both the curve and the sentence are
that one experiment, so they agree: a model that forgets early words reaches it at a small
``k``; one that reads the whole review needs nearly every word. Computed in the prediction
process once per run and stored as JSON under ``<runs>/.horizon/`` (never in the run folder).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from core.encoding.word_ids import START_CHAR
from core.model.metrics import log_odds
from core.runs import derived

#: Cached results of another format are measured again.
VERSION = 2
#: The ``k`` tried (each below the run's maxlen); the longest review read whole ends the curve.
LAST_WORDS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048)
#: Share of reviews that must keep their verdict for "reaches its verdict from the last N words".
AGREEMENT = 0.9
#: Validation reviews measured (evenly spaced through the run's validation set).
REVIEWS = 300
SPLIT = "validation"


def validation_texts(data, config) -> list[str]:
    """The run's validation reviews (held out of training by :func:`core.encoding.arrays.split_training`)."""
    from core.encoding.arrays import split_training

    _, val_idx, _ = split_training(data, config)
    return [data.train.texts[i] for i in np.sort(val_idx)]


def sample_texts(texts) -> list[str]:
    """The :data:`REVIEWS` reviews the horizon is measured on: evenly spaced through ``texts``."""
    return list(texts[:: max(1, len(texts) // REVIEWS)][:REVIEWS])


def _last(sequence: np.ndarray, k: int) -> np.ndarray:
    """The last ``k`` words of a model input, after its start token when it has one."""
    return np.concatenate([sequence[:1], sequence[-k:]]) if sequence[0] == START_CHAR else sequence[-k:]


def horizon(predictor, texts: list[str]) -> dict:
    """The horizon of ``predictor``'s model on ``texts``: per ``k``, what reading only the last ``k`` words changes."""
    started = time.perf_counter()
    sequences = [s for s in (predictor.encode(t).model_ids for t in texts) if len(s) > 1]
    words = np.array([len(s) - int(s[0] == START_CHAR) for s in sequences])
    base = log_odds(predictor.predict_ids(sequences)) if sequences else np.zeros(0)
    kept, changes, same, longer = [], [], [], []
    for k in LAST_WORDS:
        chosen = np.flatnonzero(words > k)
        if k >= predictor.config.maxlen or not len(chosen):
            break
        variants = [_last(sequences[i], k) for i in chosen]
        scores = log_odds(predictor.predict_ids(variants))
        change = np.zeros(len(sequences))
        change[chosen] = np.abs(base[chosen] - scores)
        flipped = np.count_nonzero((base[chosen] >= 0) != (scores >= 0))
        kept.append(k)
        changes.append(float(change.mean()))
        same.append(float(1.0 - flipped / len(sequences)))
        longer.append(len(chosen))
    if len(sequences):  # the longest review, read whole: nothing changes
        kept.append(int(words.max()))
        changes.append(0.0)
        same.append(1.0)
        longer.append(0)
    return {
        "version": VERSION,
        "run_id": predictor.run.run_id,
        "split": SPLIT,
        "reviews": len(sequences),
        "last_words": kept,
        "mean_abs_logit_change": changes,
        "same_verdict": same,
        "longer_reviews": longer,
        "agreement": AGREEMENT,
        "reads_last_words": next((k for k, s in zip(kept, same, strict=True) if s >= AGREEMENT), None),
        "seconds": round(time.perf_counter() - started, 2),
    }


def cache_path(runs_root: Path, run_id: str, created: float) -> Path:
    return derived.path_of(runs_root, ".horizon", run_id, created, VERSION)


def cached_horizon(predictor, texts: list[str], runs_root: Path, created: float) -> dict:
    """:func:`horizon`, read from its cache file when there is one, else computed and stored."""
    path = cache_path(runs_root, predictor.run.run_id, created)
    return derived.read_or_compute(path, lambda: horizon(predictor, texts))
