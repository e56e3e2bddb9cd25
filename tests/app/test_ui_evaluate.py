"""The Evaluate page with the two tiny stored runs: metrics, the threshold, charts with data, mistakes, runs table, bad runs."""

from __future__ import annotations

import io
import json
import shutil
import zipfile

import pytest

from core.errors import LabError
from core.model.metrics import THRESHOLD
from core.runs.evaluation import RATINGS, evaluate
from core.runs.store import RunStore
from tests.app.ui_helpers import (
    assert_clean,
    chart_data,
    chart_spec,
    charts,
    heavy_imports_of_a_fresh_server,
    run_page,
    texts,
)
from ui.shared import resources, state, wording

pytestmark = pytest.mark.usefixtures("fresh_caches")


def chart_titled(at, words: str):
    for chart in charts(at):
        title = chart_spec(chart).get("title", "")
        if words in (title if isinstance(title, str) else title.get("text", "")):
            return chart
    raise AssertionError(f"no chart titled {words!r}: {[chart_spec(c).get('title') for c in charts(at)]}")


def all_rows(chart):
    """Every dataset of a (layered) chart, concatenated."""
    import pandas as pd

    return pd.concat(chart_data(chart), ignore_index=True)


def test_metrics_and_charts_of_the_best_run(runs_env):
    at = run_page("evaluate")
    assert_clean(at)
    best = runs_env.best()
    assert at.selectbox(key="evaluate_run").value == best.run_id
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["Test accuracy"]) == pytest.approx(best.test_accuracy, abs=1e-3)
    assert 0 <= float(metrics["AUC"]) <= 1 and metrics["Test reviews"] == "200" and "Test loss" in metrics

    confusion = all_rows(chart_titled(at, "Confusion matrix"))
    cells = confusion.dropna(subset=["reviews"])
    assert len(cells) == 4 and cells["reviews"].sum() == 200
    roc = chart_titled(at, "ROC curve")
    assert f"AUC {float(metrics['AUC']):.3f}" in chart_spec(roc)["title"]
    assert all_rows(roc)["true_positive_rate"].max() == pytest.approx(1.0)
    lengths = all_rows(chart_titled(at, "Accuracy by review length")).dropna(subset=["band"])
    assert lengths["reviews"].sum() == 200
    assert "truncated (longer than maxlen)" in set(lengths["reads"])  # maxlen 80: most reviews are longer
    assert "Reviews longer than maxlen (80 tokens" in texts(at)


def confusion_counts(at) -> dict:
    cells = all_rows(chart_titled(at, "Confusion matrix")).dropna(subset=["reviews"])
    return {(r.true, r.predicted): int(r.reviews) for r in cells.itertuples()}


def metric(at, label: str) -> float:
    return float(next(m.value for m in at.metric if m.label == label))


def chosen_point(chart) -> tuple:
    """The ringed point of a curve chart: the row of its one-point dataset."""
    [point] = [
        frame
        for frame in chart_data(chart)
        if len(frame) == 1 and "text" in frame.columns and frame["text"].iloc[0].startswith("threshold ")
    ]
    return point.iloc[0]


def test_the_threshold_slider_moves_the_matrix_the_metrics_the_points_and_the_mistakes(runs_env, imdb):
    at = run_page("evaluate")
    best = runs_env.best()
    result = evaluate(best.run_id, imdb, runs_env)
    slider = at.slider(key="evaluate_threshold")
    assert slider.value == THRESHOLD  # the lab's threshold, one source of truth
    before = confusion_counts(at)
    assert metric(at, "Test accuracy") == pytest.approx(best.test_accuracy, abs=1e-3)
    roc_before = chosen_point(chart_titled(at, "ROC curve"))

    # A threshold inside the tiny run's probabilities (they crowd near 0.5), so the verdicts change.
    probabilities = result.table["probability"]
    moved = next(
        t
        for t in [
            *(round(float(probabilities.quantile(q)), 2) for q in (0.5, 0.3, 0.7, 0.1, 0.9)),
            0.49,
            0.51,
            0.45,
            0.55,
        ]
        if t != THRESHOLD and 0.01 <= t <= 0.99 and not result.confusion(t).equals(result.confusion())
    )
    at.slider(key="evaluate_threshold").set_value(moved).run()
    assert_clean(at)
    after = confusion_counts(at)
    expected = result.confusion(moved)
    assert after == {(t, p): int(expected.loc[t, p]) for t in expected.index for p in expected.columns}
    assert after != before and sum(after.values()) == sum(before.values()) == 200
    # A higher threshold calls fewer reviews positive, a lower one more.
    called = {
        name: c[("negative", "positive")] + c[("positive", "positive")] for name, c in (("b", before), ("a", after))
    }
    assert (called["a"] - called["b"]) * (moved - THRESHOLD) < 0
    chosen = result.at_threshold(moved)
    assert metric(at, "Test accuracy") == pytest.approx(chosen.accuracy, abs=1e-3)
    assert metric(at, "Precision") == pytest.approx(chosen.precision, abs=1e-3)
    assert metric(at, "Recall") == pytest.approx(chosen.recall, abs=1e-3)
    assert f"threshold {moved:.2f}" in chart_spec(chart_titled(at, "Confusion matrix"))["title"]
    roc_after = chosen_point(chart_titled(at, "ROC curve"))
    assert roc_after["true_positive_rate"] == pytest.approx(chosen.recall)
    assert roc_after["false_positive_rate"] == pytest.approx(chosen.false_positive_rate)
    assert (roc_after["true_positive_rate"] - roc_before["true_positive_rate"]) * (moved - THRESHOLD) <= 0
    assert roc_after["text"] == f"threshold {moved:.2f}" != roc_before["text"]
    assert chosen_point(chart_titled(at, "Precision-recall"))["recall"] == pytest.approx(chosen.recall)
    assert f"At threshold **{moved:.2f}**" in texts(at)
    said = [e.label.split("model said ")[1].split(" ")[0] for e in at.expander if e.label.startswith("Actually ")]
    wrong = result.confident_mistakes(8, moved)
    assert said == wrong["predicted"].tolist()


