"""core.runs.lessons: lesson files checked in plain words, and the class's step that only the teacher moves."""

from __future__ import annotations

import json

import pytest

from core.access import Actor, NotAllowed
from core.runs.lessons import MAX_LINE_CHARS, LessonError, LessonPosition, load_lesson, parse_lesson

#: The page slugs the app passes in (the registry's, :data:`ui.lessons.targets.PAGE_SLUGS`).
PAGES = ("start", "explore", "train", "predict", "evaluate", "board")
TEACHER, STUDENT = Actor("t", teacher=True), Actor("ada")

GOOD = """
title = "A short lesson"
minutes = 7

[[steps]]
title = "Look at the data"
minutes = 2
page = "explore"
say = ["Read one review aloud."]

[[steps]]
title = "Train"
minutes = 5
page = "train"
preset = "overfit-demo"
knobs = { dropout = 0.3 }
presenter = true
say = ["Press Train.", "Watch the validation loss."]
"""


def parse(text: str):
    return parse_lesson("short", text, pages=PAGES, max_review_chars=200)


def test_a_good_lesson_reads_into_steps_with_their_app_state():
    lesson = parse(GOOD)
    assert (lesson.id, lesson.title, lesson.minutes, len(lesson.steps)) == ("short", "A short lesson", 7, 2)
    train = lesson.steps[1]
    assert (train.page, train.preset, train.knobs, train.presenter) == ("train", "overfit-demo", {"dropout": 0.3}, True)
    assert train.say == ("Press Train.", "Watch the validation loss.")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('page = "explore"', 'page = "xray"'), "unknown page 'xray'; choose one of start, explore"),
        (('preset = "overfit-demo"', 'preset = "huge"'), "unknown preset 'huge'"),
        (("dropout = 0.3", "dropouts = 0.3"), "unknown knob 'dropouts'"),
        (("dropout = 0.3", "dropout = 7"), "dropout"),
        (("minutes = 2", "minutes = 0"), "minutes must be more than 0"),
        (("minutes = 2", "minutes = -3"), "minutes must be more than 0"),
        (("minutes = 2", 'minutes = "two"'), "minutes must be a number"),
        (("minutes = 7", "minutes = 9"), "add up to 7, not the lesson's 9"),
        (('say = ["Read one review aloud."]', f'say = ["{"x" * (MAX_LINE_CHARS + 1)}"]'), "at most 300 fit"),
        (('page = "explore"', 'page = "explore"\nreview = "Great film"'), "review belongs to a step on the predict"),
        (('page = "explore"', 'page = "explore"\nslides = 3'), "unknown slides"),
        (("presenter = true", 'presenter = "yes"'), "presenter must be true or false"),
        (('title = "A short lesson"', 'title = "A short lesson'), "is not valid TOML"),
    ],
)
def test_a_bad_lesson_is_refused_with_what_to_change(change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(LessonError, match=r"^Lesson 'short'") as refused:
        parse(GOOD.replace(old, new, 1))
    assert message in str(refused.value)


def test_a_review_longer_than_a_link_carries_is_refused(tmp_path):
    path = tmp_path / "long.toml"
    path.write_text(GOOD.replace('page = "explore"', f'page = "predict"\nreview = "{"good " * 60}"'), "utf-8")
    with pytest.raises(LessonError, match="review has 300 characters; at most 200 fit"):
        load_lesson(path, pages=PAGES, max_review_chars=200)


def test_only_the_teacher_moves_the_class_and_everyone_reads_it(tmp_path):
    lesson = parse(GOOD)
    position = LessonPosition(tmp_path / ".class")
    assert position.read() is None
    with pytest.raises(NotAllowed, match="Only the teacher"):
        position.move(lesson, 1, by=STUDENT)
    assert position.read() is None
    with pytest.raises(LessonError, match="steps 1 to 2, not 3"):
        position.move(lesson, 2, by=TEACHER)
    moved = position.move(lesson, 1, by=TEACHER)
    assert position.read() == moved and (moved.lesson, moved.step) == ("short", 1)
    position.path.write_text(json.dumps({"lesson": "short", "step": "one"}))  # damaged: no position, no error
    assert position.read() is None
