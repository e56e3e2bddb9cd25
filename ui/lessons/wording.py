"""The lesson panel's sentences: which step, how many minutes are left. Pure: no Streamlit."""

from __future__ import annotations

import math

from core.runs.lessons import Lesson


def step_heading(lesson: Lesson, index: int) -> str:
    return f"Step {index + 1} of {len(lesson.steps)}: {lesson.steps[index].title}"


def time_left(lesson: Lesson, index: int, elapsed_seconds: float) -> str:
    """``"4 min left in this step · 31 min in the lesson"``, or how far over time the step is."""
    in_step, in_lesson = lesson.minutes_left(index, elapsed_seconds)
    if in_step > 0:
        step = f"{math.ceil(in_step)} min left in this step"
    elif in_step > -1:
        step = "this step's time is up"
    else:
        step = f"{math.floor(-in_step)} min over this step's time"
    return f"{step} · {math.ceil(in_lesson)} min left in the lesson"


def following(lesson: Lesson | None, index: int | None) -> str:
    """What a following student's sidebar says."""
    if lesson is None or index is None or not 0 <= index < len(lesson.steps):
        return "The teacher has not started a lesson yet. Your page will move when they do."
    return f"**{lesson.title}**: {step_heading(lesson, index)}. Your page moves with the teacher's."
