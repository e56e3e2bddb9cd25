"""One test over every chart function of ``ui``: its spec validates and its data has the columns it encodes.

Each ``ui/<feature>/charts.py`` function that returns a chart (or a list of layers) has
a case below; a new chart function without one fails
:func:`test_every_chart_function_has_a_case`, so none goes untested.
"""

from __future__ import annotations

import ast
import importlib
from types import SimpleNamespace

import altair as alt
import numpy as np
import pandas as pd
import pytest

from tests.app.ui_helpers import batch_rows, epoch_rows
from tests.conftest import REPO
from tests.ui.fakes import toy_evaluation
from tests.ui.test_evaluation_charts import rated_evaluation
from ui.baseline import comparisons
from ui.explore import tables as explore_tables
from ui.runs import tables as runs_tables
from ui.train import tables as train_tables
from ui.xray import tables as xray_tables


def _history() -> dict:
    return {
        "epochs": [
            {"epoch": 1, "loss": 0.6, "accuracy": 0.7, "val_loss": 0.5, "val_accuracy": 0.75},
            {"epoch": 2, "loss": 0.4, "accuracy": 0.8, "val_loss": 0.45, "val_accuracy": 0.8},
        ],
        "batches": [{"step": 1, "epoch": 1, "batch": 1, "loss": 0.7, "accuracy": 0.5}],
    }


def _steps() -> list[list[str]]:
    return [["<start>"], ["not"], ["bad"]]


