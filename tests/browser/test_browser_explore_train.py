"""Issue 13 in headless Chromium: Explore hands its settings to Train; Train's settings, number boxes and curves."""

from __future__ import annotations

import re

import pytest

from core.config import TrainConfig
from tests.browser.test_browser_app import (
    CHART,
    EXCEPTION,
    app_button,
    screenshot,
    set_slider,
    slider,
    wait_for_app,
)

pytestmark = pytest.mark.browser


def _open(page, url: str, title: str) -> None:
    page.goto(url)
    page.wait_for_selector(f'h1:has-text("{title}")', timeout=60_000)
    if title == "Train a model":
        app_button(page, "Train").wait_for(timeout=60_000)  # the page has run to its end
    else:
        page.locator(f"{CHART} canvas, {CHART} svg").first.wait_for(timeout=60_000)
    wait_for_app(page)


def test_explore_shows_stars_and_carries_its_settings_to_train(page, app_url, artifacts):
    _open(page, f"{app_url}/explore", "Explore the data")
    assert slider(page, "maxlen").input_value() == str(TrainConfig().maxlen)  # the Train page's, not a second one
    assert page.get_by_text(re.compile(r"\d+/10 stars")).count() >= 1  # the review viewer's rating
    page.get_by_text("are the Train page's settings too").wait_for()
    set_slider(page, "maxlen", TrainConfig().maxlen + 100, 10)
    page.get_by_text("The Train page is set to").wait_for()
    screenshot(page, artifacts, "explore-use-for-training")
    app_button(page, "Use these settings for training").click()
    page.wait_for_selector('h1:has-text("Train a model")', timeout=60_000)
    wait_for_app(page)
    assert slider(page, "maxlen").input_value() == str(TrainConfig().maxlen + 100)
    assert page.locator(EXCEPTION).count() == 0


def _label_cut_off(page, container) -> list[str]:
    """The widget labels inside ``container`` that the browser shows cut off (ellipsis or clipped)."""
    return container.locator('[data-testid="stWidgetLabel"]').evaluate_all(
        "labels => labels.filter(l => { const t = l.querySelector('p') || l;"
        " return t.scrollWidth > t.clientWidth + 1; }).map(l => l.innerText)"
    )


def test_more_settings_are_grouped_and_labels_are_whole(page, app_url, artifacts):
    _open(page, f"{app_url}/train", "Train a model")
    expander = page.locator('[data-testid="stExpander"]', has_text="More settings")
    expander.locator("summary").click()
    for title in ("Model", "Input", "Optimisation", "Evaluation"):
        expander.get_by_text(title, exact=True).wait_for()
    expander.get_by_text("Validation share of the training split").wait_for()
    assert _label_cut_off(page, expander) == []
    screenshot(page, artifacts, "train-more-settings")

    seed = expander.locator('[data-testid="stNumberInput"]', has_text="Seed").locator("input")
    seed.fill("-5")
    seed.press("Enter")
    page.get_by_text(re.compile("Seed: -5 is outside the allowed range")).wait_for(timeout=30_000)
    wait_for_app(page)
    assert app_button(page, "Train").is_disabled()  # not trained silently with the old seed
    seed.fill("113")
    seed.press("Enter")
    page.wait_for_function(
        "() => ![...document.querySelectorAll('p')].some(p => p.innerText.includes('is outside the allowed range'))"
    )
    wait_for_app(page)
    assert app_button(page, "Train").is_enabled()


def test_a_training_shows_the_smoothing_slider_and_the_epoch_table(page, app_url, artifacts):
    _open(page, f"{app_url}/train", "Train a model")
    set_slider(page, "Epochs", 2, 1)
    app_button(page, "Train").click()
    page.locator('[data-testid="stSlider"]', has_text="Smoothing").wait_for(timeout=120_000)
    page.wait_for_selector('h3:has-text("done")', timeout=240_000)
    wait_for_app(page)
    page.get_by_text(f"one batch of {TrainConfig().batch_size} reviews", exact=False).wait_for()
    table = page.locator('.st-key-train_job [data-testid="stDataFrame"]').last  # the job's epoch table
    table.wait_for()
    thumb = slider(page, "Smoothing")
    thumb.focus()
    thumb.press("Home")  # straight to 0: the raw batches
    wait_for_app(page)
    assert float(thumb.input_value()) == 0.0
    assert page.locator(CHART).count() >= 2 and page.locator(EXCEPTION).count() == 0
    epochs = page.locator('[data-testid="stMetric"]', has_text="Epochs trained")
    assert re.fullmatch(r"\d+(\.\d)?", epochs.locator('[data-testid="stMetricValue"]').inner_text())
    screenshot(page, artifacts, "train-curves-smoothing")
