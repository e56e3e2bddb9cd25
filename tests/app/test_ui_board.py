"""The Class board page: runs ranked by validation accuracy, a nickname per browser, test accuracy on the teacher's word."""

from __future__ import annotations

import pytest

from core.runs.class_board import ClassBoard
from core.runs.store import validation_accuracy
from tests.app.ui_helpers import assert_clean, new_app, run_page, texts, unlock_teacher

pytestmark = pytest.mark.usefixtures("fresh_caches")


def board_table(at):
    [table] = [d.value for d in at.dataframe if "validation accuracy" in d.value.columns]
    return table


def test_runs_ranked_by_validation_with_test_hidden(board_runs):
    at = run_page("board")
    assert_clean(at)
    table = board_table(at)
    runs = board_runs.list()
    assert len(table) == len(runs) and table["rank"].tolist() == list(range(1, len(runs) + 1))
    best = max(runs, key=validation_accuracy)
    assert table["run"].iloc[0] == best.run_id
    assert table["validation accuracy"].is_monotonic_decreasing
    assert "test accuracy" not in table.columns and "owner" not in table.columns
    assert "Test accuracy stays hidden until the teacher reveals it" in texts(at)
    assert not [t for t in at.toggle if t.key == "board_reveal"]  # a student has no reveal switch
    [shown] = [d for d in at.dataframe if "validation accuracy" in d.value.columns]
    # The ranking column beside the names, the long model line after it (at 1,400 px it was off-screen).
    assert list(shown.proto.column_order)[:4] == ["rank", "yours", "student", "validation accuracy"]
    assert set(table["yours"]) <= {"you", ""}  # a word, not a disabled checkbox


def test_a_nickname_is_saved_and_refused_when_taken(board_runs):
    ada = run_page("board")
    ada.text_input[0].input("  Ada  ")
    next(b for b in ada.button if b.label == "Save").click().run()
    assert_clean(ada)
    assert "You are **Ada** on the board." in texts(ada)
    assert "Ada" in ClassBoard(board_runs.root).nicknames().values()

    bob = run_page("board")
    bob.text_input[0].input("ada")
    next(b for b in bob.button if b.label == "Save").click().run()
    assert any("taken by someone else" in e.value for e in bob.error)


def test_the_teacher_reveals_test_accuracy_for_everyone(board_runs, teacher_token):
    teacher = unlock_teacher(new_app().run())
    teacher.switch_page("pages/board.py").run()
    assert_clean(teacher)
    teacher.toggle(key="board_reveal").set_value(True).run()
    assert_clean(teacher)
    assert "test accuracy" in board_table(teacher).columns

    student = run_page("board")
    table = board_table(student)
    assert {"test accuracy", "gap"} <= set(table.columns)
    assert table["gap"].to_numpy() == pytest.approx((table["test accuracy"] - table["validation accuracy"]).to_numpy())
    assert "Test accuracy is revealed" in texts(student)