#: "module.function" -> (a call with realistic input, columns its data must have).
CASES = {
    "ui.explore.charts.length_histogram_chart": (
        lambda m: m.length_histogram_chart(
            explore_tables.length_histogram(
                pd.DataFrame({"tokens": [30, 80, 900], "split": "train", "label": ["pos", "neg", "pos"]}), 25, 1500
            ),
            bin_width=25,
            axis_end=1500,
            maxlen=400,
            log_scale=False,
            title="t",
        ),
        {"label", "start", "reviews"},
    ),
    "ui.explore.charts.coverage_chart": (
        lambda m: m.coverage_chart(pd.DataFrame({"num_words": [100, 5000], "coverage": [0.5, 0.9]}), 2000),
        {"num_words", "coverage"},
    ),
    "ui.train.charts.training_curve_chart": (
        lambda m: m.training_curve_chart(
            train_tables.curve_frames(batch_rows(2, 10), epoch_rows(2), 10, "loss"), "loss", "Loss", planned_epochs=4
        ),
        {"epoch", "value"},
    ),
    "ui.train.charts.position_rule": (lambda m: m.position_rule(1.5), {"epoch", "label"}),
    "ui.predict.charts.probability_chart": (
        lambda m: m.probability_chart({"run-a": 0.8, "run-b": 0.2}),
        {"run", "label"},
    ),
    "ui.evaluate.charts.confusion_chart": (
        lambda m: m.confusion_chart(toy_evaluation().confusion(0.5), 0.5),
        {"true", "predicted", "reviews"},
    ),
    "ui.evaluate.charts.confusion_cells_chart": (
        lambda m: m.confusion_cells_chart(toy_evaluation().confusion()),
        {"true", "predicted", "reviews"},
    ),
    "ui.evaluate.charts.roc_chart": (
        lambda m: m.roc_chart(*rated_evaluation().roc(), rated_evaluation().at_threshold(0.5)),
        {"false_positive_rate", "true_positive_rate"},
    ),
    "ui.evaluate.charts.precision_recall_chart": (
        lambda m: m.precision_recall_chart(
            *rated_evaluation().precision_recall(), rated_evaluation().at_threshold(0.5), 0.5
        ),
        {"recall", "precision"},
    ),
    "ui.evaluate.charts.calibration_chart": (
        lambda m: m.calibration_chart(rated_evaluation().calibration()),
        {"bin", "mean_probability", "positive_share", "reviews"},
    ),
    "ui.evaluate.charts.length_chart": (
        lambda m: m.length_chart(rated_evaluation().accuracy_by_length(300, 0.5, 2), 300, 0.75, min_reviews=2),
        {"band", "difference", "low", "high", "reads"},
    ),
    "ui.evaluate.charts.rating_accuracy_chart": (
        lambda m: m.rating_accuracy_chart(rated_evaluation().by_rating(0.5)),
        {"rating", "accuracy", "low", "high"},
    ),
    "ui.evaluate.charts.rating_probability_chart": (
        lambda m: m.rating_probability_chart(rated_evaluation().by_rating(0.5), 0.4),
        {"rating", "median", "p10", "p90"},
    ),
    "ui.evaluate.charts.labels_chart": (
        lambda m: m.labels_chart(
            pd.DataFrame(
                {
                    "reviews": [500, 2000, 25000],
                    "embeddings": ["learned", "glove-50d", "learned"],
                    "run_id": ["custom-a", "custom-b", None],
                    "runs": [1, 2, 0],
                    "validation_accuracy": [0.6, 0.8, np.nan],
                    "test_accuracy": [0.61, 0.79, np.nan],
                }
            ),
            "test_accuracy",
            "Test accuracy against training reviews",
            {"learned": "from scratch", "glove-50d": "GloVe 50d, fine-tuned"},
        ),
        {"reviews", "accuracy", "start", "run_id", "runs"},
    ),
    "ui.runs.charts.curves_chart": (
        lambda m: m.curves_chart(runs_tables.history_curves({"run-a": _history()}), "loss"),
        {"run", "epoch", "value"},
    ),
    "ui.baseline.charts.reference_rules": (
        lambda m: m.reference_rules(comparisons.reference_frame(0.86)),
        {"name", "value", "kind", "source", "label"},
    ),
    "ui.baseline.charts.probe_kind_chart": (
        lambda m: m.probe_kind_chart(
            pd.DataFrame(
                {"kind": ["negation", "all"], "model": ["lstm", "lstm"], "accuracy": [0.7, 0.8], "probes": [4, 8]}
            )
        ),
        {"kind", "model", "accuracy", "probes"},
    ),
    "ui.baseline.charts.embedding_chart": (
        lambda m: m.embedding_chart(
            comparisons.embedding_points(["good", "bad"], np.array([[1.0, 0.5], [-1.0, 0.2]]), {"good": 1.2}, "good"),
            (0.4, 0.2),
        ),
        {"word", "x", "y", "polarity", "found"},
    ),
    "ui.xray.charts.running_verdict_chart": (
        lambda m: m.running_verdict_chart(
            m.verdict_frame(SimpleNamespace(steps=_steps(), prefix_probability=[0.5, 0.3, 0.2]))
        ),
        {"label", "positive"},
    ),
    "ui.xray.charts.heatmap_chart": (
        lambda m: m.heatmap_chart(
            m.heatmap_frame(np.array([[0.1, -0.2], [0.3, 0.4], [0.0, 0.9]]), _steps(), [0, 1]), "h", gate=False
        ),
        {"unit", "label", "value"},
    ),
    "ui.xray.charts.unit_trace_chart": (
        lambda m: m.unit_trace_chart({"h": np.linspace(-1, 1, 3)}, _steps(), 0),
        {"label"},
    ),
    "ui.xray.charts.intervention_chart": (
        lambda m: m.intervention_chart(
            xray_tables.intervention_frame(
                SimpleNamespace(
                    original=SimpleNamespace(steps=_steps(), prefix_probability=[0.5, 0.3, 0.2]),
                    intervened=SimpleNamespace(steps=_steps(), prefix_probability=[0.5, 0.3, 0.6]),
                )
            )
        ),
        {"label", "series", "positive"},
    ),
    "ui.xray.charts.unit_roles_chart": (
        lambda m: m.unit_roles_chart([{"unit": 0, "mean_change": 0.2}, {"unit": 1, "mean_change": -0.1}], 1),
        {"unit", "change", "chosen"},
    ),
    "ui.xray.charts.horizon_chart": (
        lambda m: m.horizon_chart(
            {
                "last_words": [1, 2, 4],
                "same_verdict": [0.6, 0.8, 1.0],
                "mean_abs_logit_change": [0.3, 0.2, 0.0],
                "longer_reviews": [5, 3, 0],
                "agreement": 0.9,
            }
        ),
        {"last_words", "same", "change", "longer"},
    ),
}


def _chart_functions() -> set[str]:
    """Every public function of a ``ui/*/charts.py`` whose return annotation names an Altair chart."""
    found = set()
    for path in sorted((REPO / "ui").glob("*/charts.py")):
        module = f"ui.{path.parent.name}.charts"
        for node in ast.parse(path.read_text("utf-8")).body:
            public = isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
            if public and node.returns is not None and "alt.Chart" in ast.unparse(node.returns):
                found.add(f"{module}.{node.name}")
    return found


def test_every_chart_function_has_a_case():
    assert _chart_functions() == set(CASES)


def _columns(spec: dict) -> set[str]:
    return {column for rows in spec.get("datasets", {}).values() for row in rows for column in row}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_chart_validates_and_carries_its_columns(name):
    module, _, _ = name.rpartition(".")
    make, columns = CASES[name]
    made = make(importlib.import_module(module))
    chart = alt.layer(*made) if isinstance(made, list) else made
    spec = chart.to_dict(validate=True)  # raises on a spec Vega-Lite would reject
    assert columns <= _columns(spec), f"{name}: data lacks {columns - _columns(spec)}"
