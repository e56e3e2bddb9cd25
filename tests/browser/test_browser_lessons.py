"""A lesson in headless Chromium: a teacher and three followers, every step within about 2 s of Next, a run each."""

from __future__ import annotations

import contextlib
import re
import statistics
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout, expect

from tests.browser import protocol_log
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_browser_app import EXCEPTION, _unlock_teacher, fits_the_window, screenshot, wait_for_app
from tests.conftest import TEACHER_TOKEN

pytestmark = pytest.mark.browser

#: The teacher presses Next; the followers' pages show the new step within FOLLOW_WITHIN seconds (the
#: median over every student and step) and none later than FOLLOW_AT_MOST. Measured here: medians 0.8-1.1 s,
#: at most 1.7-2.0 s, Predict the slowest (docs/classroom.md). The slack is for a loaded CI machine, where the
#: server and four Chromium tabs share two cores and one late sample would otherwise fail the suite.
FOLLOW_WITHIN, FOLLOW_AT_MOST = 2.0, 3.0


#: Each tab's messages with the server (:mod:`tests.browser.protocol_log`), written to the artifacts on a failure.
PROTOCOL: dict[str, list[str]] = {}


def _open(browser, url: str, size: dict):
    tab = browser.new_context(viewport=size).new_page()
    PROTOCOL[f"tab-{len(PROTOCOL)}"] = protocol_log.record(tab)
    tab.set_default_timeout(30_000)
    tab.goto(url)
    tab.wait_for_selector('h1:has-text("IMDB LSTM Lab")', timeout=60_000)
    wait_for_app(tab)
    return tab


def _follower(browser, app_url: str):
    """A student's browser with Follow the teacher on (the class may already be on a step: tests share a server)."""
    student = _open(browser, app_url, {"width": 1400, "height": 1000})
    student.get_by_text("Follow the teacher", exact=True).click()
    student.get_by_text(
        re.compile(r"The teacher has not started a lesson yet|Your page moves with the teacher")
    ).wait_for()
    return student


def _teacher_picks(browser, app_url: str, lesson: str):
    """The teacher's browser, unlocked, with ``lesson`` chosen in the sidebar's Lesson box."""
    teacher = _open(browser, app_url, {"width": 1920, "height": 1080})
    _unlock_teacher(teacher, TEACHER_TOKEN).get_by_text("Teacher mode: you can stop any job").wait_for()
    wait_for_app(teacher)
    teacher.get_by_text("Lesson", exact=True).click()
    picker = teacher.locator('[data-testid="stSelectbox"]', has_text="Lesson plan").locator("input")
    option = teacher.get_by_role("option").filter(has_text=lesson)
    picker.wait_for()
    teacher.wait_for_timeout(500)  # the expander opens with an animation
    picker.click()
    with contextlib.suppress(PlaywrightTimeout):
        option.wait_for(timeout=5_000)
    if not option.count():  # opened during the animation: the arrow key opens the list, a click would toggle it
        picker.press("ArrowDown")
    option.click()
    return teacher


#: The first lesson's pages, step by step (assets/lessons/1-what-an-lstm-does.toml): each step's h1.
LESSON_ONE = ("IMDB LSTM Lab", "Explore the data", "Train a model", "Train a model", "Predict", "Predict", "Evaluate")

#: In the student's page: note the browser's clock (ms) when the step's page and sidebar line are both shown.
#: The page notes it itself, so the time is what the student saw, not when this test's polling got round to it.
WATCH_FOR_STEP = """([heading, line]) => {
  window.labStepWatch?.disconnect();  // the last step's watcher would note its own (old) step
  window.labStepSeen = null;
  const check = () => {
    if (window.labStepSeen) return;
    const titled = [...document.querySelectorAll("h1")].some((h) => h.textContent.includes(heading));
    if (titled && document.body.textContent.includes(line)) window.labStepSeen = Date.now();
  };
  window.labStepWatch = new MutationObserver(check);
  window.labStepWatch.observe(document.body, { subtree: true, childList: true, characterData: true });
  check();
}"""


def _rehearse(browser, app_url: str) -> None:
    """The teacher's run-through before class (docs/classroom.md): each of the lesson's pages opened once.

    A page's first visit on a new server computes what every later visit reuses (the
    length histograms, the model's process); a class should not wait for that.
    """
    tab = _open(browser, app_url, {"width": 1400, "height": 1000})
    for path, heading in (("explore", "Explore the data"), ("predict", "Predict"), ("evaluate", "Evaluate")):
        tab.goto(f"{app_url}/{path}")
        tab.wait_for_selector(f'h1:has-text("{heading}")', timeout=60_000)
        wait_for_app(tab)
    tab.context.close()


def _seconds_to_see(students, number: int, heading: str, pressed: float) -> list[float]:
    """Seconds from the teacher's Next to each follower's page showing step ``number``."""
    seen = []
    for which, student in enumerate(students):
        try:
            student.wait_for_function("() => window.labStepSeen", timeout=30_000)
        except PlaywrightTimeout:
            student.screenshot(path=str(ARTIFACTS / f"lesson-follower-{which}-missed-step-{number}.png"))
            raise
        seen.append(round(student.evaluate("() => window.labStepSeen") / 1000 - pressed, 2))
    return seen


