"""The memory horizon: the verdict from only the last k words against the whole review's, computed once per run."""

from __future__ import annotations

import json

import numpy as np

from core.encoding.arrays import split_training
from core.model.metrics import log_odds
from core.serving import horizon
from core.serving.predictor import Predictor


def test_the_horizon_is_measured_once_and_read_back(toy):
    data, store, snap = toy
    predictor = Predictor(snap.run_id, store)
    run = store.get(snap.run_id)
    texts = horizon.sample_texts(horizon.validation_texts(data, run.config))
    _, held_out, _ = split_training(data, run.config)
    assert texts and set(texts) <= {data.train.texts[i] for i in held_out}  # validation reviews only
    first = horizon.cached_horizon(predictor, texts, store.root, run.created)
    ks = first["last_words"]
    assert ks == sorted(ks) and ks[0] == 1 and first["split"] == "validation" and first["version"] == horizon.VERSION
    assert all(np.isfinite(m) and m >= 0 for m in first["mean_abs_logit_change"])
    assert all(0 <= s <= 1 for s in first["same_verdict"]) and first["same_verdict"][-1] == 1.0
    assert first["reads_last_words"] == next(
        k for k, s in zip(ks, first["same_verdict"], strict=True) if s >= horizon.AGREEMENT
    )
    # by hand, k = 2: every review longer than 2 words read as <start> + its last 2 words; shorter ones unchanged
    sequences = [s for s in (predictor.encode(t).model_ids for t in texts) if len(s) > 1]
    assert first["reviews"] == len(sequences) and first["last_words"][-1] == max(len(s) - 1 for s in sequences)
    base = log_odds(predictor.predict_ids(sequences))
    cut = log_odds(predictor.predict_ids([np.concatenate([s[:1], s[-2:]]) if len(s) > 3 else s for s in sequences]))
    assert abs(first["mean_abs_logit_change"][1] - float(np.mean(np.abs(base - cut)))) < 1e-6
    assert abs(first["same_verdict"][1] - float(np.mean((base >= 0) == (cut >= 0)))) < 1e-9
    assert first["longer_reviews"][1] == sum(len(s) > 3 for s in sequences)
    path = horizon.cache_path(store.root, snap.run_id, run.created)
    assert json.loads(path.read_text("utf-8")) == first
    stored = dict(first, seconds=-1.0)
    path.write_text(json.dumps(stored), "utf-8")
    assert horizon.cached_horizon(predictor, texts, store.root, run.created)["seconds"] == -1.0  # read, not recomputed
    assert snap.run_id in [r.run_id for r in store.scan()[0]]  # the cache folder is no run
