"""Training you can scrub: the snapshot slider on Predict, Train and Evaluate, with the tiny runs' real snapshots."""

from __future__ import annotations

import shutil

import pytest

from core.runs import snapshots
from core.serving.predictor import Predictor
from tests.app.ui_helpers import assert_clean, chart_data, chart_spec, charts, new_app, run_page, submit_review, texts
from tests.conftest import TINY
from ui.shared import state
from ui.snapshots import panel as snapshots_panel

pytestmark = pytest.mark.usefixtures("fresh_caches")
REVIEW = "Not bad at all, a really good film"


def _picked(at, store):
    return store.get(at.selectbox(key=state.PREDICT_RUN_KEY).value)


def _probability(at) -> float:
    return float(next(m.value for m in at.metric if m.label == "Probability of positive"))


def _rules(at) -> list[float]:
    """Where the dashed "this snapshot" rules of the page's charts stand (x in epochs)."""
    return [
        float(frame["epoch"].iloc[0])
        for chart in charts(at)
        for frame in chart_data(chart)
        if "label" in frame.columns and "this snapshot" in set(frame["label"])
    ]


def test_predict_recomputes_the_verdict_words_and_xray_at_the_chosen_snapshot(runs_env):
    at = run_page("predict")
    submit_review(at, REVIEW)
    assert_clean(at)
    run = _picked(at, runs_env)
    index = snapshots.read_index(run.path)
    slider = at.select_slider(key=snapshots_panel.slider_key(run))
    assert slider.value == index.last and "final model" in slider.format_func(slider.value)
    final = _probability(at)
    assert _rules(at) == [pytest.approx(index.snapshots[-1].at_epoch)]
    slider.set_value(0).run()
    assert_clean(at)
    untrained = Predictor(run.run_id, runs_env)
    untrained.use_snapshot(0)
    expected = float(untrained.predict([REVIEW])[0])
    assert _probability(at) == pytest.approx(expected, abs=1e-3) and abs(expected - final) > 1e-4
    assert _rules(at) == [0.0]
    page = texts(at)
    assert "before any training" in page and "this snapshot's" in page
    assert "At the snapshot chosen above" in page  # the X-ray says which weights it shows
    verdict = next(c for c in charts(at) if any("jump" in d.columns for d in chart_data(c)))
    running = next(d for d in chart_data(verdict) if "jump" in d.columns)
    assert running["positive"].iloc[-1] == pytest.approx(expected, abs=1e-4)  # the X-ray at step 0 too
    at.select_slider(key=snapshots_panel.slider_key(run)).set_value(index.last).run()
    assert _probability(at) == pytest.approx(final, abs=1e-9)  # back at the end: the stored model


def test_a_run_without_snapshots_still_predicts_and_says_how_to_get_them(runs_env, tmp_path, monkeypatch):
    for folder in runs_env.root.iterdir():
        if not folder.name.startswith("."):
            shutil.copytree(folder, tmp_path / folder.name)
            for name in (snapshots.INDEX_FILE, snapshots.WEIGHTS_FILE):
                (tmp_path / folder.name / name).unlink(missing_ok=True)
    monkeypatch.setenv("IMDB_LAB_RUNS", str(tmp_path))
    at = run_page("predict")
    submit_review(at, REVIEW)
    assert_clean(at)
    assert not at.select_slider and "train it again" in texts(at)
    assert 0 <= _probability(at) <= 1


def test_train_shows_the_snapshot_on_the_curves_and_the_examples_verdicts(fake_manager, runs_env):
    run = next(r for r in runs_env.list() if r.config == TINY)
    history = runs_env.history(run.run_id)
    fake_manager.add(
        run.config,
        state="done",
        phase="done",
        epoch=1,
        epochs=1,
        batches_per_epoch=max(b["batch"] for b in history["batches"]),
        batch_history=tuple(history["batches"]),
        epoch_history=tuple(history["epochs"]),
        run_id=run.run_id,
        test_metrics=run.test_metrics,
        train_seconds=run.train_seconds,
    )
    at = new_app().run()
    at.session_state[state.TRAIN_JOB_KEY] = "job-1"
    at.switch_page("pages/train.py").run()
    assert_clean(at)
    slider = at.select_slider(key=snapshots_panel.slider_key(run))
    table = next(d.value for d in at.dataframe if "at this snapshot" in d.value.columns)
    assert table["review"].tolist() == list(snapshots_panel.EXAMPLES)
    assert table["at this snapshot"].tolist() == table["final model"].tolist()
    assert len(_rules(at)) == 2  # on the loss and the accuracy chart
    slider.set_value(0).run()
    assert_clean(at)
    table = next(d.value for d in at.dataframe if "at this snapshot" in d.value.columns)
    shares = [int(headline.split("%")[0]) for headline in table["at this snapshot"]]
    assert all(50 <= share <= 55 for share in shares), table  # untrained: a coin toss
    assert _rules(at) == [0.0, 0.0]
    assert "untrained · step 0" in texts(at)


def test_evaluate_moves_the_embedding_map_through_training(runs_env):
    at = run_page("evaluate")
    assert_clean(at)
    run = runs_env.get(at.selectbox(key="evaluate_run").value)

    def embedding():
        chart = next(c for c in charts(at) if "Word embeddings" in str(chart_spec(c).get("title")))
        spec = chart_spec(chart)
        return chart_data(chart)[0], spec["layer"][0]["encoding"]["x"]["scale"]["domain"]

    final, domain = embedding()
    at.select_slider(key=snapshots_panel.slider_key(run)).set_value(0).run()
    assert_clean(at)
    untrained, same_domain = embedding()
    assert same_domain == domain  # one map for every snapshot
    assert untrained["word"].tolist() == final["word"].tolist()
    assert untrained["x"].abs().max() < final["x"].abs().max()


def test_a_link_carries_the_snapshot_and_leaves_the_final_model_out(runs_env):
    run = next(r for r in runs_env.list() if r.config == TINY)
    at = new_app().run()
    for name, value in {"run": run.run_id, "text": REVIEW, "snapshot": "0"}.items():
        at.query_params[name] = value
    at.switch_page("pages/predict.py").run()
    assert_clean(at)
    slider = at.select_slider(key=snapshots_panel.slider_key(run))
    assert slider.value == 0 and "before any training" in texts(at)
    slider.set_value(1).run()
    at.run()  # the address bar follows what is on screen
    assert at.query_params.get("snapshot") in ("1", ["1"])
    at.select_slider(key=snapshots_panel.slider_key(run)).set_value(snapshots.read_index(run.path).last).run()
    at.run()
    assert "snapshot" not in at.query_params
    bad = new_app().run()
    for name, value in {"run": run.run_id, "text": REVIEW, "snapshot": "<b>9</b>"}.items():
        bad.query_params[name] = value
    bad.switch_page("pages/predict.py").run()
    assert_clean(bad)
    assert "`snapshot`" in next(i.value for i in bad.info if i.value.startswith("Ignored from the link"))