def test_precision_recall_calibration_and_star_rating_charts(runs_env):
    at = run_page("evaluate")
    assert_clean(at)
    curve = all_rows(chart_titled(at, "Precision-recall")).dropna(subset=["recall"])
    assert curve["recall"].max() == pytest.approx(1.0) and curve["precision"].between(0, 1).all()
    calibration = all_rows(chart_titled(at, "Calibration")).dropna(subset=["reviews"])
    assert calibration["reviews"].sum() == 200
    assert calibration["mean_probability"].between(0, 1).all()
    ratings = all_rows(chart_titled(at, "Accuracy by star rating")).dropna(subset=["rating"])
    assert set(ratings["rating"]) <= set(RATINGS) and len(ratings) >= 4
    assert ratings["reviews"].sum() == 200  # the test reviews all have their stars
    box = all_rows(chart_titled(at, "Predicted probability by star rating")).dropna(subset=["median"])
    assert (box["q1"] <= box["median"]).all() and (box["median"] <= box["q3"]).all()
    assert "1-star reviews p =" in texts(at)


def test_length_bands_are_differences_from_the_overall_accuracy_and_tiny_bands_merge(runs_env):
    at = run_page("evaluate")
    chart = chart_titled(at, "Accuracy by review length")
    bands = all_rows(chart).dropna(subset=["band"])
    assert (bands["reviews"] >= 100).sum() >= len(bands) - 2  # merged: at most one small band per kind
    overall = metric(at, "Test accuracy")
    assert (bands["accuracy"] - bands["difference"]).round(3).eq(round(overall, 3)).all()
    assert "0 = all reviews" in chart_spec(chart)["title"]["subtitle"]


def test_confident_mistakes_are_in_plain_words_and_open_in_predict(runs_env, monkeypatch):
    at = run_page("evaluate")
    titles = [e.label for e in at.expander if e.label.startswith("Actually ")]
    assert 1 <= len(titles) <= 8
    assert all(" stars), model said " in t or " star), model said " in t for t in titles)
    assert all(t.value.strip() for t in at.text)  # each mistake's review, as plain text
    # Predict scores whatever the box holds; here it only needs to be shown.
    monkeypatch.setattr(resources, "explain_text", lambda *a, **k: (_ for _ in ()).throw(LabError("not scored")))
    best = runs_env.best()
    first = next(e for e in at.expander if e.label.startswith("Actually "))
    review = first.text[0].value
    true = "positive" if first.label.startswith("Actually positive") else "negative"
    next(b for b in first.button if b.label == "Open in Predict").click().run()
    assert at.title[0].value == "Predict"
    assert at.text_area(key=state.PREDICT_TEXT_KEY).value == review
    assert at.session_state[state.PREDICT_TRUE_LABEL_KEY] == (review, 1 if true == "positive" else 0)
    assert at.selectbox(key=state.PREDICT_RUN_KEY).value == best.run_id
    assert review == wording.review_for_display(review)  # the text as Evaluate showed it, no <br /> tags


def test_downloads_of_the_model_the_history_and_the_run_bundle(runs_env):
    at = run_page("evaluate")
    labels = {b.label for b in at.get("download_button")}
    assert {"Download the model (.keras)", "Download the history (.csv)", "Download the run bundle (.zip)"} <= labels
    best = runs_env.best()
    with zipfile.ZipFile(io.BytesIO(resources.run_bundle_zip(best))) as bundle:
        names = set(bundle.namelist())
    assert {f"{best.run_id}/{name}" for name in ("predict.py", "tokenizer.py", "bundle.json", "model.keras")} <= names


