"""The LSTM + bag-of-words blend: fitted on held-out validation reviews only, tested once, stored with the run.

One tiny run (TINY: 300 training reviews, 30 of them validation, 200 test reviews) is
trained for real, and a small baseline (3,000 training reviews, same seed) is fitted
for real: the run's 30 validation reviews are among the baseline's 300 validation reviews.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from core.encoding.arrays import split_training
from core.model.baseline import BaselineConfig, split_indices
from core.model.training import train
from core.runs import blend as core_blend
from core.runs.baseline_store import BaselineStore
from core.runs.blend import BASELINE, BLEND, LSTM, BlendError, blend_for, disagreements, fit_blend, held_out_reviews
from core.runs.store import BLEND_FILE, RunStore
from core.serving.predictor import Predictor
from tests.conftest import TINY

SMALL = BaselineConfig(train_limit=3000, test_limit=200)


@pytest.fixture(scope="module")
def stored(imdb, tmp_path_factory):
    root = tmp_path_factory.mktemp("blend-runs")
    store = RunStore(root)
    run = store.get(store.save(train(TINY, imdb), TINY, imdb).run_id)
    baseline = BaselineStore(root).get_or_fit(imdb, SMALL)
    return store, run, baseline, Predictor(run.run_id, store).predict


def _adversarial(data):
    """The same data with every test label flipped: a fit that reads them would come out different."""
    flipped = dataclasses.replace(data.test, labels=(1 - data.test.labels).astype(data.test.labels.dtype))
    return dataclasses.replace(data, test=flipped)


def test_no_test_label_reaches_the_fit(stored, imdb):
    store, run, baseline, score = stored
    honest = fit_blend(run, store, imdb, baseline, score)
    flipped = fit_blend(run, store, _adversarial(imdb), baseline, score)
    weights = lambda b: (b.lstm_weight, b.baseline_weight, b.intercept)  # noqa: E731
    assert weights(flipped) == weights(honest)
    assert flipped.accuracy["validation"] == honest.accuracy["validation"]
    for model in (
        LSTM,
        BASELINE,
    ):  # the test labels were read, after the fit: every verdict is now wrong where it was right
        assert flipped.accuracy["test"][model] == pytest.approx(1 - honest.accuracy["test"][model])


def test_the_fit_sees_only_held_out_validation_reviews(stored, imdb, monkeypatch):
    store, run, baseline, score = stored
    seen = {}
    real = core_blend.fit_weights

    def spy(lstm, bow, labels):
        seen["labels"] = np.asarray(labels)
        return real(lstm, bow, labels)

    monkeypatch.setattr(core_blend, "fit_weights", spy)
    blend = fit_blend(run, store, imdb, baseline, score)
    used = blend.arrays["validation_index"]
    _, run_validation, _ = split_training(imdb, run.config)
    baseline_fit, _ = split_indices(len(imdb.train), SMALL)
    assert set(used) == set(run_validation) and len(used) == 30  # the default seed: all of the run's validation
    assert not set(used) & set(baseline_fit)
    assert np.array_equal(seen["labels"], imdb.train.labels[used])


def test_a_baseline_that_trained_on_the_runs_validation_reviews_is_held_out_or_refused(stored, imdb):
    _, run, _, _ = stored
    other_seed = dataclasses.asdict(BaselineConfig(seed=1))  # fitted on 22,500 reviews drawn otherwise
    _, run_validation, _ = split_training(imdb, run.config)
    baseline_fit, _ = split_indices(len(imdb.train), BaselineConfig(seed=1))
    overlap = np.isin(run_validation, baseline_fit)
    assert overlap.sum() > len(run_validation) - core_blend.MIN_FIT_REVIEWS  # most of them were seen
    with pytest.raises(BlendError, match="unseen by the bag-of-words baseline"):
        held_out_reviews(run, imdb, other_seed)
    some = dataclasses.asdict(BaselineConfig(seed=1, train_limit=5000))  # fitted on 4,500 reviews: a few of the 30
    held = held_out_reviews(run, imdb, some)
    assert not np.isin(held, split_indices(len(imdb.train), BaselineConfig(**some))[0]).any()
    assert set(held) < set(run_validation)


def test_test_accuracy_is_measured_on_the_runs_test_reviews(stored, imdb):
    store, run, baseline, score = stored
    blend = fit_blend(run, store, imdb, baseline, score)
    index, lstm = store.test_predictions(run.run_id)
    assert np.array_equal(blend.arrays["test_index"], index) and len(index) == TINY.test_limit
    labels = imdb.test.labels[index]
    assert blend.accuracy["test"][LSTM] == pytest.approx(run.test_accuracy)
    bow = baseline.model.predict_proba([imdb.test.texts[i] for i in index])
    assert blend.accuracy["test"][BASELINE] == pytest.approx(np.mean((bow >= 0.5) == (labels == 1)))
    mixed = blend.probability(lstm, bow)
    assert blend.accuracy["test"][BLEND] == pytest.approx(np.mean((mixed >= 0.5) == (labels == 1)))


def test_one_texts_blend_follows_the_weights(stored, imdb):
    store, run, baseline, score = stored
    blend = fit_blend(run, store, imdb, baseline, score)
    z = blend.lstm_weight * np.log(0.8 / 0.2) + blend.baseline_weight * np.log(0.3 / 0.7) + blend.intercept
    assert float(blend.probability(0.8, 0.3)) == pytest.approx(1 / (1 + np.exp(-z)))
    assert blend.baseline_weight > 0  # the baseline is the stronger model on 300 reviews: the blend trusts it


def test_the_blend_is_stored_with_the_run_and_keyed_by_the_baseline(stored, imdb):
    store, run, baseline, score = stored
    first = blend_for(run, store, imdb, baseline, score)
    assert (run.path / BLEND_FILE).is_file()

    def refuse(texts):
        raise AssertionError("a stored blend is read back, not fitted again")

    again = blend_for(run, store, imdb, baseline, refuse)
    assert again.lstm_weight == first.lstm_weight and again.accuracy == first.accuracy
    other = dataclasses.replace(baseline, created=baseline.created + 1)  # another baseline: fitted anew
    calls = []
    blend_for(run, store, imdb, other, lambda texts: calls.append(len(texts)) or score(texts))
    assert calls == [30]
    (run.path / BLEND_FILE).write_bytes(b"not an npz")  # damaged: fitted again, never a traceback
    assert blend_for(run, store, imdb, baseline, score).accuracy == first.accuracy


def test_disagreements_count_who_is_right_on_a_hand_made_case():
    reviews = pd.DataFrame(
        {
            "index": [10, 11, 12, 13, 14, 15],
            "label": [1, 1, 0, 0, 1, 0],
            LSTM: [0.9, 0.2, 0.4, 0.7, 0.6, 0.1],
            BASELINE: [0.8, 0.6, 0.55, 0.2, 0.4, 0.9],
            BLEND: [0.9, 0.4, 0.3, 0.4, 0.5, 0.5],
        }
    )
    found = disagreements(reviews)
    assert found.reviews == 6 and found.count == 5  # all but review 10
    assert found.right(LSTM) == 3 and found.right(BASELINE) == 2
    assert list(found.table["index"]) == [15, 13, 11, 14, 12]  # widest gap first: 0.8, 0.5, 0.4, 0.2, 0.15
    assert dict(zip(found.table["index"], found.table["right"], strict=True)) == {
        15: LSTM,
        13: BASELINE,
        11: BASELINE,
        14: LSTM,
        12: LSTM,
    }


def test_the_class_board_ranks_each_stored_blend_as_a_row_of_its_own(stored, imdb, tmp_path):
    from core.runs.blend import stored_blend_accuracies
    from core.runs.class_board import ClassBoard
    from core.runs.store import validation_accuracy

    store, run, baseline, score = stored
    fitted = blend_for(run, store, imdb, baseline, score)
    runs = store.list()
    assert [(r.run_id, a) for r, a in stored_blend_accuracies(runs, baseline)] == [(run.run_id, fitted.accuracy)]
    other = dataclasses.replace(baseline, created=baseline.created + 1)
    assert stored_blend_accuracies(runs, other) == [] and stored_blend_accuracies(runs, None) == []  # nothing fitted

    table = ClassBoard(tmp_path).table(runs, validation_accuracy, None, stored_blend_accuracies(runs, baseline))
    row = table[table["run"] == f"{run.run_id} + bag of words"].iloc[0]
    assert row["validation accuracy"] == fitted.accuracy["validation"][BLEND]  # ranked by validation, like the rest
    assert "test accuracy" not in table.columns  # hidden until the teacher reveals it, as for every row
    assert row["model"].startswith("blend: ") and len(table) == len(runs) + 1
