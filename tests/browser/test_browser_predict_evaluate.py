"""The Predict and Evaluate pages in headless Chromium, with a tiny run stored in the server's runs folder."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core.runs.store import RunStore
from tests.browser.test_browser_app import fits_the_window
from tests.conftest import TINY

pytestmark = pytest.mark.browser

CHART = '[data-testid="stVegaLiteChart"]'
EXCEPTION = '[data-testid="stException"]'
TINY = TINY.replace(epochs=2)  # two epochs: a curve to overlay on the Evaluate page
#: Evaluate's folded sections that hold charts (the confusion matrix and the mistakes are shown unfolded).
EVALUATE_CHART_EXPANDERS = (
    "ROC, precision-recall and calibration",
    "Are long, truncated reviews harder?",
    "Does it know a 4-star review",
    "Word order: this run vs the bag of words",
    "Word embeddings",
    "Learning curves of chosen runs",
)


def wait_for_app(page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)


def open_expander(page, title: str):
    """Open the expander titled ``title`` (its charts draw only once shown) and return it."""
    expander = page.locator('[data-testid="stExpander"]', has_text=title).first
    expander.locator("summary").click()
    expander.locator('[data-testid="stExpanderDetails"]').wait_for()
    return expander


def screenshot(page, artifacts: Path, name: str, height: int = 2400) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport instead."""
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": height})
    time.sleep(0.6)
    page.screenshot(path=str(artifacts / f"{name}.png"))
    page.set_viewport_size({"width": width, "height": 1000})


@pytest.fixture(scope="module")
def stored_run(app_url, browser_runs_dir, imdb) -> str:
    """A tiny run trained with core straight into the server's runs folder (the pages scan it on every run)."""
    from core.model.training import train

    store = RunStore(browser_runs_dir)
    cached = store.find_cached(TINY, imdb.fingerprint)
    if cached is not None:
        return cached.run_id
    return store.save(train(TINY, imdb), TINY, imdb).run_id


def open_page(page, url: str, title: str) -> None:
    page.goto(url)
    page.wait_for_selector(f'h1:has-text("{title}")', timeout=60_000)
    wait_for_app(page)


def test_predict_a_typed_review_and_see_the_coloured_words(page, app_url, stored_run, artifacts):
    open_page(page, f"{app_url}/predict", "Predict")
    page.get_by_text("Type or paste a review above").wait_for()
    box = page.get_by_label("Your review")
    box.fill("A wonderful, moving film. The acting is superb, though the middle is not great and a bit slow.")
    box.press("Control+Enter")
    page.locator(".lab-why .w").first.wait_for(timeout=60_000)
    wait_for_app(page)
    probability = page.locator('[data-testid="stMetric"]', has_text="Probability of positive")
    assert 0 <= float(probability.locator('[data-testid="stMetricValue"]').inner_text()) <= 1
    assert page.locator(".lab-why .w").count() == 18
    page.locator(f"{CHART} canvas, {CHART} svg").first.wait_for(timeout=30_000)  # Vega draws after the script ends
    assert page.locator(f"{CHART} canvas, {CHART} svg").count() >= 1  # the confidence bar
    assert page.locator(EXCEPTION).count() == 0
    screenshot(page, artifacts, "predict", height=1800)

    # A review with markup is shown as the characters typed, and nothing in it runs.
    page.evaluate("window.__owned = false")
    box.fill('<img src=x onerror="window.__owned = true"><script>window.__owned = true</script> bad film')
    box.press("Control+Enter")
    page.locator(".lab-why", has_text="<script>").wait_for(timeout=30_000)
    wait_for_app(page)
    assert page.locator(".lab-why img, .lab-why script").count() == 0
    assert page.evaluate("window.__owned") is False

    # The batch tab scores lines into a table.
    page.get_by_role("tab", name="Batch").click()
    batch = page.get_by_label("Reviews, one per line")
    batch.fill("Loved every minute.\nA boring mess.\nNot bad at all!")
    batch.press("Control+Enter")
    page.get_by_text("3 reviews").wait_for(timeout=30_000)
    wait_for_app(page)
    assert page.locator('[data-testid="stDownloadButton"]', has_text="Download the predictions").count() == 1
    assert page.locator(EXCEPTION).count() == 0
    screenshot(page, artifacts, "predict-batch", height=1400)


