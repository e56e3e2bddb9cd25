"""Training you can scrub, in headless Chromium: moving Predict's snapshot slider to step 0 changes the verdict."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from core.runs.store import RunStore
from tests.browser.test_browser_predict_evaluate import (
    CHART,
    EXCEPTION,
    TINY,
    open_expander,
    open_page,
    screenshot,
    wait_for_app,
)

pytestmark = pytest.mark.browser
REVIEW = "Not bad at all, a really good film"


@pytest.fixture(scope="module")
def tiny_run(app_url, browser_runs_dir, imdb) -> str:
    from core.model.training import train

    store = RunStore(browser_runs_dir)
    cached = store.find_cached(TINY, imdb.fingerprint)
    return cached.run_id if cached else store.save(train(TINY, imdb), TINY, imdb).run_id


def _probability(page) -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text="Probability of positive").first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def test_moving_the_snapshot_slider_recomputes_the_verdict(page, app_url, tiny_run, artifacts):
    open_page(page, f"{app_url}/predict?run={tiny_run}&text={quote(REVIEW)}", "Predict")  # a link picks the run
    page.locator('[data-testid="stMetric"]', has_text="Probability of positive").wait_for(timeout=60_000)
    wait_for_app(page)
    open_expander(page, "Go back in training")  # folded under the verdict
    scrubber = page.locator('[data-testid="stSlider"]', has_text="Move through training")
    scrubber.wait_for(timeout=60_000)
    page.get_by_text("final model").first.wait_for(timeout=30_000)
    wait_for_app(page)
    final = _probability(page)
    thumb = scrubber.get_by_role("slider")
    for _ in range(4):  # a key press that lands during a rerun can be overridden: press, settle, look
        thumb.focus()
        thumb.press("Home")  # the first snapshot: the untrained model
        page.wait_for_timeout(800)
        wait_for_app(page)
        if page.get_by_text("untrained · step 0").count():
            break
    page.get_by_text("before any training").wait_for(timeout=30_000)
    page.wait_for_function(
        """(before) => [...document.querySelectorAll('[data-testid="stMetric"]')]
            .some(m => m.innerText.includes('Probability of positive') && !m.innerText.includes(before))""",
        arg=final,
        timeout=30_000,
    )
    assert _probability(page) != final
    assert abs(float(_probability(page)) - 0.5) < 0.05  # untrained: a coin toss
    page.locator(f"{CHART} canvas, {CHART} svg").first.wait_for(timeout=30_000)
    assert page.locator(EXCEPTION).count() == 0
    screenshot(page, artifacts, "predict-snapshot-slider", height=1800)
