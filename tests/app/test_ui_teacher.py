"""The teacher's unlock: the sidebar form only, a few tries per session and client, a token long enough."""

from __future__ import annotations

import logging

from streamlit.testing.v1 import AppTest

from core import access, settings
from tests.app.ui_helpers import TIMEOUT, assert_clean, new_app, texts, unlock_teacher


def _teacher_box_script():
    from ui.classroom import identity

    identity.init_owner()
    identity.teacher_panel()


def teacher_box() -> AppTest:
    """A session that draws only the sidebar's Teacher box (the real one, without the pages: fast)."""
    return AppTest.from_function(_teacher_box_script, default_timeout=TIMEOUT).run()


def test_the_sixth_try_is_refused_even_with_the_right_token_and_the_form_says_how_long(teacher_token, caplog):
    caplog.set_level(logging.WARNING, logger=access.log.name)
    at = teacher_box()
    for guess in range(5):
        unlock_teacher(at, f"guess-{guess}")
        assert "not the teacher token" in texts(at)
    unlock_teacher(at, teacher_token)
    assert_clean(at)
    assert "teacher_mode" not in at.session_state
    assert "Too many tries at the teacher token: wait about 10 minutes." in texts(at)
    assert "the next one is accepted in about 10 minutes" in texts(at)  # the form says so while locked
    refusals = [r.getMessage() for r in caplog.records if "try refused" in r.getMessage()]
    assert len(refusals) == 6 and sum("too many tries" in line for line in refusals) == 1
    assert not [r for r in caplog.records if "guess-" in r.getMessage() or teacher_token in r.getMessage()]


def test_a_new_session_from_the_same_client_gets_no_new_tries(teacher_token):
    for _ in range(2):  # two sessions, 5 tries each: the client's 10
        at = teacher_box()
        for _ in range(access.TEACHER_TRIES["session"]):
            unlock_teacher(at, "guess")
    third = unlock_teacher(teacher_box(), teacher_token)
    assert "Too many tries" in texts(third) and "teacher_mode" not in third.session_state


def test_a_short_token_turns_teacher_mode_off_and_says_why_without_the_token(monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger=access.log.name)
    monkeypatch.setenv(settings.TEACHER_TOKEN_ENV, "class-of-2026")
    at = teacher_box()
    assert_clean(at)
    assert "shorter than 20 characters" in texts(at) and "IMDB_LAB_TEACHER_TOKEN" in texts(at)
    assert not [w for w in at.text_input if w.key == "teacher_token_input"]  # nothing to unlock
    warning = " ".join(r.getMessage() for r in caplog.records)
    assert "IMDB_LAB_TEACHER_TOKEN" in warning and "20" in warning and "class-of-2026" not in warning


def test_a_teacher_link_unlocks_nothing_and_leaves_the_address_bar(fake_manager, teacher_token):
    at = new_app()
    at.query_params["teacher"] = teacher_token
    at.run()
    assert_clean(at)
    assert "teacher" not in at.query_params and "teacher_mode" not in at.session_state
    assert "Links no longer unlock teacher mode" in texts(at)
    assert unlock_teacher(at).session_state["teacher_mode"]  # the form does


def test_a_reload_of_the_teachers_browser_keeps_teacher_mode_until_it_leaves(teacher_token, monkeypatch):
    """A new session of the same browser (its cookie) is the teacher again; another browser is not."""
    from ui.classroom import identity

    cookie = {"token": "ab" * 16}
    monkeypatch.setattr(identity, "_cookie_token", lambda: cookie["token"])
    unlock_teacher(teacher_box(), teacher_token)
    reloaded = teacher_box()  # F5 on the projector: a new session, the same cookie
    assert "Teacher mode: you can stop any job" in texts(reloaded)
    assert teacher_token not in texts(reloaded)

    cookie["token"] = "cd" * 16  # a student's browser
    assert "Teacher mode: you can stop any job" not in texts(teacher_box())

    cookie["token"] = "ab" * 16
    next(b for b in reloaded.button if b.label == "Leave teacher mode").click().run()
    assert "Teacher mode: you can stop any job" not in texts(teacher_box())  # left: the next reload is locked
