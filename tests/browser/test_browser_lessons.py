"""Follow the teacher, in headless Chromium: a student's page moves to the teacher's lesson step within 2 s of Next."""

from __future__ import annotations

import contextlib
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.test_browser_app import EXCEPTION, _unlock_teacher, screenshot, wait_for_app
from tests.conftest import TEACHER_TOKEN

pytestmark = pytest.mark.browser

#: The teacher presses Next; the follower's page must show the new step within this (seconds).
FOLLOW_WITHIN = 2.0


def _open(browser, url: str, size: dict):
    tab = browser.new_context(viewport=size).new_page()
    tab.set_default_timeout(30_000)
    tab.goto(url)
    tab.wait_for_selector('h1:has-text("IMDB LSTM Lab")', timeout=60_000)
    wait_for_app(tab)
    return tab


def _follower(browser, app_url: str):
    student = _open(browser, app_url, {"width": 1400, "height": 1000})
    student.get_by_text("Follow the teacher", exact=True).click()
    student.get_by_text("The teacher has not started a lesson yet").wait_for()
    return student


def _teacher_picks(browser, app_url: str, lesson: str):
    """The teacher's browser, unlocked, with ``lesson`` chosen in the sidebar's Lesson box."""
    teacher = _open(browser, app_url, {"width": 1920, "height": 1080})
    _unlock_teacher(teacher, TEACHER_TOKEN).get_by_text("Teacher mode: you can stop any job").wait_for()
    wait_for_app(teacher)
    teacher.get_by_text("Lesson", exact=True).click()
    picker = teacher.locator('[data-testid="stSelectbox"]', has_text="Lesson plan").locator("input")
    option = teacher.get_by_role("option").filter(has_text=lesson)
    for _ in range(5):  # the expander opens with an animation: click the picker until its list shows
        picker.click()
        with contextlib.suppress(PlaywrightTimeout):
            option.wait_for(timeout=2_000)
            break
    option.click()
    return teacher


def test_a_follower_sees_the_teachers_next_step_within_two_seconds(browser, app_url, artifacts):
    student = _follower(browser, app_url)
    teacher = _teacher_picks(browser, app_url, "Overfitting and honest evaluation")
    teacher.get_by_text("Step 1 of 6: Train the overfitting demo").wait_for()
    wait_for_app(teacher)
    teacher.locator(".st-key-lesson_open_sidebar button").click()  # step 1: Train, the overfitting demo
    teacher.wait_for_selector('h1:has-text("Train a model")', timeout=60_000)
    wait_for_app(teacher)

    student.wait_for_selector('h1:has-text("Train a model")', timeout=60_000)  # the first switch loads Train
    student.wait_for_function("() => location.search.includes('base=overfit-demo')")
    teacher.locator(".st-key-lesson_next_bar button").click()  # step 2: the same page, the curves
    student.get_by_text("Step 2 of 6: Read the two loss curves").wait_for()
    wait_for_app(student)
    wait_for_app(teacher)

    pressed = time.monotonic()
    teacher.locator(".st-key-lesson_next_bar button").click()  # step 3: Evaluate
    student.wait_for_selector('h1:has-text("Evaluate")', timeout=10_000)
    followed = time.monotonic() - pressed
    screenshot(student, artifacts, "lesson-follower")
    screenshot(teacher, artifacts, "lesson-teacher")
    assert followed <= FOLLOW_WITHIN, f"the follower's page changed {followed:.1f} s after Next"
    assert student.locator(EXCEPTION).count() == 0 and teacher.locator(EXCEPTION).count() == 0
    assert "present=" not in student.url  # a follower keeps the sidebar (and this switch)
    student.context.close()
    teacher.context.close()


def test_three_students_follow_the_first_lesson_and_each_trains_a_run_of_their_own(browser, app_url, browser_runs_dir):
    """Issue 31: followers reach each step; the Train step gives each student a run they own, with their own seed."""
    from core.runs.class_board import ClassBoard, pseudonym
    from core.runs.store import RunStore, validation_accuracy

    students = [_follower(browser, app_url) for _ in range(3)]
    teacher = _teacher_picks(browser, app_url, "What an LSTM does with words")
    teacher.get_by_text("Step 1 of 7: The task").wait_for()
    wait_for_app(teacher)
    teacher.locator(".st-key-lesson_open_sidebar button").click()  # step 1: Start, presenter on
    for student in students:
        student.wait_for_selector('h1:has-text("IMDB LSTM Lab")', timeout=60_000)
    seconds = []
    for heading in ("Explore the data", "Train a model"):  # steps 2 and 3
        wait_for_app(teacher)
        pressed = time.monotonic()
        teacher.locator(".st-key-lesson_next_bar button").click()
        for student in students:
            student.wait_for_selector(f'h1:has-text("{heading}")', timeout=60_000)
        seconds.append(time.monotonic() - pressed)
    before = {run.run_id for run in RunStore(browser_runs_dir).list()}
    for student in students:  # "Everyone press Train now"
        wait_for_app(student)
        student.locator('[data-testid="stButton"] button', has_text="Train").first.click()
    for student in students:
        student.wait_for_selector('h3:has-text("done")', timeout=240_000)
    new = [run for run in RunStore(browser_runs_dir).list() if run.run_id not in before]
    assert len(new) == 3 and len({run.owner for run in new}) == 3, [(r.run_id, r.owner) for r in new]
    assert len({run.config.seed for run in new}) == 3  # the same network, a seed of each student's own
    assert {run.config.summary() for run in new} == {new[0].config.summary()}
    board = ClassBoard(browser_runs_dir).table(new, validation_accuracy)
    assert set(board["student"]) == {pseudonym(run.owner) for run in new}  # no "anonymous", no hash
    # Following took this long for three students at once on the test machine (the lessons page says 2 s for one).
    assert max(seconds) < 30, seconds
    for page in (*students, teacher):
        assert page.locator(EXCEPTION).count() == 0
        page.context.close()
