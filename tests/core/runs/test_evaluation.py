"""core.runs.evaluation: verdicts at any threshold, the curves, length bands, star ratings, validation accuracy."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from core.model.metrics import THRESHOLD
from core.runs.evaluation import (
    MIN_BAND_REVIEWS,
    Evaluation,
    evaluate,
    roc_curve,
    wilson_interval,
)
from core.runs.store import RunStore, validation_accuracy
from tests.core.runs.fake_runs import FINGERPRINT, save_fake_run


def evaluation_of(labels, probabilities, tokens=None, ratings=None) -> Evaluation:
    n = len(labels)
    table = pd.DataFrame(
        {
            "test_index": range(n),
            "review_id": range(n),
            "label": labels,
            "probability": probabilities,
            "tokens": tokens if tokens is not None else [50] * n,
            "rating": ratings if ratings is not None else [-1] * n,
        }
    )
    table["correct"] = (table["probability"] >= THRESHOLD) == (table["label"] == 1)
    return Evaluation("toy", table, {})


TOY = evaluation_of([1, 1, 1, 0, 0, 0], [0.9, 0.8, 0.3, 0.2, 0.6, 0.1], ratings=[10, 8, 7, 1, 4, 2])


def test_the_default_threshold_is_the_labs_and_a_higher_one_moves_reviews_to_negative():
    assert TOY.confusion().to_numpy().tolist() == TOY.confusion(THRESHOLD).to_numpy().tolist() == [[2, 1], [1, 2]]
    # At 0.7 the 0.6 negative is no longer called positive: one false positive fewer.
    assert TOY.confusion(0.7).to_numpy().tolist() == [[3, 0], [1, 2]]
    assert TOY.confusion(0.95).to_numpy().tolist() == [[3, 0], [3, 0]]


def test_threshold_metrics_follow_the_threshold():
    default, strict = TOY.at_threshold(), TOY.at_threshold(0.7)
    assert (default.accuracy, default.precision, default.recall) == pytest.approx((4 / 6, 2 / 3, 2 / 3))
    assert default.false_positive_rate == pytest.approx(1 / 3) and default.called_positive == 3
    assert (strict.accuracy, strict.precision, strict.recall, strict.false_positive_rate) == pytest.approx(
        (5 / 6, 1.0, 2 / 3, 0.0)
    )
    nobody = TOY.at_threshold(0.99)
    assert nobody.called_positive == 0 and nobody.precision == 0 and nobody.recall == 0


def test_roc_and_precision_recall_curves():
    points, auc = TOY.roc()
    assert points.iloc[0].tolist() == [0.0, 0.0] and points.iloc[-1].tolist() == [1.0, 1.0]
    assert auc == pytest.approx(8 / 9)
    assert roc_curve(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9]))[1] == 1.0
    assert roc_curve(np.array([0, 0, 1, 1]), np.array([0.5] * 4))[1] == 0.5
    assert roc_curve(np.array([1, 1]), np.array([0.3, 0.9]))[1] == 0.5  # one label only: no curve, no error
    curve, average_precision = TOY.precision_recall()
    assert {"recall", "precision", "threshold"} <= set(curve.columns)
    assert curve["recall"].max() == 1.0 and curve["recall"].min() == 0.0
    assert 0 < average_precision <= 1


def test_calibration_bins_count_every_review_and_compare_said_with_true():
    table = TOY.calibration(bins=2)
    assert table["reviews"].tolist() == [3, 3] and table["reviews"].sum() == 6
    low, high = table.iloc[0], table.iloc[1]
    assert low["mean_probability"] == pytest.approx((0.3 + 0.2 + 0.1) / 3) and low["positive_share"] == pytest.approx(
        1 / 3
    )
    assert high["mean_probability"] == pytest.approx((0.9 + 0.8 + 0.6) / 3) and high["positive_share"] == pytest.approx(
        2 / 3
    )
    assert (low["start"], low["end"]) == (0.0, 0.5)
    assert TOY.calibration().shape[0] == 6  # ten bins, six of them filled


def test_small_length_bands_are_merged_with_their_neighbours_and_flagged():
    tokens = [50] * 150 + [150] * 120 + [250] * 30 + [900] * 110 + [1500] * 5
    n = len(tokens)
    result = evaluation_of([1] * n, [0.9] * (n - 5) + [0.1] * 5, tokens=tokens)
    unmerged = result.accuracy_by_length(maxlen=300)
    assert unmerged["reviews"].tolist() == [150, 120, 30, 110, 5]
    bands = result.accuracy_by_length(maxlen=300, min_reviews=MIN_BAND_REVIEWS)
    # 201-300 (30 reviews) joins 101-200; the 5 reviews of 1,201+ join 801-1,200 (both truncated).
    assert bands["band"].tolist() == ["1-100", "101-300", "801+"]
    assert bands["reviews"].tolist() == [150, 150, 115] and not bands["few"].any()
    assert bands["truncated"].tolist() == [False, False, True]
    last = bands.iloc[-1]
    assert last["accuracy"] == pytest.approx(110 / 115) and last["low"] < last["accuracy"] < last["high"]
    overall = (n - 5) / n
    assert bands["difference"].tolist() == pytest.approx((bands["accuracy"] - overall).tolist())


def test_a_kind_with_too_few_reviews_stays_one_flagged_band():
    result = evaluation_of([1] * 130, [0.9] * 130, tokens=[50] * 120 + [500] * 10)
    bands = result.accuracy_by_length(maxlen=300, min_reviews=100)
    assert bands["band"].tolist() == ["1-100", "401-600"] and bands["few"].tolist() == [False, True]


def test_length_bands_follow_the_threshold():
    at_default = TOY.accuracy_by_length(threshold=THRESHOLD)
    strict = TOY.accuracy_by_length(threshold=0.7)
    assert at_default["accuracy"].tolist() == [4 / 6] and strict["accuracy"].tolist() == [5 / 6]


def test_accuracy_and_probability_by_star_rating():
    frame = TOY.by_rating()
    assert frame["rating"].tolist() == [1, 2, 4, 7, 8, 10]
    assert frame["label"].tolist() == ["negative"] * 3 + ["positive"] * 3
    four = frame.set_index("rating").loc[4]
    assert four["accuracy"] == 0.0 and four["mean_probability"] == pytest.approx(0.6) and four["reviews"] == 1
    assert (
        frame.set_index("rating").loc[4, "accuracy"] == 0
        and TOY.by_rating(0.7).set_index("rating").loc[4, "accuracy"] == 1
    )
    spread = evaluation_of([0] * 5, [0.1, 0.2, 0.3, 0.4, 0.5], ratings=[3] * 5).by_rating().iloc[0]
    assert (spread["q1"], spread["median"], spread["q3"]) == pytest.approx((0.2, 0.3, 0.4))
    assert spread["p10"] < spread["q1"] and spread["p90"] > spread["q3"]
    unrated = evaluation_of([1, 0], [0.9, 0.1], ratings=[-1, -1]).by_rating()
    assert unrated.empty and "median" in unrated.columns
    no_column = Evaluation("x", TOY.table.drop(columns="rating"), {})
    assert no_column.by_rating().empty


def test_confident_mistakes_follow_the_threshold():
    mistakes = TOY.confident_mistakes(5)
    assert mistakes["probability"].tolist() == [0.3, 0.6]  # 0.2 from the threshold, then 0.1
    assert mistakes["predicted"].tolist() == ["negative", "positive"]
    strict = TOY.confident_mistakes(5, threshold=0.85)
    assert strict["probability"].tolist() == [0.3, 0.8] and set(strict["predicted"]) == {"negative"}


def test_wilson_interval_is_wide_for_few_reviews():
    low, high = wilson_interval([4, 400], [5, 500])
    assert high[0] - low[0] > 0.3 > high[1] - low[1]
    assert 0 <= low[0] < 0.8 < high[0] <= 1


def test_evaluate_joins_labels_lengths_and_ratings(tmp_path):
    store = RunStore(tmp_path / "runs")
    run = save_fake_run(store)  # its test predictions: reviews 0-3, each 0.7
    data = SimpleNamespace(
        fingerprint=FINGERPRINT,
        test=SimpleNamespace(
            labels=np.array([1, 0, 1, 0], dtype=np.int8),
            review_ids=np.array([11, 12, 13, 14]),
            lengths=np.array([10, 20, 30, 40]),
            ratings=np.array([9, 3, 7, 4], dtype=np.int8),
        ),
    )
    result = evaluate(run.run_id, data, store)
    assert result.table["rating"].tolist() == [9, 3, 7, 4]
    assert result.metrics["accuracy"] == 0.5 and result.metrics["auc"] == 0.5
    assert result.by_rating()["accuracy"].tolist() == [0.0, 0.0, 1.0, 1.0]


def test_validation_accuracy_is_the_kept_epochs(tmp_path):
    store = RunStore(tmp_path / "runs")
    run = save_fake_run(store)
    assert validation_accuracy(run) == pytest.approx(0.68)  # its one epoch, the best
    history = {
        "batches": [],
        "epochs": [
            {"epoch": 1, "val_accuracy": 0.7},
            {"epoch": 2, "val_accuracy": 0.8},
            {"epoch": 3, "val_accuracy": 0.75},
        ],
    }
    (run.path / "history.json").write_text(json.dumps(history))
    assert validation_accuracy(replace(run, best_epoch=2)) == 0.8  # early stopping kept epoch 2
    assert validation_accuracy(replace(run, best_epoch=None)) == 0.75  # the last epoch
    (run.path / "history.json").write_text(json.dumps({"batches": [], "epochs": []}))
    assert math.isnan(validation_accuracy(replace(run, best_epoch=None)))
    assert math.isnan(validation_accuracy(replace(run, path=tmp_path / "nowhere", best_epoch=1)))
