"""The baseline in headless Chromium: its verdict beside the LSTM's, Scramble, and Evaluate's probes and lines.

A small baseline (3,000 training reviews, 1,000 test reviews) is fitted with core into
the server's runs folder; a tiny run is trained there as in the Predict/Evaluate tests
(the same config: a cache hit when those ran first).
"""

from __future__ import annotations

import pytest

from core.model.baseline import BaselineConfig
from core.model.probes import load_probes
from core.runs.baseline_store import BaselineStore
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


@pytest.fixture(scope="module")
def run_and_baseline(app_url, browser_runs_dir, imdb) -> str:
    from core.model.training import train

    BaselineStore(browser_runs_dir).get_or_fit(imdb, BaselineConfig(train_limit=3000, test_limit=1000))
    store = RunStore(browser_runs_dir)
    cached = store.find_cached(TINY, imdb.fingerprint)
    return cached.run_id if cached else store.save(train(TINY, imdb), TINY, imdb).run_id


def test_scramble_shows_both_verdicts(page, app_url, run_and_baseline, artifacts):
    open_page(page, f"{app_url}/predict?run={run_and_baseline}", "Predict")  # other tests store runs too
    box = page.get_by_label("Your review")
    box.fill("Not bad at all, the acting was good but the ending was awful")
    box.press("Control+Enter")
    verdict = page.locator(".st-key-baseline_verdict")
    verdict.get_by_text("Bag-of-words baseline").wait_for(timeout=60_000)
    assert "Its words towards positive" in verdict.inner_text()
    open_expander(page, "Shuffle the review")  # folded under the verdicts
    page.get_by_role("button", name="Scramble the words").click()
    both = page.locator(".st-key-scramble_verdicts")
    both.wait_for(timeout=60_000)
    wait_for_app(page)
    text = both.inner_text()
    assert f"LSTM run {run_and_baseline}" in text and "Bag-of-words baseline" in text and text.count("→") == 2
    assert page.locator(EXCEPTION).count() == 0
    screenshot(page, artifacts, "predict-scramble", height=2200)


@pytest.mark.usefixtures("revealed_test_set")
def test_evaluate_draws_the_probes_and_the_baseline_line(page, app_url, run_and_baseline, artifacts):
    open_page(page, f"{app_url}/evaluate", "Evaluate")
    page.get_by_text("Word order: this run vs the bag of words").wait_for(timeout=60_000)
    wait_for_app(page)
    open_expander(page, "Word order: this run vs the bag of words")
    misses = f"of {len(load_probes().probes)} wrong"
    page.get_by_text(misses).first.wait_for(timeout=60_000)
    assert page.get_by_text(misses).count() == 2  # the run's misses and the baseline's
    wait_for_app(page)
    page.locator(f"{CHART} canvas, {CHART} svg").first.wait_for(timeout=30_000)
    # Confusion, ROC, length, probes, loss and accuracy overlays: wait for them all (Vega draws after the script).
    for folded in ("ROC, precision-recall", "Are long, truncated reviews harder?", "Learning curves of chosen runs"):
        open_expander(page, folded)
    page.wait_for_function(f"() => document.querySelectorAll({CHART!r}).length >= 5", timeout=30_000)
    assert page.locator(EXCEPTION).count() == 0
    screenshot(page, artifacts, "evaluate-baseline", height=4200)
