"""Who may act on what: owners on their own jobs and runs, the teacher (a secret token) on all."""

from __future__ import annotations

from core import access, settings
from core.access import Actor


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
    monkeypatch.setenv(settings.TEACHER_TOKEN_ENV, "s3cret-token")
    assert access.teacher_mode_available()
    assert access.teacher_token_matches("s3cret-token") and access.teacher_token_matches(" s3cret-token ")
    assert not access.teacher_token_matches("s3cret") and not access.teacher_token_matches(None)
    assert not access.teacher_token_matches("s3cret-token-and-more") and not access.teacher_token_matches("ünïcode")