@pytest.mark.xfail(
    strict=False,
    reason="Known, not yet fixed (issue 31 stays open): now and then a follower's page goes blank right after the "
    "page switch (sidebar kept, main area cleared, no traceback), seen in 2 of about 8 full runs on 2026-12-07 and "
    "in none of 21 the next session; a failing run leaves each tab's messages with the server in test-artifacts/ "
    "(lesson-protocol-*.log) to find the cause. A passing run still checks everything below.",
)
def test_three_students_follow_the_first_lesson_each_train_their_own_run_and_a_reload_keeps_it(
    browser, app_url, browser_runs_dir, artifacts
):
    """Issue 31's class: one teacher, three followers, every step of lesson 1; each student's Train is their own run.

    On a failure, each tab's messages with the server go to ``test-artifacts/lesson-protocol-*.log``
    (tab-0 is the rehearsal, tab-1 to tab-3 the students, tab-4 the teacher).
    """
    PROTOCOL.clear()
    try:
        _the_lesson(browser, app_url, browser_runs_dir, artifacts)
    except BaseException:
        for name, lines in PROTOCOL.items():
            protocol_log.dump(lines, artifacts / f"lesson-protocol-{name}.log")
        raise


def _the_lesson(browser, app_url, browser_runs_dir, artifacts) -> None:
    from core.runs.class_board import ClassBoard, pseudonym
    from core.runs.store import RunStore, validation_accuracy

    _rehearse(browser, app_url)
    students = [_follower(browser, app_url) for _ in range(3)]
    teacher = _teacher_picks(browser, app_url, "What an LSTM does with words")
    teacher.get_by_text("Step 1 of 7: The task").wait_for()
    wait_for_app(teacher)
    before = {run.run_id for run in RunStore(browser_runs_dir).list()}
    seconds: dict[int, list[float]] = {}
    for number, heading in enumerate(LESSON_ONE, start=1):
        wait_for_app(teacher)
        fits_the_window(teacher)  # the projector's view of the last step (1920x1080)
        for student in students:
            wait_for_app(student)
            student.evaluate(WATCH_FOR_STEP, [heading, f"Step {number} of 7: "])
        key = "lesson_open_sidebar" if number == 1 else "lesson_next_bar"  # step 1 opens presenter mode
        pressed = time.time()
        teacher.locator(f".st-key-{key} button").click()
        seconds[number] = _seconds_to_see(students, number, heading, pressed)
        teacher.wait_for_selector(f'h1:has-text("{heading}")', timeout=30_000)
        if number == 3:  # "Everyone press Train now": each student queues a run of their own
            for which, student in enumerate(students):
                wait_for_app(student)
                try:
                    student.locator('[data-testid="stButton"] button', has_text="Train").first.click()
                except PlaywrightTimeout:
                    screenshot(student, artifacts, f"lesson-student-{which}-no-train")
                    raise
            for student in students:
                student.get_by_text(re.compile(r"Training job \w+")).first.wait_for(timeout=60_000)
            students[0].reload()  # a reload keeps the student's job on screen, and their Follow switch on
            students[0].get_by_text(re.compile(r"Training job \w+")).first.wait_for(timeout=60_000)
            students[0].get_by_text(f"Step {number} of 7: ").wait_for(timeout=30_000)
            expect(students[0].get_by_role("switch", name="Follow the teacher")).to_be_checked()
            for student in students:
                student.locator("h3", has_text="done").wait_for(timeout=240_000)
            screenshot(students[0], artifacts, "lesson-student-trained")
            teacher.reload()  # F5 on the projector: still the teacher, still presenting, still on this step
            teacher.locator(".st-key-lesson_bar").get_by_text(f"Step {number} of 7").wait_for(timeout=60_000)
            wait_for_app(teacher)
            expect(teacher.locator('[data-testid="stSidebar"]')).to_be_hidden()  # presenting (its stylesheet)
    wait_for_app(teacher)
    fits_the_window(teacher)
    screenshot(teacher, artifacts, "lesson-teacher-last-step", height=1080)

    new = [run for run in RunStore(browser_runs_dir).list() if run.run_id not in before]
    assert len(new) == 3 and len({run.owner for run in new}) == 3, [(run.run_id, run.owner) for run in new]
    assert len({run.config.seed for run in new}) == 3  # the same network, a seed of each student's own
    assert len({run.config.summary() for run in new}) == 1
    board = ClassBoard(browser_runs_dir).table(new, validation_accuracy)
    assert set(board["student"]) == {pseudonym(run.owner) for run in new}  # nicknames, no "anonymous", no hash
    every = [took for step in seconds.values() for took in step]
    assert statistics.median(every) <= FOLLOW_WITHIN and max(every) <= FOLLOW_AT_MOST, (
        f"followers saw the steps too late after Next (seconds, by step): {seconds}"
    )
    for tab in (*students, teacher):
        assert tab.locator(EXCEPTION).count() == 0
        assert ("present=" in tab.url) is (tab is teacher)  # a follower keeps the sidebar (and its switch)
        tab.context.close()
