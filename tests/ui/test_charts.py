"""ui.charts: every chart is a plain Altair spec with the right data."""

from __future__ import annotations

import numpy as np

from core.runs.evaluation import roc_curve
from tests.ui.fakes import toy_evaluation
from ui.evaluate import charts, tables
from ui.explore import charts as explore_charts, tables as explore_tables
from ui.predict import charts as predict_charts
from ui.shared import vega


def test_probability_chart_rows():
    spec = predict_charts.probability_chart({"run-a": 0.8, "run-b": 0.2}).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [(r["run"], r["label"]) for r in rows] == [("run-a", "positive"), ("run-b", "negative")]


def test_confusion_chart_counts():
    rows = tables.confusion_long(toy_evaluation().confusion())
    counts = {(r.true, r.predicted): r.reviews for r in rows.itertuples()}
    assert counts == {
        ("negative", "negative"): 2,
        ("negative", "positive"): 1,
        ("positive", "negative"): 1,
        ("positive", "positive"): 2,
    }
    spec = charts.confusion_cells_chart(toy_evaluation().confusion()).to_dict()
    assert {layer["mark"]["type"] for layer in spec["layer"]} == {"rect", "text"}


def test_roc_chart_has_the_auc_in_its_title_and_a_thinned_curve():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 5000)
    roc, auc = roc_curve(labels, rng.random(5000))
    thinned = tables.thin_curve(roc, 300)
    assert len(thinned) <= 301 and thinned.iloc[-1].tolist() == roc.iloc[-1].tolist()
    assert f"AUC {auc:.3f}" in charts.roc_chart(roc, auc).to_dict()["title"]


def test_a_cached_spec_is_the_validated_spec_streamlit_would_send():
    """ui.shared.vega.vega_lite_spec skips validation: it must still give exactly the validated, theme-free dict."""
    import altair as alt
    import pandas as pd

    lengths = pd.DataFrame({"tokens": [30, 80, 900, 1700], "split": "train", "label": ["pos", "neg", "pos", "neg"]})
    bins = explore_tables.length_histogram(lengths, bin_width=25, clip_at=1500)
    for chart in (
        explore_charts.length_histogram_chart(bins, bin_width=25, axis_end=1500, maxlen=400, log_scale=True, title="t"),
        explore_charts.coverage_chart(pd.DataFrame({"num_words": [100, 5000], "coverage": [0.5, 0.9]}), 2000),
    ):
        with alt.theme.enable("none"):
            validated = chart.to_dict(validate=True)
        assert vega.vega_lite_spec(chart) == validated
