"""The real app in headless Chromium: pages render, sliders react, a tiny training runs live and stops."""

from __future__ import annotations

import re
import time

import pytest

from core.config import TrainConfig
from tests.conftest import TEACHER_TOKEN

pytestmark = pytest.mark.browser

CHART = '[data-testid="stVegaLiteChart"]'
EXCEPTION = '[data-testid="stException"]'


def wait_for_app(page) -> None:
    """Until the script has finished its run (Streamlit shows a status widget while running)."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=60_000)


def fits_the_window(page) -> None:
    """No horizontal overflow: the page is no wider than the window (a projector shows no scroll bar)."""
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px window"


def screenshot(page, artifacts, name: str, height: int = 2600) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport instead."""
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": height})
    time.sleep(0.5)
    page.screenshot(path=str(artifacts / f"{name}.png"))
    page.set_viewport_size({"width": width, "height": 1000})


def slider(page, label: str):
    """The slider's thumb: a (visually hidden) range input that takes arrow keys."""
    return page.locator('[data-testid="stSlider"]', has_text=label).locator('input[type="range"]')


def set_slider(page, label: str, target: float, step: float) -> None:
    """Move a slider with the keyboard until it shows ``target``.

    Key presses that arrive while the app reruns can be overridden by the server's
    value, so press, let the app settle, look, and press again if needed.
    """
    thumb = slider(page, label)
    for _ in range(8):
        current = float(thumb.input_value())
        if current == target:
            return
        thumb.focus()
        for _ in range(round(abs(current - target) / step)):
            thumb.press("ArrowLeft" if current > target else "ArrowRight")
        time.sleep(0.8)
        wait_for_app(page)
    assert float(thumb.input_value()) == target, f"{label} stuck at {thumb.input_value()}"


def app_button(page, label: str):
    """A button of the app (not the toolbar's Stop, which shows while a script runs)."""
    return page.locator('[data-testid="stButton"]').get_by_role("button", name=re.compile(f"{label}$"))


def metric_value(page, label: str) -> str:
    return (
        page.locator('[data-testid="stMetric"]', has_text=label).locator('[data-testid="stMetricValue"]').inner_text()
    )


def test_explore_page_renders_and_reacts_to_maxlen(page, app_url, artifacts):
    page.goto(f"{app_url}/explore")
    page.wait_for_selector(f"{CHART} canvas, {CHART} svg", timeout=60_000)
    wait_for_app(page)
    assert page.locator(CHART).count() == 3  # two histograms and the coverage curve
    assert page.locator(f"{CHART} canvas, {CHART} svg").count() >= 3
    page.locator(".lab-tok.start").first.wait_for()  # the token view, built from escaped text
    assert page.locator(".lab-tok.start").first.inner_text().startswith("<start>")
    share = page.get_by_text(re.compile(r"of the 50,000 reviews have at most"))
    before = share.inner_text()
    assert f"at most {TrainConfig().maxlen} tokens" in before  # the Train page's maxlen (one shared value)
    screenshot(page, artifacts, "explore")

    set_slider(page, "maxlen", 800, 10)
    page.wait_for_function(
        "() => [...document.querySelectorAll('p')].some(p => p.innerText.includes('at most 800 tokens'))",
        timeout=30_000,
    )
    wait_for_app(page)
    after = share.inner_text()
    assert after != before and "at most 800 tokens" in after and "98.2%" in after
    assert metric_value(page, "At most 800 tokens") == "98.2%"
    assert page.locator(EXCEPTION).count() == 0

    # The value survives a trip to the Train page and back.
    page.locator('[data-testid="stSidebarNav"] a', has_text="Train a model").click()
    page.wait_for_selector('h1:has-text("Train a model")')
    page.locator('[data-testid="stSidebarNav"] a', has_text="Explore the data").click()
    page.wait_for_selector('h1:has-text("Explore the data")')
    wait_for_app(page)
    assert slider(page, "maxlen").input_value() == "800"
    assert page.locator(EXCEPTION).count() == 0


def _progress(page) -> str:
    bars = page.locator('[data-testid="stProgress"]')
    return bars.first.inner_text() if bars.count() else ""


