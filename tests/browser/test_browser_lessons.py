"""Follow the teacher, in headless Chromium: a student's page moves to the teacher's lesson step within 2 s of Next."""

from __future__ import annotations

import contextlib
import re
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
