"""core.runs.class_board: nicknames per browser, runs ranked by validation accuracy, test accuracy on the teacher's word."""

from __future__ import annotations

import math
import re
from types import SimpleNamespace

import pytest

from core.access import Actor, NotAllowed
from core.config import preset
from core.runs.class_board import BASELINE_ROW, NO_STUDENT, ClassBoard, NicknameError, clean_nickname, pseudonym
from tests.conftest import TEACHER_TOKEN

TEACHER, STUDENT = Actor("t", teacher=True), Actor("ada")


def run(run_id, owner, validation, test, partial=False):
    return SimpleNamespace(
        run_id=run_id,
        owner=owner,
        nickname=None,
        config=preset("lstm"),
        partial=partial,
        epochs_trained=2,
        train_seconds=61.26,
        test_accuracy=test,
        validation=validation,
    )


RUNS = [
    run("r-low", "bob", 0.81, 0.83),
    run("r-none", "ada", math.nan, 0.5, partial=True),
    run("r-cli", None, 0.88, 0.86),
]


def by_validation(r):
    return r.validation


def test_runs_are_ranked_by_validation_and_test_stays_hidden_until_revealed(tmp_path):
    board = ClassBoard(tmp_path)
    board.set_nickname("bob", "Bob the Builder")
    table = board.table(RUNS, by_validation)
    assert table["run"].tolist() == ["r-cli", "r-low", "r-none"]  # no validation accuracy: last
    assert table["rank"].tolist() == [1, 2, 3]
    ada = pseudonym("ada")  # no nickname: an animal's name fixed by the browser, not "anonymous" for everyone
    assert table["student"].tolist() == [NO_STUDENT, "Bob the Builder", ada]
    assert re.fullmatch(r"[A-Z][a-z]+ \d\d", ada) and ada == pseudonym("ada") != pseudonym("bob")
    assert table["seed"].tolist() == [preset("lstm").seed] * 3  # how far accuracy moves with the seed alone
    assert "test accuracy" not in table.columns and "gap" not in table.columns
    assert table.loc[2, "model"].endswith("(partial)")

    with pytest.raises(NotAllowed):
        board.reveal_test(True, by=STUDENT)
    board.reveal_test(True, by=TEACHER)
    shown = ClassBoard(tmp_path).table(RUNS, by_validation)  # another session reads the same files
    assert shown["test accuracy"].tolist()[:2] == [0.86, 0.83]
    assert shown["gap"].tolist()[:2] == pytest.approx([-0.02, 0.02])
    board.reveal_test(False, by=TEACHER)
    assert "test accuracy" not in board.table(RUNS, by_validation).columns


def test_glass_box_runs_are_no_rivals_on_the_board(tmp_path):
    toy = SimpleNamespace(**{**vars(run("r-glass", "ada", 1.0, 1.0)), "config": preset("glassbox")})
    assert ClassBoard(tmp_path).table([*RUNS, toy], by_validation)["run"].tolist() == ["r-cli", "r-low", "r-none"]
    assert preset("glassbox").summary().startswith("glass-box task: ")


def test_the_baseline_stands_on_the_board(tmp_path):
    report = SimpleNamespace(config={"ngram_max": 2}, validation_accuracy=0.9, test_accuracy=0.906, train_seconds=20.0)
    table = ClassBoard(tmp_path).table(RUNS, by_validation, baseline=report)
    assert table.loc[0, "run"] == BASELINE_ROW and table.loc[0, "rank"] == 1
    assert "word pairs" in table.loc[0, "model"]


def test_nicknames_are_cleaned_unique_and_removable(tmp_path):
    board = ClassBoard(tmp_path)
    assert board.set_nickname("ada", "  Ada   L. ") == "Ada L."
    assert board.set_nickname("ada", "Ada L.") == "Ada L."  # one's own again is fine
    with pytest.raises(NicknameError, match="taken"):
        board.set_nickname("bob", "ada l.")
    assert board.set_nickname("ada", "") == "" and board.nicknames() == {}
    for bad in ("<script>", "x" * 25):
        with pytest.raises(NicknameError):
            clean_nickname(bad)
    with pytest.raises(NicknameError, match="reload"):
        board.set_nickname(None, "Nobody")


def test_damaged_files_read_as_empty(tmp_path):
    board = ClassBoard(tmp_path)
    board.folder.mkdir()
    (board.folder / "roster.json").write_text("{not json")
    (board.folder / "board.json").write_text('["test_revealed"]')
    assert board.nicknames() == {} and board.test_revealed() is False
    assert len(board.table(RUNS, by_validation)) == 3


@pytest.mark.parametrize("token", [None, TEACHER_TOKEN])
def test_the_one_reveal_policy(tmp_path, monkeypatch, token):
    """No teacher on the server: everyone sees test results; with one: the teacher, and students once revealed."""
    if token:
        monkeypatch.setenv("IMDB_LAB_TEACHER_TOKEN", token)
    else:
        monkeypatch.delenv("IMDB_LAB_TEACHER_TOKEN", raising=False)
    board = ClassBoard(tmp_path)
    assert board.test_visible_to(TEACHER)
    assert board.test_visible_to(STUDENT) is (token is None)
    board.reveal_test(True, by=TEACHER)
    assert board.test_visible_to(STUDENT)
    board.reveal_test(False, by=TEACHER)
    assert board.test_visible_to(STUDENT) is (token is None)
