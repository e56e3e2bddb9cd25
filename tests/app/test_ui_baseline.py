"""The bag-of-words baseline on the pages: Predict's verdict and Scramble, Evaluate's probes, table and lines, Train's line.

A small baseline (3,000 training reviews, 1,000 test reviews of the shared archive) is
fitted once per session with core into a copy of the tiny runs' folder (``baseline_runs``
in conftest), so these tests never touch the folder the other page tests share.
"""

from __future__ import annotations

import pytest

from core.runs.baseline_store import BaselineStore
from tests.app.ui_helpers import (
    assert_clean,
    chart_data,
    chart_spec,
    charts,
    new_app,
    run_page,
    submit_review,
    texts,
    widget,
)
from tests.conftest import TEACHER_TOKEN

pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.fixture
def with_baseline(runs_env, baseline_runs, monkeypatch):
    monkeypatch.setenv("IMDB_LAB_RUNS", str(baseline_runs))
    return baseline_runs


def _datasets(at) -> list:
    return [frame for chart in charts(at) for frame in chart_data(chart)]


def test_predict_shows_the_baseline_verdict_and_scramble_shows_both(with_baseline):
    at = run_page("predict")
    submit_review(at, "Not bad at all, a really good film")
    assert_clean(at)
    page = texts(at)
    assert "**Bag-of-words baseline**:" in page, page
    assert "Its words towards positive: `" in page and "`good`" in page, page
    next(b for b in at.button if b.key == "predict_scramble_button").click().run()
    assert_clean(at)
    scrambled = at.session_state["predict_scramble"]
    assert scrambled[0] == "Not bad at all, a really good film"
    shown = [t.value for t in at.text]
    assert len(shown) == 1 and sorted(shown[0].split()) == sorted(
        ["not", "bad", "at", "all", "a", "really", "good", "film"]
    )
    page = texts(at)
    assert "LSTM run" in page and page.count("→") >= 2


def test_predict_without_a_baseline_offers_to_fit_it(runs_env):
    at = run_page("predict")
    submit_review(at, "A fine film")
    assert_clean(at)
    assert any(b.key == "predict_fit_baseline" for b in at.button)


def test_in_a_class_only_the_teacher_may_fit_the_baseline(runs_env, monkeypatch):
    """A minute of the web server's CPU is the teacher's call: students read why there is no button."""
    from ui.classroom import identity

    monkeypatch.setenv("IMDB_LAB_TEACHER_TOKEN", TEACHER_TOKEN)
    for teacher in (False, True):
        at = new_app()
        at.session_state[identity.TEACHER_KEY] = teacher
        at.run()
        at.switch_page("pages/predict.py").run()
        submit_review(at, "A fine film")
        assert_clean(at)
        assert any(b.key == "predict_fit_baseline" for b in at.button) is teacher
        assert ("the teacher fits it, once for everyone" in texts(at)) is not teacher


def test_evaluate_scores_the_probes_and_draws_the_lines(with_baseline):
    at = run_page("evaluate")
    assert_clean(at)
    probe_chart = next(c for c in charts(at) if "Word-order probes" in str(chart_spec(c).get("title")))
    models = set(chart_data(probe_chart)[0]["model"])
    assert "bag-of-words baseline" in models and len(models) == 2
    [table] = [d.value for d in at.dataframe if "test accuracy" in d.value.columns]
    assert "bag-of-words baseline" in set(table["run"])
    at.multiselect(key="evaluate_overlay").set_value(list(table["run"][table["run"] != "bag-of-words baseline"])).run()
    assert_clean(at)
    references = [f for f in _datasets(at) if "kind" in f.columns and "source" in f.columns]
    names = set(references[0]["name"])
    assert {"Maas et al. 2011", "NBSVM-bigram", "bag-of-words baseline (validation)"} <= names
    stored = BaselineStore(with_baseline).find()
    assert stored.report.validation_accuracy in set(references[0]["value"])


def test_train_curves_carry_the_baseline_line(fake_manager, baseline_runs, monkeypatch):
    monkeypatch.setenv("IMDB_LAB_RUNS", str(baseline_runs))
    at = run_page("train")
    widget(at, "slider", "train_epochs").set_value(2).run()
    next(b for b in at.button if b.label == "Train").click().run()
    assert_clean(at)
    references = [f for f in _datasets(at) if "source" in f.columns]
    assert references and "bag-of-words baseline (validation)" in set(references[0]["name"])


def test_evaluate_projects_the_embeddings_and_finds_words(with_baseline):
    at = run_page("evaluate")
    at.text_input(key="evaluate_embed_search").input("good bad").run()
    assert_clean(at)
    chart = next(c for c in charts(at) if "Word embeddings" in str(chart_spec(c).get("title")))
    [points] = chart_data(chart)
    assert len(points) > 50 and set(points.loc[points["found"], "word"]) == {"good", "bad"}
    polarity = dict(zip(points["word"], points["polarity"], strict=True))
    assert polarity["good"] > 0 > polarity["bad"]  # the baseline's weights colour them
    from ui.xray.wording import HOW_TO_READ

    assert any(c.value.startswith(HOW_TO_READ["embedding_map"]) for c in at.caption)  # how to read the map
