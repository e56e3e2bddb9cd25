"""The Evaluate page's threshold slider in headless Chromium: moving it with the keyboard changes what is shown."""

from __future__ import annotations

import pytest

from core.model.metrics import THRESHOLD
from core.runs.evaluation import evaluate
from core.runs.store import RunStore
from tests.browser import test_browser_predict_evaluate as predict_evaluate
from tests.browser.test_browser_predict_evaluate import (
    CHART,
    EXCEPTION,
    open_expander,
    open_page,
    screenshot,
    wait_for_app,
)
from ui.evaluate import wording

#: The tiny run the Predict and Evaluate browser tests share (trained once into the server's runs folder).
stored_run = predict_evaluate.stored_run
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("stored_run", "revealed_test_set")]


def shown(chosen) -> str:
    """The threshold sentence as the browser shows it (its Markdown bold gone)."""
    return wording.threshold_sentence(chosen).replace("**", "")


def sentence(page, threshold: float) -> str:
    return page.get_by_text(f"At threshold {threshold:.2f}").first.inner_text().strip()


def metric_value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_moving_the_threshold_changes_the_matrix_metrics_and_sentence(page, app_url, browser_runs_dir, imdb, artifacts):
    store = RunStore(browser_runs_dir)
    result = evaluate(store.best().run_id, imdb, store)  # the run the page opens on: the best
    # A threshold inside the run's probabilities, where the verdicts change (tiny runs crowd near 0.5).
    probabilities = result.table["probability"]
    target = next(
        t
        for t in (round(float(probabilities.quantile(q)), 2) for q in (0.5, 0.3, 0.7, 0.1, 0.9))
        if t != THRESHOLD and 0.01 <= t <= 0.99 and not result.confusion(t).equals(result.confusion())
    )
    expected = result.at_threshold(target)

    open_page(page, f"{app_url}/evaluate", "Evaluate")
    page.locator('[data-testid="stMetric"]', has_text="Precision").wait_for(timeout=60_000)
    wait_for_app(page)
    assert sentence(page, THRESHOLD) == shown(result.at_threshold())
    before = {label: metric_value(page, label) for label in ("Test accuracy", "Precision", "Recall")}

    thumb = page.locator('[data-testid="stSlider"]', has_text="Decision threshold").get_by_role("slider")
    thumb.focus()
    steps = round((target - THRESHOLD) / 0.01)
    for _ in range(abs(steps)):
        thumb.press("ArrowRight" if steps > 0 else "ArrowLeft")
    page.get_by_text(f"At threshold {target:.2f}").first.wait_for(timeout=60_000)
    wait_for_app(page)

    # Another number of reviews called positive, and the metrics of that threshold.
    assert sentence(page, target) == shown(expected) != shown(result.at_threshold())
    after = {label: metric_value(page, label) for label in before}
    assert after == {
        "Test accuracy": f"{expected.accuracy:.3f}",
        "Precision": f"{expected.precision:.3f}",
        "Recall": f"{expected.recall:.3f}",
    }
    assert page.locator(EXCEPTION).count() == 0
    # The ROC, precision-recall and calibration charts are drawn in their expander, under the matrix.
    curves = open_expander(page, "ROC, precision-recall and calibration")
    curves.locator(f"{CHART} canvas, {CHART} svg").nth(2).wait_for(timeout=60_000)
    assert curves.locator(CHART).count() == 3
    assert page.locator('[data-testid="stExpander"]', has_text="Actually ").count() >= 1
    screenshot(page, artifacts, "evaluate-threshold", height=3600)
