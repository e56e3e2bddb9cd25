"""Predict's "See inside the LSTM": a typed review gets its running verdict and X-ray heatmaps, from the real model."""

from __future__ import annotations

import pytest

from core.serving.predictor import Predictor
from core.serving.xray import xray
from tests.app.ui_helpers import assert_clean, chart_data, charts, run_page, submit_review, texts
from tests.conftest import REPO
from ui.xray.wording import HOW_TO_READ, memory_horizon_how_to_read

TEXT_KEY = "predict_text"
pytestmark = pytest.mark.usefixtures("fresh_caches")
REVIEW = "The plot was not bad at all, and the acting was wonderful."


def _typed(review: str):
    at = run_page("predict")
    assert_clean(at)
    submit_review(at, review)
    assert_clean(at)
    return at


def test_the_running_verdict_and_the_heatmaps_are_the_models(runs_env):
    at = _typed(REVIEW)
    assert "See inside the LSTM" in texts(at)
    run = next(r for r in runs_env.scan()[0] if r.run_id == at.selectbox(key="predict_run").value)
    expected = xray(Predictor(run.run_id, runs_env), REVIEW)
    [verdict] = [c for c in charts(at) if any("jump" in d.columns for d in chart_data(c))]
    frame = next(d for d in chart_data(verdict) if "jump" in d.columns)
    assert frame["positive"].tolist() == pytest.approx(expected.prefix_probability, abs=1e-6)
    assert frame["positive"].iloc[-1] == pytest.approx(expected.probability, abs=1e-6)
    heat = [d for c in charts(at) for d in chart_data(c) if {"unit", "rank", "value"} <= set(d.columns)]
    assert heat, "no heatmap"
    units = run.config.units
    assert heat[0]["unit"].nunique() == units and heat[0]["step"].nunique() == len(expected.steps)
    labels = [t.label for t in at.tabs]
    assert {"hidden state h", "cell state c", "input gate i", "forget gate f", "output gate o"} <= set(labels)
    gates = [d for d in heat if d["value"].between(0, 1).all()]
    assert gates  # the gate heatmaps
    captions = [c.value for c in at.caption]
    assert HOW_TO_READ["running_verdict"] in captions and HOW_TO_READ["heatmaps"] in captions
    assert not [w for w in at.warning if "words and the model reads only" in w.value]  # a short review: no cut


def test_a_review_longer_than_the_model_reads_says_its_words_are_cut(runs_env):
    at = _typed(" ".join(["a dull film but the music was good"] * 15))  # 120 words; the tiny runs read 80
    [warning] = [w.value for w in at.warning if "words and the model reads only" in w.value]
    assert "120 words" in warning and "last 80" in warning and "40 others never reach the verdict" in warning


def test_following_a_unit_and_unsorting_rerender(runs_env):
    at = _typed(REVIEW)
    unit = at.selectbox(key="xray_unit")
    unit.select(unit.options[-1] if isinstance(unit.options[-1], int) else int(unit.options[-1])).run()
    assert_clean(at)
    at.toggle(key="xray_sort").set_value(False).run()
    assert_clean(at)
    assert any("over the review" in str(c.proto.spec) for c in charts(at))


def test_words_in_the_jumps_are_escaped(runs_env):
    at = _typed("<b>awful</b> <script>x</script> terrible awful boring")
    assert_clean(at)
    for m in at.markdown:
        assert "<script>" not in m.value


def horizon_of_run(store, run) -> dict:
    import json

    from core.serving.horizon import cache_path

    return json.loads(cache_path(store.root, run.run_id, run.created).read_text("utf-8"))


def test_the_memory_horizon_is_measured_on_a_click_and_then_stored(runs_env):
    from core.serving.horizon import cache_path

    at = _typed(REVIEW)
    run = next(r for r in runs_env.scan()[0] if r.run_id == at.selectbox(key="predict_run").value)
    cache_path(runs_env.root, run.run_id, run.created).unlink(missing_ok=True)
    at = _typed(REVIEW)
    assert not any("Memory horizon:" in str(c.proto.spec) for c in charts(at))
    at.button(key="xray_horizon").click().run()
    assert_clean(at)
    [chart] = [c for c in charts(at) if "Memory horizon" in str(c.proto.spec)]
    frame = next(d for d in chart_data(chart) if "last_words" in d.columns)
    assert frame["last_words"].iloc[0] == 1 and frame["last_words"].is_monotonic_increasing
    assert frame["same"].between(0, 1).all() and frame["same"].iloc[-1] == 1.0 and (frame["change"] >= 0).all()
    result = horizon_of_run(runs_env, run)
    assert frame["same"].tolist() == pytest.approx(result["same_verdict"]) and result["split"] == "validation"
    assert "this model gives the same verdict as from the whole review" in texts(at)
    assert memory_horizon_how_to_read(result["reviews"], result["agreement"]) in [c.value for c in at.caption]
    assert cache_path(runs_env.root, run.run_id, run.created).is_file()


def test_predict_shows_the_selected_runs_layers(runs_env):
    at = _typed(REVIEW)
    run = next(r for r in runs_env.scan()[0] if r.run_id == at.selectbox(key="predict_run").value)
    tables = [df.value for df in at.dataframe if "Parameters" in df.value.columns]
    assert tables and tables[0]["Layer"].iloc[-1] == "positive"
    from core.serving.layers import total_params

    assert int(tables[0]["Parameters"].sum()) == total_params(run.config)


@pytest.mark.parametrize(
    ("probability", "headline"), [(0.995, "100% positive"), (0.004, "100% negative"), (0.37, "63% negative")]
)
def test_the_verdict_in_plain_words_and_no_undertrained_guess(runs_env, probability, headline, monkeypatch):
    """Contributions are log-odds on a fixed scale, so a saturated run is never called undertrained."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SATURATED_RUNS", str(runs_env.root))
    monkeypatch.setenv("SATURATED_PROBABILITY", str(probability))
    at = AppTest.from_file(str(REPO / "tests" / "app" / "saturated_page.py"), default_timeout=60).run()
    assert_clean(at)
    page = texts(at)
    assert headline in page and "confidence" not in page.lower() and "undertrained" not in page
    assert "barely reacts to them one at a time" in page  # the words here move the log-odds by 0.001
