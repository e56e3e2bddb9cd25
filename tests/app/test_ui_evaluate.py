"""The Evaluate page with the two tiny stored runs: metrics, charts with data, runs table, curves, bad runs."""

from __future__ import annotations

import io
import json
import shutil
import zipfile

import pytest

from core.runs.store import RunStore
from tests.app.ui_helpers import assert_clean, chart_data, chart_spec, charts, run_page, texts
from ui import resources

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


def test_confident_mistakes_show_their_text(runs_env):
    at = run_page("evaluate")
    titles = [e.label for e in at.expander if e.label.startswith("True ")]
    assert 1 <= len(titles) <= 8
    assert all(t.value.strip() for t in at.text)  # each mistake's review, as plain text


def test_downloads_of_the_model_the_history_and_the_run_bundle(runs_env):
    at = run_page("evaluate")
    labels = {b.label for b in at.get("download_button")}
    assert {"Download the model (.keras)", "Download the history (.csv)", "Download the run bundle (.zip)"} <= labels
    best = runs_env.best()
    with zipfile.ZipFile(io.BytesIO(resources.run_bundle_zip(best))) as bundle:
        names = set(bundle.namelist())
    assert {f"{best.run_id}/{name}" for name in ("predict.py", "tokenizer.py", "bundle.json", "model.keras")} <= names


def test_runs_table_and_overlaid_curves(runs_env):
    at = run_page("evaluate")
    [table] = [d.value for d in at.dataframe if "test accuracy" in d.value.columns]
    assert sorted(table["run"]) == sorted(r.run_id for r in runs_env.list())
    assert {"maxlen", "units", "learning_rate"} <= set(table.columns)
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


def test_no_runs_gives_a_friendly_message(data_env):
    at = run_page("evaluate")
    assert_clean(at)
    assert "No trained model yet" in texts(at)
    assert at.get("page_link")