def test_train_runs_live_in_the_background_and_stops(page, browser, app_url, artifacts):
    page.goto(f"{app_url}/train")
    page.wait_for_selector('h1:has-text("Train a model")', timeout=60_000)
    app_button(page, "Train").wait_for()  # the page has run to its end
    page.get_by_text("Test mode: IMDB_LAB_TEST_SLICE=300").wait_for()
    wait_for_app(page)
    screenshot(page, artifacts, "train")
    # A job slow enough to watch: the tutorial's first network (length 800, no bucketing), batch 32,
    # so 9 batches per epoch on the 270 training reviews of the test slice.
    page.locator('[data-testid="stButtonGroup"]').get_by_text("tutorial-v1", exact=True).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('input[type=range]')]"
        ".some(i => i.getAttribute('aria-label').startsWith('maxlen') && i.value === '800')"
    )
    wait_for_app(page)
    set_slider(page, "Batch size", 32, 8)
    # Far more than the test watches (it presses Stop long before the end): on a slow machine 30 epochs
    # ended before the teacher's tab looked for the job's Stop button.
    epochs = slider(page, "Epochs")
    epochs.focus()
    epochs.press("End")  # to the slider's maximum in one key press (one rerun, not 190)
    time.sleep(0.8)
    wait_for_app(page)
    set_slider(page, "Epochs", 200, 1)  # checks it, and presses on should a rerun have overridden End
    app_button(page, "Train").click()

    seen: set[str] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = _progress(page)
        if re.search(r"batch \d+/\d+", text):
            seen.add(text.split(" · ")[0] + " " + text.split(" · ")[1])
        if len(seen) >= 3 or page.get_by_text("Test accuracy").count():
            break
        if page.locator("h3", has_text="Training job").filter(has_text="failed").count():
            screenshot(page, artifacts, "train-failed")
            alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
            pytest.fail("the training job failed: " + " ".join(alerts))
        time.sleep(0.25)
    assert len(seen) >= 3, f"the progress never moved while training: {seen}"
    assert page.locator(CHART).count() >= 2  # live loss and accuracy curves
    # One's own running job is drawn above the knobs: the curves are where the eye is.
    job_top = page.locator("h3", has_text="Training job").bounding_box()["y"]
    knobs_top = page.locator(".st-key-train_knobs").bounding_box()["y"]
    assert job_top < knobs_top
    screenshot(page, artifacts, "train-running")

    heading = page.locator("h3", has_text="Training job").inner_text()
    job_id = re.search(r"Training job (\S+)", heading).group(1)
    _a_class_shares_the_server(page, browser, app_url, job_id, artifacts)

    app_button(page, "Stop").click()
    page.wait_for_selector('h3:has-text("cancelled"), h3:has-text("done")', timeout=90_000)
    wait_for_app(page)
    finished = page.locator("h3", has_text="Training job").inner_text()
    if "cancelled" in finished:
        assert page.get_by_text(re.compile(r"^Stopped\. ")).count() == 1  # what was kept
        assert page.get_by_text(re.compile(r"^Stopped after [\d.]+ epochs")).count() == 1  # the progress bar
    screenshot(page, artifacts, "train-stopped")
    assert page.locator(EXCEPTION).count() == 0


def test_missing_data_shows_the_setup_panel(page, no_data_app_url, artifacts):
    # /train first: on a fresh server Streamlit runs a pages/ file on its own until app.py has run once.
    for path, title in (("/train", "Train a model"), ("", "IMDB LSTM Lab")):
        page.goto(no_data_app_url + path)
        page.wait_for_selector(f'h1:has-text("{title}")', timeout=60_000)
        page.get_by_text("The IMDB reviews are needed before this page can work.").wait_for()
        page.get_by_text("No IMDB data found").wait_for()
        page.get_by_role("tab", name="Upload the archive").wait_for()
        wait_for_app(page)
        assert page.locator(EXCEPTION).count() == 0
    screenshot(page, artifacts, "setup-panel", height=1300)


def _offline_faults(page, app_url: str) -> list[str]:
    """What an offline classroom would see fail: requests leaving the server, 404s, console warnings and errors.

    Filled as the page is used. Only in-app navigation is toured: a link opened straight at
    a sub-page (``/predict``) makes Streamlit's front end probe ``/predict/_stcore/health``
    first (a 404, streamlit#7074) before it finds the server's root.
    """
    faults: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(app_url) else faults.append(f"leaves the server: {r.url}"))
    page.on("response", lambda r: faults.append(f"{r.status}: {r.url}") if r.status >= 400 else None)
    page.on(
        "console", lambda m: faults.append(f"console {m.type}: {m.text}") if m.type in ("warning", "error") else None
    )
    return faults


