"""The memory horizon: occlusion by distance from the end, in logit space, computed once per run."""

from __future__ import annotations

import json

import numpy as np

from core.model.metrics import log_odds
from core.serving import horizon
from core.serving.predictor import Predictor


def test_the_horizon_is_measured_once_and_read_back(toy):
    data, store, snap = toy
    predictor = Predictor(snap.run_id, store)
    texts = list(data.test.texts[:60])
    run = store.get(snap.run_id)
    first = horizon.cached_horizon(predictor, texts, store.root, run.created)
    assert first["distances"] == sorted(first["distances"]) and first["distances"][0] == 1
    assert all(np.isfinite(m) and m >= 0 for m in first["mean_abs_logit_change"])
    assert first["reads_last_words"] in first["distances"]
    # by hand, distance 1: remove each review's last word
    sequences = [s for s in (predictor.encode(t).model_ids for t in texts) if len(s) > 1]
    base = log_odds(predictor.predict_ids(sequences))
    cut = log_odds(predictor.predict_ids([s[:-1] for s in sequences]))
    assert abs(first["mean_abs_logit_change"][0] - float(np.mean(np.abs(base - cut)))) < 1e-6
    path = horizon.cache_path(store.root, snap.run_id, run.created)
    assert json.loads(path.read_text("utf-8")) == first
    stored = dict(first, seconds=-1.0)
    path.write_text(json.dumps(stored), "utf-8")
    assert horizon.cached_horizon(predictor, texts, store.root, run.created)["seconds"] == -1.0  # read, not recomputed
    assert snap.run_id in [r.run_id for r in store.scan()[0]]  # the cache folder is no run
