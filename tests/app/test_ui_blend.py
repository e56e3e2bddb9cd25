"""The blend on the pages: Evaluate fits it on a click and shows the three models and their disagreements; Predict
shows its verdict. Each test works in its own copy of the baseline tests' runs folder (the reveal flag is written)."""

from __future__ import annotations

import shutil

import pytest

from core.access import Actor
from core.runs.class_board import ClassBoard
from core.runs.store import BLEND_FILE, RunStore
from tests.app.ui_helpers import assert_clean, new_app, run_page, submit_review, texts, widget
from tests.conftest import TEACHER_TOKEN
from ui.blend import wording
from ui.classroom import identity
from ui.shared import state

pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.fixture
def blend_env(runs_env, baseline_runs, tmp_path, monkeypatch):
    root = tmp_path / "runs"
    shutil.copytree(baseline_runs, root)
    monkeypatch.setenv("IMDB_LAB_RUNS", str(root))
    return RunStore(root)


def _comparison(at):
    return next(d.value for d in at.dataframe if "model" in d.value.columns)


def _teacher_on(page: str):
    at = new_app()
    at.session_state[identity.TEACHER_KEY] = True
    at.run()
    return at.switch_page(f"pages/{page}.py").run()


def test_evaluate_fits_the_blend_then_shows_three_models_and_where_two_disagree(blend_env, monkeypatch):
    monkeypatch.setenv("IMDB_LAB_TEACHER_TOKEN", TEACHER_TOKEN)  # a class: the teacher fits, and reveals
    student = run_page("evaluate")
    assert_clean(student)
    assert wording.not_fitted() in texts(student) and not [b for b in student.button if b.key == "blend_fit"]
    teacher = _teacher_on("evaluate")
    widget(teacher, "button", "blend_fit").click().run()
    assert_clean(teacher)
    best = blend_env.best()
    assert (best.path / BLEND_FILE).is_file()
    assert "test accuracy" in _comparison(teacher).columns  # the teacher sees everything
    at = run_page("evaluate")  # a student again
    table = _comparison(at)
    assert list(table["model"]) == ["LSTM", "bag of words", "blend"]
    assert list(table.columns) == ["model", "validation accuracy"]  # test accuracy hidden until revealed
    page = texts(at)
    assert "Fitted on 30 validation reviews that neither model trained on" in page
    assert "validation reviews (the test set stays hidden" in page
    ClassBoard(blend_env.root).reveal_test(True, by=Actor(None, teacher=True))
    at.run()
    assert_clean(at)
    table = _comparison(at)
    assert "test accuracy" in table.columns and table["test accuracy"].between(0, 1).all()
    page = texts(at)
    assert "The LSTM and the bag of words disagree on" in page and "of 200 test reviews" in page, page
    shown = next(d.value for d in at.dataframe if "right" in d.value.columns)  # a tiny LSTM and a bag of words
    assert 0 < len(shown) <= 12 and shown["right"].isin(["LSTM", "bag of words"]).all()
    widget(at, "button", "blend_to_predict").click().run()  # the first (surest) disagreement
    assert at.title[0].value == "Predict"
    review = at.text_area(key=state.PREDICT_TEXT_KEY).value
    assert " ".join(review.split()).startswith(shown["review"][0].rstrip("…"))
    assert at.selectbox(key=state.PREDICT_RUN_KEY).value == best.run_id


def test_predict_shows_the_blends_verdict_once_it_is_fitted(blend_env):
    at = run_page("predict")
    submit_review(at, "Not bad at all, a really good film")
    assert_clean(at)
    assert wording.not_fitted() in texts(at)
    evaluate = run_page("evaluate")
    widget(evaluate, "button", "blend_fit").click().run()
    assert_clean(evaluate)
    at = run_page("predict")
    submit_review(at, "Not bad at all, a really good film")
    assert_clean(at)
    page = texts(at)
    assert f"**{wording.BLEND_NAME}**:" in page and "probability of positive" in page
    next(b for b in at.button if b.key == "predict_scramble_button").click().run()
    assert_clean(at)
    page = texts(at)
    assert "on average over 8 shuffles" in page and "in log-odds" in page
