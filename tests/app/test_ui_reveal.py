"""One reveal policy in the pages: while the teacher keeps the test hidden, a student sees validation accuracy everywhere.

Evaluate (its headline, its test-split sections, the runs table), the job result on
Train and the toast (:mod:`tests.app.test_ui_run_admin`) follow
:meth:`core.runs.class_board.ClassBoard.test_visible_to`; the teacher sees everything.
"""

from __future__ import annotations

import pytest

from core.access import Actor
from core.runs.class_board import ClassBoard
from core.runs.store import RunStore
from tests.app.ui_helpers import assert_clean, new_app, run_page, texts
from tests.conftest import TEACHER_TOKEN
from ui.classroom import identity, reveal

pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.fixture
def class_runs(board_runs, monkeypatch) -> RunStore:
    """A copy of the tiny runs (:func:`tests.app.conftest.board_runs`) on a server with a teacher token."""
    monkeypatch.setenv("IMDB_LAB_TEACHER_TOKEN", TEACHER_TOKEN)
    return board_runs


def evaluate_as(teacher: bool):
    at = new_app()
    at.session_state[identity.TEACHER_KEY] = teacher
    at.run()
    at.switch_page("pages/evaluate.py").run()
    assert_clean(at)
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def runs_table(at):
    [table] = [d.value for d in at.dataframe if "validation accuracy" in d.value.columns]
    return table


def test_a_student_sees_validation_accuracy_while_the_test_is_hidden(class_runs):
    at = evaluate_as(teacher=False)
    best = class_runs.best()
    shown = metrics(at)
    assert "Test accuracy" not in shown and "AUC" not in shown
    assert float(shown["Validation accuracy"]) == pytest.approx(best.validation_accuracy, abs=1e-3)
    assert reveal.HIDDEN_NOTE in texts(at)
    assert not [c for c in runs_table(at).columns if c.startswith("test ")]


def test_the_teacher_sees_the_test_results_and_students_do_once_revealed(class_runs):
    teacher = evaluate_as(teacher=True)
    assert float(metrics(teacher)["Test accuracy"]) == pytest.approx(class_runs.best().test_accuracy, abs=1e-3)
    assert "test accuracy" in runs_table(teacher).columns

    ClassBoard(class_runs.root).reveal_test(True, by=Actor("t", teacher=True))
    student = evaluate_as(teacher=False)
    assert "Test accuracy" in metrics(student) and reveal.HIDDEN_NOTE not in texts(student)


def test_without_a_teacher_token_one_learner_sees_everything(runs_env, monkeypatch):
    monkeypatch.delenv("IMDB_LAB_TEACHER_TOKEN", raising=False)
    at = run_page("evaluate")
    assert "Test accuracy" in metrics(at)
