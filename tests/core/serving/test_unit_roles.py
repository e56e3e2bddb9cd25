"""Unit roles: the batched replay gives each review's own silenced verdict, and names words the model read."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
import pytest

from core.data.corpus import Vocabulary
from core.encoding import arrays
from core.errors import LabError
from core.model.metrics import log_odds
from core.serving import interventions, unit_roles
from tests.core.serving.test_xray import SMALL, _model

WORDS = [
    "good",
    "bad",
    "great",
    "awful",
    "not",
    "but",
    "plot",
    "acting",
    "film",
    "story",
    "dull",
    "fine",
    "the",
    "a",
    "was",
]


def _predictor(config):
    """A Predictor's parts without a stored run: a tiny real network with large random weights."""
    from core.model.inference import inference_function
    from core.serving.predictor import Predictor

    predictor = Predictor.__new__(Predictor)
    predictor.config, predictor.model = config, _model(config)
    predictor.run, predictor.snapshot = SimpleNamespace(run_id="tiny"), None
    predictor.vocabulary = Vocabulary(tuple(WORDS), np.arange(len(WORDS), 0, -1))
    predictor.encoding, predictor._lock = arrays.encoding_for(config), threading.Lock()
    predictor._infer = inference_function(predictor.model)
    return predictor


def _texts(count: int) -> list[str]:
    rng = np.random.default_rng(5)
    return [" ".join(rng.choice(WORDS, rng.integers(3, 30))) for _ in range(count)]


@pytest.mark.parametrize(
    "config",
    [
        SMALL.replace(pooling="max-mean"),
        SMALL.replace(bidirectional=True, pooling="max-mean", layers=2),
        SMALL.replace(cell="gru", mask_zero=True, bucketing=False),
    ],
    ids=["lstm-max-mean", "stacked-bidirectional", "masked-gru"],
)
def test_each_units_effect_is_the_mean_of_its_silenced_verdicts(config, monkeypatch):
    monkeypatch.setattr(unit_roles, "CHUNK", 16)  # several chunks of different lengths
    predictor = _predictor(config)
    texts = _texts(40)
    frame = unit_roles.unit_roles(predictor, texts)
    units = config.units * (2 if config.bidirectional else 1)
    assert list(frame["unit"]) == list(range(units)) and frame.attrs["reviews"] == 40
    assert set(frame["direction"]) == ({"forward", "backward"} if config.bidirectional else {"forward"})
    base = log_odds(predictor.predict(texts))
    for unit in (0, units - 1):
        silenced = [interventions.intervene(predictor, t, [f"silence:{unit}"]).intervened.probability for t in texts]
        expected = log_odds(silenced) - base
        row = frame.iloc[unit]
        assert row["mean_change"] == pytest.approx(expected.mean(), abs=2e-4)
        assert row["mean_abs_change"] == pytest.approx(np.abs(expected).mean(), abs=2e-4)
        # Its example review: the argmax of |change| over the reviews (float32 vs float64: a near-tie may differ).
        assert abs(expected[row["example"]]) == pytest.approx(np.abs(expected).max(), abs=2e-4)
        assert row["example_change"] == pytest.approx(expected[row["example"]], abs=2e-4)
    named = {w for words in frame["words_up"] + frame["words_down"] for w in words}
    assert named and named <= set(WORDS)  # words the reviews hold (read at least MIN_COUNT times)


def test_validation_texts_come_from_the_runs_validation_reviews(toy):
    data, store, snap = toy
    config = store.get(snap.run_id).config
    texts = unit_roles.validation_texts(data, config, reviews=7)
    _, validation, _ = arrays.split_training(data, config)
    assert texts == [data.train.texts[i] for i in validation[:7]]
    assert not set(texts) & set(data.test.texts)
    from core.serving.predictor import Predictor

    with pytest.raises(LabError, match="at least one review"):
        unit_roles.unit_roles(Predictor(snap.run_id, store), [])
