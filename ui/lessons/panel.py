"""The teacher's lesson panel: choose a lesson, read the step's lines, move to the previous or next step.

In the sidebar for whoever runs the lesson: the teacher, or a lone learner on a server
without teacher mode (:meth:`core.access.Actor.may_set_up_data`). Moving to a step opens
its app state (:mod:`ui.lessons.targets`: a page switch with the step's query
parameters) and, for the teacher, moves the class (:class:`core.runs.lessons.LessonPosition`),
which following students pick up (:mod:`ui.lessons.follow`). In presenter mode the sidebar
is hidden, so a slim bar at the top of the page keeps Previous and Next (the lines to
say stay in a popover: they are the teacher's notes, not the room's).
"""

from __future__ import annotations

import functools
import time

import streamlit as st

from core import settings
from core.runs.class_board import ClassBoard
from core.runs.lessons import Lesson, LessonError, LessonPosition, Position, load_lessons
from ui.classroom import identity
from ui.lessons import targets, wording
from ui.shared import assets, links, presenter, state

#: How often the minutes left are redrawn (seconds).
CLOCK_SECONDS = 20


def load(folder=None) -> dict[str, Lesson]:
    """The lessons in ``folder`` (``assets/lessons/``) by id, checked against this app's pages and links.

    A bad file raises its :class:`core.runs.lessons.LessonError`.
    """
    return load_lessons(folder or assets.LESSONS, pages=targets.PAGE_SLUGS, max_review_chars=links.MAX_TEXT_IN_LINK)


@functools.cache
def lessons() -> dict[str, Lesson]:
    """The lessons under ``assets/lessons/``, read once per process (a bad file: read again, and refused, each time)."""
    return load()


def class_position() -> LessonPosition:
    """The class's current step, in the class board's folder of this server's runs."""
    return LessonPosition(ClassBoard(settings.runs_dir()).folder)


def step_of(position: Position | None) -> tuple[Lesson, int] | None:
    """The lesson and step index ``position`` names, if this server has that lesson and step."""
    try:
        lesson = lessons().get(position.lesson) if position else None
    except LessonError:  # the teacher's panel says what is wrong with the file
        return None
    if lesson is None or not 0 <= position.step < len(lesson.steps):
        return None
    return lesson, position.step


def go_to(lesson: Lesson, index: int) -> None:
    """Move this session (and the class, for the teacher) to step ``index``, and open its page."""
    since = time.time()
    if identity.is_teacher():
        since = class_position().move(lesson, index, by=identity.actor()).since
    if st.session_state.get(state.LESSON_KEY) != lesson.id:  # the lesson picker's key: set only when it changes
        st.session_state[state.LESSON_KEY] = lesson.id
    st.session_state[state.LESSON_STEP_KEY] = index
    st.session_state[state.LESSON_SINCE_KEY] = since
    step = lesson.steps[index]
    query = targets.query_params(step, presenter=identity.is_teacher())
    st.switch_page(targets.page_of(step).path, query_params=query)


def _resume() -> None:
    """The teacher's panel shows the class's step: after a reload, and after a move from another tab.

    Not when this session picked another lesson than the class's (it is about to start that one).
    """
    if not identity.is_teacher():
        return
    position = class_position().read()
    found = step_of(position)
    session = st.session_state
    if not found or session.get(state.LESSON_KEY) not in (None, position.lesson):
        return
    if session.get(state.LESSON_SINCE_KEY) is None or session[state.LESSON_SINCE_KEY] < position.since:
        session[state.LESSON_KEY] = position.lesson
        session[state.LESSON_STEP_KEY] = position.step
        session[state.LESSON_SINCE_KEY] = position.since


def _lesson_changed() -> None:
    st.session_state[state.LESSON_STEP_KEY] = 0
    st.session_state.pop(state.LESSON_SINCE_KEY, None)


def _current() -> tuple[Lesson, int] | None:
    lesson = lessons().get(st.session_state.get(state.LESSON_KEY) or "")
    if lesson is None:
        return None
    index = min(max(int(st.session_state.get(state.LESSON_STEP_KEY) or 0), 0), len(lesson.steps) - 1)
    return lesson, index


@st.fragment(run_every=CLOCK_SECONDS)
def _clock(lesson: Lesson, index: int) -> None:
    since = st.session_state.get(state.LESSON_SINCE_KEY)
    if since is None:
        st.markdown(f"Not opened yet · {lesson.minutes:g} min in all")
    else:
        st.markdown(wording.time_left(lesson, index, time.time() - since))


def _moves(lesson: Lesson, index: int, where: str) -> None:
    """Previous, Open (this step again) and Next; ``where`` keeps the sidebar's and the bar's keys apart."""
    back, here, ahead = st.columns(3)
    if back.button("Previous", key=f"lesson_back_{where}", disabled=index == 0, width="stretch"):
        go_to(lesson, index - 1)
    if here.button("Open", key=f"lesson_open_{where}", type="primary", width="stretch"):  # this step again
        go_to(lesson, index)
    if ahead.button("Next", key=f"lesson_next_{where}", disabled=index == len(lesson.steps) - 1, width="stretch"):
        go_to(lesson, index + 1)


def sidebar() -> None:
    """The sidebar's Lesson box (for who runs the lesson), and in presenter mode the bar at the top of the page."""
    if not identity.actor().may_set_up_data():
        return
    try:
        every = lessons()
    except LessonError as error:
        st.sidebar.error(f"{error}", icon=":material/co_present:")
        return
    _resume()
    current = _current()
    with st.sidebar.expander("Lesson", icon=":material/co_present:", expanded=current is not None):
        st.selectbox(
            "Lesson plan",
            options=list(every),
            format_func=lambda lesson_id: f"{every[lesson_id].title} ({every[lesson_id].minutes:g} min)",
            index=None,
            placeholder="Choose a lesson",
            key=state.LESSON_KEY,
            persist_state="session",  # kept across page switches (see ui.shared.state)
            on_change=_lesson_changed,
        )
        if current is None:
            st.caption("A lesson opens each step's page for you, and students who follow you see it too.")
            return
        lesson, index = current
        st.markdown(f"**{wording.step_heading(lesson, index)}**")
        _clock(lesson, index)
        st.markdown("\n".join(f"- {line}" for line in lesson.steps[index].say))
        _moves(lesson, index, "sidebar")
    if presenter.on():
        _presenter_bar(lesson, index)


def _presenter_bar(lesson: Lesson, index: int) -> None:
    """The sidebar is hidden in presenter mode: the step and Previous / Next at the top of the page."""
    with st.container(key="lesson_bar", border=True):
        title, notes, moves = st.columns([4, 1, 3], vertical_alignment="center")
        title.markdown(f"**{wording.step_heading(lesson, index)}**")
        with notes.popover("Notes", icon=":material/notes:"):
            st.markdown("\n".join(f"- {line}" for line in lesson.steps[index].say))
        with moves:
            _moves(lesson, index, "bar")