def runs_shown(at):
    [table] = [d.value for d in at.dataframe if "test accuracy" in d.value.columns]
    return table


def test_runs_table_sorts_by_validation_accuracy_shows_what_differs_and_filters(runs_env):
    at = run_page("evaluate")
    table = runs_shown(at)
    assert sorted(table["run"]) == sorted(r.run_id for r in runs_env.list())
    shown = table["validation accuracy"].tolist()
    assert shown == sorted(shown, reverse=True) and not table["validation accuracy"].isna().any()
    # The two runs differ in units and epochs only: the other settings are hidden until asked for.
    assert {"units", "epochs"} <= set(table.columns) and not {"maxlen", "learning_rate"} & set(table.columns)
    at.toggle(key="evaluate_runs_all_fields").set_value(True).run()
    assert {"maxlen", "units", "learning_rate", "patience"} <= set(runs_shown(at).columns)
    at.toggle(key="evaluate_runs_descending").set_value(False).run()
    assert runs_shown(at)["run"].tolist() == table["run"].tolist()[::-1]
    at.selectbox(key="evaluate_runs_sort").set_value("units").run()
    assert runs_shown(at)["units"].tolist() == [4, 8]
    at.selectbox(key="evaluate_runs_filter").set_value("units").run()
    at.multiselect(key="evaluate_runs_keep_units").set_value(["8"]).run()
    assert_clean(at)
    assert runs_shown(at)["units"].tolist() == [8] and "1 of 2 runs" in texts(at)


def test_runs_table_and_overlaid_curves(runs_env):
    at = run_page("evaluate")
    every = [r.run_id for r in runs_env.list()]
    at.multiselect(key="evaluate_overlay").set_value(every).run()
    assert_clean(at)
    curves = all_rows(chart_titled(at, "Loss per epoch"))
    assert set(curves["run"]) == set(every) and set(curves["split"]) == {"training", "validation"}
    at.multiselect(key="evaluate_overlay").set_value([]).run()
    assert "Pick one or more runs" in texts(at)


def test_damaged_and_foreign_runs_are_reported_not_raised(data_env, tiny_runs, tmp_path, monkeypatch):
    root = tmp_path / "runs"
    good = RunStore(tiny_runs).best()
    shutil.copytree(good.path, root / good.run_id)
    foreign = root / "custom-foreign"
    shutil.copytree(good.path, foreign)
    meta = json.loads((foreign / "run.json").read_text())
    (foreign / "run.json").write_text(
        json.dumps({**meta, "run_id": "custom-foreign", "data_fingerprint": "other", "created": meta["created"] + 10})
    )
    (root / "custom-broken").mkdir()
    (root / "custom-broken" / "run.json").write_text("{not json")
    monkeypatch.setenv("IMDB_LAB_RUNS", str(root))

    at = run_page("evaluate")
    assert_clean(at)
    [damaged] = [e for e in at.expander if "damaged" in e.label]
    assert any("custom-broken" in t.value for t in damaged.text)
    at.selectbox(key="evaluate_run").set_value("custom-foreign").run()
    assert_clean(at)
    assert any("trained on other data" in e.value for e in at.error)
    assert chart_titled(at, "Loss per epoch")  # the runs table and curves still work


def test_a_glove_run_says_how_many_words_its_vectors_covered(data_env, tiny_runs, tmp_path, monkeypatch):
    root = tmp_path / "runs"
    good = RunStore(tiny_runs).best()
    shutil.copytree(good.path, root / good.run_id)
    meta = json.loads((root / good.run_id / "run.json").read_text())
    note = "GloVe 6B 50d: 1,950 of 1,996 words found, frozen"
    (root / good.run_id / "run.json").write_text(json.dumps({**meta, "embeddings_note": note}))
    monkeypatch.setenv("IMDB_LAB_RUNS", str(root))
    at = run_page("evaluate")
    assert_clean(at)
    assert note in " ".join(c.value for c in at.caption)
    del meta["embeddings_note"]  # a run stored before the knob: no note, still listed
    (root / good.run_id / "run.json").write_text(json.dumps(meta))
    assert RunStore(root).get(good.run_id).embeddings_note is None


def test_no_runs_gives_a_friendly_message(data_env):
    at = run_page("evaluate")
    assert_clean(at)
    assert "No trained model yet" in texts(at)
    assert at.get("page_link")


def test_evaluate_and_its_threshold_never_import_tensorflow(runs_env):
    steps = (
        "at.switch_page('pages/evaluate.py').run()\n"
        "at.slider(key='evaluate_threshold').set_value(0.7).run()\n"
        "assert [m for m in at.metric if m.label == 'Precision']"
    )
    assert heavy_imports_of_a_fresh_server(steps) == []
