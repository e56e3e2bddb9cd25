"""The memory horizon: how much a word's influence on the verdict depends on its distance from the end.

Over a few hundred reviews, the word at distance ``d`` from the end of what the model reads
is removed (occlusion) and the change of the verdict is measured in logit space (so that
saturated predictions still count); the mean absolute change per distance is the curve.
"This model mostly reads the last N words": N is the farthest distance whose mean effect is
at least half the strongest one. Computed in the prediction process, once per run: the
result is stored as JSON under ``<runs>/.horizon/`` (never in the run folder).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from core import atomic
from core.model.metrics import log_odds

DISTANCES = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048)
#: Reviews the UI sends (from the test split, a fixed sample).
REVIEWS = 300


def sample_texts(texts) -> list[str]:
    """The :data:`REVIEWS` reviews the horizon is measured on: evenly spaced through ``texts`` (the test split)."""
    return list(texts[:: max(1, len(texts) // REVIEWS)][:REVIEWS])


def horizon(predictor, texts: list[str]) -> dict:
    """The horizon curve of ``predictor``'s model on ``texts``."""
    started = time.perf_counter()
    sequences = [predictor.encode(t).model_ids for t in texts]
    sequences = [s for s in sequences if len(s) > 1]
    base = log_odds(predictor.predict_ids(sequences)) if sequences else np.zeros(0)
    distances, means, counts = [], [], []
    for d in DISTANCES:
        if d > predictor.config.maxlen:
            break
        chosen = [i for i, s in enumerate(sequences) if len(s) > d]  # never the start char
        if len(chosen) < 5:
            break
        variants = [np.delete(sequences[i], len(sequences[i]) - d) for i in chosen]
        scores = np.concatenate([predictor.predict_ids(variants[k : k + 256]) for k in range(0, len(variants), 256)])
        distances.append(d)
        means.append(float(np.mean(np.abs(base[chosen] - log_odds(scores)))))
        counts.append(len(chosen))
    strongest = max(means, default=0.0)
    reads = max((d for d, m in zip(distances, means, strict=True) if m >= strongest / 2), default=None)
    return {
        "run_id": predictor.run.run_id,
        "distances": distances,
        "mean_abs_logit_change": means,
        "reviews": counts,
        "reads_last_words": reads,
        "seconds": round(time.perf_counter() - started, 2),
    }


def cache_path(runs_root: Path, run_id: str, created: float) -> Path:
    return Path(runs_root) / ".horizon" / f"{run_id}-{int(created * 1000)}.json"


def cached_horizon(predictor, texts: list[str], runs_root: Path, created: float) -> dict:
    """:func:`horizon`, read from its cache file when there is one, else computed and stored."""
    path = cache_path(runs_root, predictor.run.run_id, created)
    if path.is_file():
        try:
            return json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            pass  # a damaged cache is computed again
    result = horizon(predictor, texts)
    atomic.write_json(path, result)
    return result
