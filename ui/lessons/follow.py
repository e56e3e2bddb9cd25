"""Follow the teacher: a student's switch that keeps their page on the teacher's current lesson step.

While it is on, a fragment rereads the class's step (:class:`core.runs.lessons.LessonPosition`,
one small file) every :data:`FOLLOW_SECONDS`; when the teacher has moved since this
session last followed, the page switches to the step's page with its query parameters
(without presenter mode: the student keeps the sidebar and this switch). The fragment
only notes the move and reruns the whole app, which switches page, as the teacher's panel
does. (This was tried against a follower's page going blank after the switch, sidebar kept
and main area cleared, seen twice in about 8 runs of the lesson browser test; it did not
cure it. The next session saw it in none of 21 runs and 250 switches of a stress script;
issue 31 stays open for it, and the test, xfail until then, logs each tab's messages with
the server when it fails.) Turned off,
nothing moves: the student stays where they are, with their own choices. Only students
see it (a server with a teacher, a session that is not the teacher); reading the step
is all they can do with it. The switch outlives a reload: the server remembers the
browsers whose switch is on (:class:`core.access.RememberedBrowsers`), as it does the teacher's.
"""

from __future__ import annotations

import functools

import streamlit as st

from core import access
from ui.classroom import identity
from ui.lessons import panel, targets, wording
from ui.shared import server_objects, state

#: How often a follower looks at the teacher's step (seconds): the page moves within about this.
#: Each look costs the server about 4 ms (docs/classroom.md: ten followers, 0.085 cores).
FOLLOW_SECONDS = 0.5
#: Session key: the teacher's move this session last followed (lesson, step, when).
_FOLLOWED_KEY = "lesson_followed"
#: Session key: the page (path, query parameters) the next whole run switches to.
_SWITCH_KEY = "lesson_follow_switch"
#: Server object: the browsers whose Follow switch is on, so a reload keeps it on.
FOLLOWERS_OBJECT = "following browsers"
#: How long the server remembers a follower (a lesson or two), and at most how many browsers.
FOLLOWER_SECONDS, MAX_FOLLOWERS = 4 * 3600.0, 1000


def _followers() -> access.RememberedBrowsers:
    return server_objects.once(
        FOLLOWERS_OBJECT, functools.partial(access.RememberedBrowsers, FOLLOWER_SECONDS, max_browsers=MAX_FOLLOWERS)
    )


def _switched() -> None:
    st.session_state.pop(_FOLLOWED_KEY, None)  # switched on again: go to the teacher's step now
    owner = st.session_state.get(state.SESSION_ID_KEY)
    if st.session_state.get(state.FOLLOW_TEACHER_KEY):
        _followers().remember(owner)
    else:
        _followers().forget(owner)


def sidebar() -> None:
    """The student's "Follow the teacher" switch, and while it is on, the step they follow."""
    if not identity.is_student():
        return
    if state.FOLLOW_TEACHER_KEY not in st.session_state:  # a new session: a reload of a follower follows
        st.session_state[state.FOLLOW_TEACHER_KEY] = _followers().knows(st.session_state.get(state.SESSION_ID_KEY))
    st.sidebar.toggle(
        "Follow the teacher",
        key=state.FOLLOW_TEACHER_KEY,
        persist_state="session",
        on_change=_switched,
        help="Your page moves to the teacher's lesson step. Switch it off to stay where you are.",
    )
    if st.session_state.get(state.FOLLOW_TEACHER_KEY):
        switch = st.session_state.pop(_SWITCH_KEY, None)
        if switch is not None:
            st.switch_page(switch[0], query_params=switch[1])
        with st.sidebar:
            _follow()


@st.fragment(run_every=FOLLOW_SECONDS)
def _follow() -> None:
    position = panel.class_position().read()
    found = panel.step_of(position)
    st.caption(wording.following(*(found or (None, None))))
    if found is None:
        return
    seen = (position.lesson, position.step, position.since)
    if st.session_state.get(_FOLLOWED_KEY) == seen:
        return
    lesson, index = found
    st.session_state[_FOLLOWED_KEY] = seen
    st.session_state[state.LESSON_KEY] = lesson.id
    st.session_state[state.LESSON_STEP_KEY] = index
    st.session_state[state.LESSON_SINCE_KEY] = position.since
    step = lesson.steps[index]
    st.session_state[_SWITCH_KEY] = (targets.page_of(step).path, targets.query_params(step, presenter=False))
    st.rerun(scope="app")  # the whole run switches page (see the module docstring)