def test_every_page_in_the_navigation_opens_cleanly_and_offline(page, app_url, artifacts):
    faults = _offline_faults(page, app_url)
    page.goto(app_url)
    nav = page.locator('[data-testid="stSidebarNav"] a')
    # On a server no session has used yet, Streamlit first lists pages/ the legacy way;
    # app.py's st.navigation replaces that list as soon as its first run reaches the browser.
    nav.filter(has_text="Explore the data").wait_for(timeout=60_000)
    titles = [text.split("\n")[-1].strip() for text in nav.all_inner_texts()]
    assert {"Explore the data", "Train a model"} <= set(titles)
    for title in titles:
        page.locator('[data-testid="stSidebarNav"] a', has_text=title).click()
        page.locator("h1").first.wait_for(timeout=60_000)
        page.wait_for_timeout(500)
        wait_for_app(page)
        assert page.locator(EXCEPTION).count() == 0, f"exception on the {title} page"
        name = re.sub(r"[^a-z]+", "-", title.lower()).strip("-")
        screenshot(page, artifacts, f"page-{name}")
    assert faults == [], faults  # no request leaves the server, no 404, no Vega or console warning


def _open_train(browser, url: str):
    """Another browser (its own cookies: another student) on the Train page."""
    tab = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    tab.set_default_timeout(30_000)
    tab.goto(url)
    tab.wait_for_selector('h1:has-text("Train a model")', timeout=60_000)
    app_button(tab, "Train").wait_for()
    wait_for_app(tab)
    return tab


def _a_class_shares_the_server(page, browser, app_url, job_id, artifacts) -> None:
    """A's second tab is A's; B never sees A's Stop; a wrong teacher token is refused; the teacher can stop it."""
    same_browser = page.context.new_page()  # a second tab of A's browser: the same owner
    same_browser.goto(f"{app_url}/train")
    same_browser.wait_for_selector(f'h3:has-text("Training job {job_id}")', timeout=60_000)
    assert app_button(same_browser, "Stop").is_enabled()
    same_browser.close()

    student = _open_train(browser, f"{app_url}/train")
    student.get_by_text("someone else's job").first.wait_for()
    assert student.locator("h3", has_text=f"Training job {job_id}").count() == 0  # never adopted
    assert app_button(student, "Stop").is_disabled()
    screenshot(student, artifacts, "train-another-student")
    student.context.close()

    old_link = _open_train(browser, f"{app_url}/train?teacher={TEACHER_TOKEN}")
    old_link.get_by_text("Links no longer unlock teacher mode").wait_for()
    assert "teacher=" not in old_link.url  # dropped from the address bar, and nothing unlocked
    old_link.context.close()

    wrong = _unlock_teacher(_open_train(browser, f"{app_url}/train"), "guess")
    wrong.get_by_text("That is not the teacher token").wait_for()
    wrong.context.close()

    teacher = _unlock_teacher(_open_train(browser, f"{app_url}/train"), TEACHER_TOKEN)
    teacher.get_by_text("Teacher mode: you can stop any job").wait_for()
    assert TEACHER_TOKEN not in teacher.url
    # A's job, in the list of other jobs: its row's Stop (key stop_<id>) is drawn after the sidebar's notice.
    a_stop = teacher.locator(f".st-key-stop_{job_id} button")
    a_stop.wait_for()
    assert a_stop.is_enabled()
    teacher.reload()  # F5 on the projector: a new session of the same browser is still the teacher
    teacher.get_by_text("Teacher mode: you can stop any job").wait_for(timeout=60_000)
    assert TEACHER_TOKEN not in teacher.url
    teacher.context.close()


def _unlock_teacher(tab, token: str):
    """Open the sidebar's Teacher box, type ``token`` and press Unlock, as the teacher does."""
    tab.get_by_text("Teacher", exact=True).click()
    tab.get_by_label("Teacher token").fill(token)
    tab.get_by_role("button", name="Unlock teacher mode").click()
    return tab


def test_students_get_no_developer_menu(page, app_url):
    """client.toolbarMode = "viewer": no Deploy button, no Rerun or Clear caches for anyone."""
    page.goto(app_url)
    page.wait_for_selector('h1:has-text("IMDB LSTM Lab")', timeout=60_000)
    wait_for_app(page)
    assert page.locator('[data-testid="stAppDeployButton"]').count() == 0
    menu = page.locator('[data-testid="stMainMenu"]')
    if menu.count():
        menu.click()
        page.wait_for_timeout(500)
    assert page.get_by_text(re.compile("Clear cache", re.IGNORECASE)).count() == 0
    assert page.get_by_text("Deploy", exact=True).count() == 0
