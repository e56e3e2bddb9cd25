"""Whether this session may see test accuracy: :meth:`core.runs.class_board.ClassBoard.test_visible_to`, asked once per rerun.

Every place that shows a number measured on the test split (Evaluate, the job result on
Train, the run caption on Predict, the runs table, the baseline's lines) asks here first
and shows validation accuracy in its place while the teacher keeps the test hidden.
"""

from __future__ import annotations

from core.runs.class_board import ClassBoard
from core.settings import runs_dir
from ui.classroom import identity

#: What a student reads where a test number would be.
HIDDEN_NOTE = (
    "Test accuracy is hidden until your teacher reveals it on the class board: choose runs by validation "
    "accuracy, and look at the test set once, at the end."
)


def shows_test() -> bool:
    """Whether this session sees test results now (no teacher on this server, the teacher, or revealed)."""
    return ClassBoard(runs_dir()).test_visible_to(identity.actor())
