"""ui.evaluate.charts and the Evaluate frames and words: chosen points, length differences, ratings, the runs table."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import pandas as pd
import pytest

from core.config import TrainConfig
from core.model.metrics import THRESHOLD
from core.runs.evaluation import Evaluation
from tests.ui.fakes import FakeRun
from ui.evaluate import charts, wording
from ui.runs import tables, wording as runs_wording


def rated_evaluation() -> Evaluation:
    table = pd.DataFrame(
        {
            "test_index": range(8),
            "review_id": range(8),
            "label": [1, 1, 1, 1, 0, 0, 0, 0],
            "probability": [0.95, 0.9, 0.6, 0.4, 0.55, 0.3, 0.1, 0.05],
            "tokens": [50, 150, 950, 60, 1500, 90, 120, 40],
            "rating": [10, 9, 8, 7, 4, 3, 2, 1],
        }
    )
    table["correct"] = (table["probability"] >= THRESHOLD) == (table["label"] == 1)
    return Evaluation("toy", table, {"accuracy": 6 / 8, "loss": 0.4, "count": 8, "auc": 0.9})


def datasets(chart) -> list[list[dict]]:
    return list(chart.to_dict()["datasets"].values())


def point_of(chart) -> dict:
    [point] = [
        rows[0] for rows in datasets(chart) if len(rows) == 1 and str(rows[0].get("text", "")).startswith("threshold")
    ]
    return point


def test_roc_and_precision_recall_mark_the_chosen_threshold():
    result = rated_evaluation()
    for threshold in (0.5, 0.35):
        chosen = result.at_threshold(threshold)
        roc = charts.roc_chart(*result.roc(), chosen)
        point = point_of(roc)
        assert (point["false_positive_rate"], point["true_positive_rate"]) == (
            chosen.false_positive_rate,
            chosen.recall,
        )
        assert point["text"] == f"threshold {threshold:.2f}"
        pr = charts.precision_recall_chart(*result.precision_recall(), chosen, result.positive_share)
        assert (point_of(pr)["recall"], point_of(pr)["precision"]) == (chosen.recall, chosen.precision)
        assert "average precision" in pr.to_dict()["title"]
    # Nothing called positive: no precision to mark.
    none = charts.precision_recall_chart(*result.precision_recall(), result.at_threshold(0.99))
    assert not [rows for rows in datasets(none) if len(rows) == 1 and "threshold" in str(rows[0].get("text"))]


def test_the_confusion_matrix_title_says_its_threshold():
    result = rated_evaluation()
    spec = charts.confusion_chart(result.confusion(0.35), 0.35).to_dict()
    assert spec["title"] == "Confusion matrix (test reviews, threshold 0.35)"


def test_calibration_chart_has_the_bins_and_the_perfect_diagonal():
    spec = charts.calibration_chart(rated_evaluation().calibration()).to_dict()
    rows = [rows for rows in spec["datasets"].values() if rows and "reviews" in rows[0]]
    assert sum(r["reviews"] for r in rows[0]) == 8
    assert any(
        rows == [{"mean_probability": 0.0, "positive_share": 0.0}, {"mean_probability": 1.0, "positive_share": 1.0}]
        for rows in spec["datasets"].values()
    )


def test_length_chart_plots_the_difference_from_overall_on_a_zoomed_axis():
    result = rated_evaluation()
    by_length = result.accuracy_by_length(300, min_reviews=2)
    chart = charts.length_chart(by_length, 300, 0.75, min_reviews=2)
    spec = chart.to_dict()
    bars = spec["layer"][0]
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["y"]["field"] == "difference"
    low, high = bars["encoding"]["y"]["scale"]["domain"]
    assert low == -high and high < 1  # not a 0-100% axis
    [rows] = [rows for rows in spec["datasets"].values() if rows and "band" in rows[0]]
    assert all(r["difference"] == pytest.approx(r["accuracy"] - 0.75) for r in rows)
    assert "0 = all reviews (75.0%)" in spec["title"]["subtitle"]
    assert any(r["text"].endswith("(few)") for r in rows) == any(r["few"] for r in rows)


def test_star_rating_charts_put_the_ratings_in_order_with_the_threshold():
    by_rating = rated_evaluation().by_rating()
    accuracy = charts.rating_accuracy_chart(by_rating).to_dict()
    assert accuracy["layer"][1]["encoding"]["x"]["sort"] == [1, 2, 3, 4, 7, 8, 9, 10]
    assert accuracy["layer"][1]["encoding"]["y"]["scale"]["zero"] is False  # points, a zoomed axis
    probability = charts.rating_probability_chart(by_rating, 0.4).to_dict()
    marks = [
        layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in probability["layer"]
    ]
    assert marks == ["rule", "bar", "tick", "point", "rule"]
    assert any(rows == [{"threshold": 0.4, "text": "threshold 0.40"}] for rows in probability["datasets"].values())


def test_mistake_titles_are_plain_words_with_the_stars_and_the_verdict_at_the_threshold():
    mistakes = rated_evaluation().confident_mistakes(5)
    titles = [wording.mistake_title(row) for _, row in mistakes.iterrows()]
    # 0.4 is farther from the threshold than 0.55: the surer mistake comes first.
    assert titles[0].startswith("Actually positive (7 stars), model said negative (p = 0.400) · 60 tokens · review 3")
    assert titles[1].startswith("Actually negative (4 stars), model said positive (p = 0.550)")
    strict = rated_evaluation().confident_mistakes(5, threshold=0.65)  # 0.6 is now a negative verdict, 0.55 right
    assert strict["probability"].tolist() == [0.4, 0.6]
    assert wording.mistake_title(strict.iloc[1]).startswith(
        "Actually positive (8 stars), model said negative (p = 0.600)"
    )
    one_star = pd.Series({"label": 0, "probability": 0.9, "tokens": 5, "review_id": 1, "rating": 1})
    assert wording.mistake_title(one_star).startswith("Actually negative (1 star), model said positive")


def test_threshold_and_rating_sentences():
    result = rated_evaluation()
    sentence = wording.threshold_sentence(result.at_threshold(0.5))
    assert "At threshold **0.50**" in sentence and "calls 4 reviews positive" in sentence
    assert "**75.0%** of those" in sentence and "**75.0%** of the positive reviews" in sentence
    assert "no review positive" in wording.threshold_sentence(result.at_threshold(0.99))
    graded = wording.rating_sentence(result.by_rating())
    assert "1-star reviews p = 0.05" in graded and "milder reviews sit closer" in graded
    flat = pd.DataFrame({"rating": [1, 4, 7, 10], "mean_probability": [0.2, 0.2, 0.8, 0.8]})
    assert "barely tells" in wording.rating_sentence(flat)
    assert wording.rating_sentence(flat.iloc[:2]) is None


class StoredRun(FakeRun):
    """A FakeRun with a history on disk, so the runs table reads its validation accuracy."""

    def __init__(self, tmp_path, run_id, accuracy, val_accuracy, **config):
        super().__init__(run_id, accuracy)
        self.path = tmp_path / run_id
        self.path.mkdir()
        history = {"batches": [], "epochs": [{"epoch": 1, "val_accuracy": val_accuracy}]}
        (self.path / "history.json").write_text(json.dumps(history))
        self.config = TrainConfig(**{"units": 8, **config})


def test_runs_table_shows_validation_accuracy_and_only_what_differs(tmp_path):
    runs = [
        StoredRun(tmp_path, "a", 0.90, 0.80, units=8),
        StoredRun(tmp_path, "b", 0.80, 0.85, units=16),
        StoredRun(tmp_path, "c", 0.85, 0.70, units=16, maxlen=200),
    ]
    table = tables.runs_table(runs)
    assert table["validation accuracy"].tolist() == [0.80, 0.85, 0.70]
    assert tables.differing_fields(table) == ["maxlen", "units"]
    assert tables.differing_fields(table.iloc[:1]) == list(tables.CONFIG_COLUMNS)  # one run: nothing to compare
    view = tables.runs_view(table, fields=tables.differing_fields(table))
    assert view["run"].tolist() == ["b", "a", "c"]  # by validation accuracy, not test accuracy
    assert "maxlen" in view.columns and "learning_rate" not in view.columns and "test accuracy" in view.columns
    assert set(tables.CONFIG_COLUMNS) <= set(tables.runs_view(table, fields=list(tables.CONFIG_COLUMNS)).columns)
    by_units = tables.runs_view(table, fields=[], sort_by="units", descending=False)
    assert by_units["run"].tolist()[0] == "a"
    assert tables.runs_view(table, fields=[], sort_by="run", descending=False)["run"].tolist() == ["a", "b", "c"]
    assert tables.filter_values(table, "units") == ["8", "16"]
    kept = tables.runs_view(table, fields=["units"], filter_by="units", keep=["16"])
    assert kept["run"].tolist() == ["b", "c"]
    assert tables.runs_view(table, fields=[], filter_by="units", keep=[])["run"].tolist() == ["b", "a", "c"]


def test_runs_without_a_history_sort_last_and_the_note_counts():
    runs = [FakeRun("no-history", 0.9), SimpleNamespace(**{**vars(FakeRun("x", 0.5)), "path": None})]
    table = tables.runs_table(runs)
    assert table["validation accuracy"].map(math.isnan).all()
    mixed = pd.DataFrame(
        {"run": ["a", "b", "c"], "best epoch": ["2", "-", "10"], "validation accuracy": [0.1, 0.2, 0.3]}
    )
    assert tables.runs_view(mixed, fields=[], sort_by="best epoch")["run"].tolist() == ["c", "a", "b"]
    assert tables.filter_values(mixed, "best epoch") == ["-", "10", "2"]
    note = runs_wording.runs_table_note(1, 3, 2, False)
    assert note.startswith("1 of 3 runs, with the 2 settings that differ") and "validation accuracy" in note
    assert runs_wording.runs_table_note(3, 3, 0, False).startswith("3 runs, with no setting")
    assert "every setting" in runs_wording.runs_table_note(3, 3, 2, True)