@pytest.mark.usefixtures("revealed_test_set")
def test_evaluate_shows_the_confusion_matrix_and_roc(page, app_url, stored_run, artifacts):
    open_page(page, f"{app_url}/evaluate", "Evaluate")
    page.locator('[data-testid="stMetric"]', has_text="AUC").wait_for(timeout=60_000)
    wait_for_app(page)
    for title in EVALUATE_CHART_EXPANDERS:  # the answer first, the rest folded: open every folded chart
        open_expander(page, title)
    page.wait_for_function(
        f"() => document.querySelectorAll('{CHART} canvas, {CHART} svg').length >= 5", timeout=60_000
    )
    wait_for_app(page)
    # Confusion matrix, ROC, precision-recall, calibration, accuracy by length, accuracy and probability
    # by star rating, the loss and accuracy curves, and the baseline's word-order probes and the word embeddings.
    page.wait_for_function(f"() => document.querySelectorAll({CHART!r}).length >= 11", timeout=60_000)
    assert page.locator(CHART).count() == 11
    assert page.get_by_text("Are long, truncated reviews harder?").count() == 1
    assert page.locator(f".st-key-evaluate_confusion_matrix {CHART}").count() == 1  # not folded
    assert page.locator('[data-testid="stExpander"]', has_text="Actually ").count() >= 1
    assert page.locator(EXCEPTION).count() == 0
    screenshot(page, artifacts, "evaluate", height=3000)


@pytest.mark.parametrize(
    ("size", "tour"),
    [((1920, 1080), ("Train a model", "Class board", "Evaluate", "Predict")), ((1280, 720), ("Evaluate", "Predict"))],
)
def test_presenter_mode_fits_the_projector_moves_between_pages_and_predicts(page, app_url, stored_run, size, tour):
    """No horizontal overflow at 1920x1080 and 1280x720; the bar's links change page; Predict's button works."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    open_page(page, f"{app_url}/?present=1", "IMDB LSTM Lab")
    fits_the_window(page)
    for title in tour:
        page.locator(".st-key-presenter_bar a", has_text=title).click()
        page.wait_for_selector(f'h1:has-text("{title}")', timeout=60_000)
        wait_for_app(page)
        assert not page.locator('[data-testid="stSidebar"]').is_visible()  # still presenting
        fits_the_window(page)
    from playwright.sync_api import expect

    page.get_by_role("button", name="Positive", exact=True).click()
    # The example reaches the box by a rerun: a Predict pressed before it would submit the box still empty.
    expect(page.get_by_label("Your review")).not_to_have_value("", timeout=30_000)
    wait_for_app(page)
    predict = page.get_by_role("button", name="Predict", exact=False).last
    assert predict.is_visible() and predict.bounding_box()["x"] + predict.bounding_box()["width"] <= size[0]
    predict.click()
    page.locator(".lab-why .w").first.wait_for(timeout=60_000)
    wait_for_app(page)
    fits_the_window(page)
    assert page.locator(EXCEPTION).count() == 0


def _bottom_at_scroll_top(page, locator) -> float:
    """Where ``locator`` ends, in window pixels, with the page at its top (Streamlit scrolls its main block)."""
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    box = locator.bounding_box()
    return box["y"] + box["height"]


def _page_height(page) -> int:
    return page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")


@pytest.mark.usefixtures("revealed_test_set")
def test_the_answer_is_on_the_first_screen_of_predict_and_evaluate(page, app_url, stored_run, artifacts):
    """At 1400x1000, Predict's verdict and Evaluate's confusion matrix need no scrolling."""
    window = page.viewport_size["height"]
    open_page(page, f"{app_url}/predict", "Predict")
    box = page.get_by_label("Your review")
    box.fill("Not bad at all: a fine, moving film with a slow middle.")
    box.press("Control+Enter")
    page.locator(".lab-why .w").first.wait_for(timeout=60_000)
    wait_for_app(page)
    verdict = page.locator('[data-testid="stMetric"]', has_text="Probability of positive")
    assert _bottom_at_scroll_top(page, verdict) <= window
    heights = {"predict": _page_height(page)}

    open_page(page, f"{app_url}/evaluate", "Evaluate")
    matrix = page.locator(f".st-key-evaluate_confusion_matrix {CHART}")
    matrix.locator("canvas, svg").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert _bottom_at_scroll_top(page, matrix) <= window
    heights["evaluate"] = _page_height(page)
    print(f"page heights at 1400 px: {heights}")  # the "pages are long", measured (-s shows it)
    assert page.locator(EXCEPTION).count() == 0
