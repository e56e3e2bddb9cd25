"""The lessons' pure parts: the query string a step opens, and the panel's minutes left."""

from __future__ import annotations

from core.runs.lessons import parse_lesson
from tests.core.runs.test_lessons import GOOD
from ui.lessons import targets, wording


def short_lesson():
    return parse_lesson("short", GOOD, pages=targets.PAGE_SLUGS, max_review_chars=200)


def test_a_step_opens_its_page_with_the_links_parameters_and_only_the_teacher_gets_presenter_mode():
    train = short_lesson().steps[1]
    assert targets.page_of(train).path == "pages/train.py"
    assert targets.query_params(train, presenter=True) == {
        "present": "1",
        "preset": "overfit-demo",
        "base": "overfit-demo",
        "dropout": "0.3",
    }
    assert targets.query_params(train, presenter=False) == {
        "preset": "overfit-demo",
        "base": "overfit-demo",
        "dropout": "0.3",
    }  # a follower keeps the sidebar
    assert targets.query_params(short_lesson().steps[0], presenter=True) == {"present": "0"}


def test_the_minutes_left_in_the_step_and_the_lesson():
    lesson = short_lesson()
    assert wording.time_left(lesson, 0, 30) == "2 min left in this step · 7 min left in the lesson"
    assert wording.time_left(lesson, 0, 120) == "this step's time is up · 5 min left in the lesson"
    assert wording.time_left(lesson, 0, 300) == "3 min over this step's time · 5 min left in the lesson"
    assert wording.step_heading(lesson, 1) == "Step 2 of 2: Train"
    assert "has not started a lesson" in wording.following(None, None)
    assert wording.following(lesson, 1) == "**A short lesson**: Step 2 of 2: Train. Your page moves with the teacher's."
