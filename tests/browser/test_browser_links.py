"""Links that keep state, in headless Chromium: a link opened in a fresh browser shows the same widgets; a reload keeps them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.test_browser_app import CHART, EXCEPTION, screenshot, set_slider, slider, wait_for_app

pytestmark = pytest.mark.browser


def _open_explore(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector('h1:has-text("Explore the data")', timeout=60_000)
    page.locator(f"{CHART} canvas, {CHART} svg").first.wait_for(timeout=60_000)
    wait_for_app(page)


def test_a_copied_link_opens_the_same_view_in_another_browser(page, browser, app_url, artifacts):
    _open_explore(page, f"{app_url}/explore?maxlen=300&split=train")
    assert float(slider(page, "maxlen").first.input_value()) == 300
    set_slider(page, "maxlen", 320, 10)
    page.wait_for_function("() => location.search.includes('maxlen=320')", timeout=30_000)
    assert "split=train" in page.url

    page.get_by_role("button", name="Copy link").click()
    shown = page.locator('[data-testid="stCode"]', has_text="/explore?").first
    shown.wait_for(timeout=30_000)
    link = shown.inner_text().strip()
    assert parse_qs(urlparse(link).query)["maxlen"] == ["320"]
    screenshot(page, artifacts, "explore-copy-link", height=1200)

    other = browser.new_context()  # another student: no cookies, no session
    try:
        fresh = other.new_page()
        _open_explore(fresh, link)
        assert float(slider(fresh, "maxlen").first.input_value()) == 320
        fresh.reload()
        fresh.wait_for_selector('h1:has-text("Explore the data")', timeout=60_000)
        wait_for_app(fresh)
        assert float(slider(fresh, "maxlen").first.input_value()) == 320  # a reload keeps the view
        assert fresh.locator(EXCEPTION).count() == 0
    finally:
        other.close()


def test_a_hostile_link_gets_a_notice_not_an_exception(page, app_url):
    _open_explore(page, f"{app_url}/explore?maxlen=%3Cimg%20src%3Dx%3E&review=-3")
    page.get_by_text("Ignored from the link").wait_for(timeout=30_000)
    assert page.locator(EXCEPTION).count() == 0
    assert page.locator("img[src='x']").count() == 0


def test_presenter_mode_from_a_link_hides_the_chrome_until_left(page, app_url, artifacts):
    _open_explore(page, f"{app_url}/explore?present=1")
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert not sidebar.is_visible() and page.locator('[data-testid="stCaptionContainer"]').first.is_hidden()
    assert page.locator(f"{CHART} canvas, {CHART} svg").first.is_visible()  # the charts stay
    screenshot(page, artifacts, "explore-presenter", height=1400)
    page.get_by_role("button", name="Leave presenter mode").click()
    sidebar.wait_for(state="visible", timeout=30_000)
    page.wait_for_function("() => !location.search.includes('present=')", timeout=30_000)
