"""Who may act on what: owners on their own jobs and runs, the teacher (a secret token) on all."""

from __future__ import annotations

import logging

from core import access, settings
from core.access import Actor
from tests.conftest import TEACHER_TOKEN


def test_a_session_acts_on_its_own_things_and_the_teacher_on_all():
    assert Actor("a").may_act_on("a")
    assert not Actor("a").may_act_on("b") and not Actor("a").may_act_on(None)
    assert not Actor(None).may_act_on(None)  # nobody owns what has no owner
    assert Actor("a", teacher=True).may_act_on("b") and Actor("a", teacher=True).may_act_on(None)


def test_the_teacher_token_unlocks_only_when_the_operator_set_one(monkeypatch):
    monkeypatch.delenv(settings.TEACHER_TOKEN_ENV, raising=False)
    assert not access.teacher_mode_available() and not access.teacher_token_matches("anything")
    monkeypatch.setenv(settings.TEACHER_TOKEN_ENV, "   ")  # blank: still no teacher mode
    assert not access.teacher_mode_available() and not access.teacher_token_matches("")
    monkeypatch.setenv(settings.TEACHER_TOKEN_ENV, TEACHER_TOKEN)
    assert access.teacher_mode_available() and access.teacher_mode_unavailable() is None
    assert access.teacher_token_matches(TEACHER_TOKEN) and access.teacher_token_matches(f" {TEACHER_TOKEN} ")
    assert not access.teacher_token_matches(TEACHER_TOKEN[:-1]) and not access.teacher_token_matches(None)
    assert not access.teacher_token_matches(TEACHER_TOKEN + "x") and not access.teacher_token_matches("ünïcode")


def test_a_token_shorter_than_20_characters_turns_teacher_mode_off_and_the_log_says_why(monkeypatch, caplog):
    short = "x" * (settings.TEACHER_TOKEN_MIN_CHARS - 1)
    monkeypatch.setenv(settings.TEACHER_TOKEN_ENV, short)
    assert not access.teacher_mode_available() and not access.teacher_token_matches(short)
    assert "shorter than 20 characters" in access.teacher_mode_unavailable()
    with caplog.at_level(logging.INFO, logger=access.log.name):
        assert access.log_teacher_mode() is False
    (line,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "IMDB_LAB_TEACHER_TOKEN" in line.getMessage() and "20 characters" in line.getMessage()
    assert short not in line.getMessage()
    monkeypatch.setenv(settings.TEACHER_TOKEN_ENV, "x" * settings.TEACHER_TOKEN_MIN_CHARS)
    assert access.teacher_mode_available() and access.log_teacher_mode() is True


def test_teacher_browsers_remember_an_owner_for_a_while_forget_on_leave_and_stay_bounded():
    now = [0.0]
    browsers = access.RememberedBrowsers(seconds=100, clock=lambda: now[0], max_browsers=2)
    browsers.remember("teacher")
    assert browsers.knows("teacher") and not browsers.knows("student") and not browsers.knows(None)
    now[0] = 99.0
    assert browsers.knows("teacher")
    now[0] = 100.0
    assert not browsers.knows("teacher")  # expired: the token must be typed again
    browsers.remember("a"), browsers.remember("b"), browsers.remember("c")
    assert not browsers.knows("a") and browsers.knows("b") and browsers.knows("c")  # bounded
    browsers.forget("c")
    assert not browsers.knows("c")
    browsers.remember(None)  # a session without an owner id is never remembered
    assert not browsers.knows(None)
