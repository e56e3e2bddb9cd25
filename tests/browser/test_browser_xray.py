"""The X-ray in headless Chromium: a typed review gets its running verdict and the units x words heatmaps."""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from core.runs.store import RunStore
from tests.browser.test_browser_predict_evaluate import CHART, EXCEPTION, TINY, open_page, screenshot, wait_for_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tiny_run(app_url, browser_runs_dir, imdb) -> str:
    from core.model.training import train

    store = RunStore(browser_runs_dir)
    cached = store.find_cached(TINY, imdb.fingerprint)
    return cached.run_id if cached else store.save(train(TINY, imdb), TINY, imdb).run_id


def test_typing_a_review_shows_the_running_verdict_and_the_xray(page, app_url, tiny_run, artifacts):
    open_page(page, f"{app_url}/predict", "Predict")
    box = page.get_by_label("Your review")
    box.fill("The plot was not bad at all, and the acting was wonderful")
    page.get_by_role("button", name="Predict").click()  # the button, as Ctrl+Enter does elsewhere
    page.get_by_text("See inside the LSTM").wait_for(timeout=60_000)
    wait_for_app(page)
    # The numbers under the words: readable without hover, on a projector or a touch screen.
    page.get_by_text("Show the numbers under the words").click()
    page.locator(".lab-why.values .w .v").first.wait_for(timeout=30_000)
    wait_for_app(page)
    assert page.locator(".lab-why.values .w .v").count() == 12  # one per word
    first = page.locator(".lab-why.values .w").first
    word_box, value_box = first.bounding_box(), first.locator(".v").bounding_box()
    assert value_box["y"] > word_box["y"] + 5  # printed under the word, not beside it
    page.get_by_role("tab", name="forget gate f").wait_for(timeout=30_000)
    page.locator(f"{CHART} canvas, {CHART} svg").first.wait_for(timeout=30_000)
    assert page.locator(CHART).count() >= 3  # the verdict bar, the running verdict, a heatmap, a unit's trace
    page.get_by_role("tab", name="forget gate f").click()
    wait_for_app(page)
    assert page.locator(EXCEPTION).count() == 0
    page.wait_for_timeout(1500)
    heights = page.locator(CHART).evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert max(heights) >= 200  # drawn, not collapsed (the running verdict, a heatmap)
    screenshot(page, artifacts, "predict-xray", height=3200)


def test_forget_here_at_but_redraws_the_running_verdict(page, app_url, tiny_run, artifacts):
    """Type a review, pick the word "but" and *forget here*, Add: the chart gains its second line and the metric."""
    open_page(page, f"{app_url}/predict", "Predict")
    page.get_by_label("Your review").fill("The acting was wooden but the ending made up for everything.")
    page.get_by_role("button", name="Predict").click()
    page.get_by_text("What if? Change what the model remembers").wait_for(timeout=60_000)
    wait_for_app(page)
    word = page.get_by_role("combobox", name="At the word")
    option = page.get_by_role("option").filter(has_text="but").first
    word.click()
    for _ in range(5):  # a rerun can redraw the box as it opens; a second click would close a slow list again,
        with contextlib.suppress(PlaywrightTimeout):  # so the arrow key opens it (and leaves an open list open)
            option.wait_for(timeout=3_000)
            break
        word.press("ArrowDown")
    option.click()
    wait_for_app(page)
    charts_before = page.locator(CHART).count()
    page.get_by_role("button", name="Add").click()
    page.get_by_text("P(positive), with your changes").wait_for(timeout=30_000)
    wait_for_app(page)
    assert page.locator(EXCEPTION).count() == 0
    assert page.get_by_text("forget here at").count() == 1 and "but" in page.get_by_text("forget here at").inner_text()
    assert page.locator(CHART).count() == charts_before + 1  # the running verdict, as trained and with the change
    assert "intervene=forget" in page.url
    screenshot(page, artifacts, "predict-what-if", height=4200)
