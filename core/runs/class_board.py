"""The class board: every run on this server, ranked by validation accuracy, with its student's nickname.

Why validation and not test: the lesson of honest evaluation. A class picks its best
model by the accuracy on reviews held out from the *training* split; the test set is
looked at once, at the end. So the board hides test accuracy until the teacher reveals
it for everyone (and can hide it again), and then shows how far each run's validation
accuracy was from its test accuracy. The bag-of-words baseline, when fitted, stands on
the board as one more row, so the class sees what an LSTM must beat.

Each browser (its owner id, :mod:`ui.classroom`) picks one nickname, unique on the
server. Nicknames and the reveal flag live in ``<runs>/.class/`` (a hidden folder, so
the runs scan skips it), written atomically (:mod:`core.atomic`): a crash never leaves
half a file, and every session and replica reads the same board.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from core import atomic
from core.access import Actor, NotAllowed, teacher_mode_available
from core.config import TASKS
from core.errors import LabError
from core.runs.store import SignatureMemo

CLASS_DIR = ".class"
ROSTER_FILE, BOARD_FILE = "roster.json", "board.json"
MAX_NICKNAME = 24
_NICKNAME = re.compile(r"[\w .'-]+")
#: What the board calls a run nobody in the room trained (the command line, or older runs).
NO_STUDENT = "(command line)"
#: A student without a nickname is shown as one of these plus two digits, fixed by their browser's owner id:
#: a name they can find on the board ("which one is mine?") that still says nothing about who they are.
PSEUDONYM_ANIMALS = (
    "Otter", "Heron", "Lynx", "Badger", "Falcon", "Marten", "Puffin", "Ibex",
    "Gecko", "Bison", "Crane", "Dingo", "Egret", "Ferret", "Gazelle", "Hare",
    "Koala", "Lemur", "Magpie", "Newt", "Ocelot", "Panda", "Quail", "Raven",
    "Stoat", "Tapir", "Urchin", "Vole", "Walrus", "Yak", "Zebra", "Wombat",
)  # fmt: skip
BASELINE_ROW = "bag-of-words baseline"
#: ``seed`` beside the model: students who train one preset each from their own seed see how far accuracy moves with it.
COLUMNS = ["rank", "student", "run", "model", "seed", "epochs", "training seconds", "validation accuracy"]


def _read_json_object(path: str, _signature) -> dict:
    try:
        value = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


#: The board's files as last read, per their signature.
_FILES = SignatureMemo()


class NicknameError(LabError):
    """A nickname that cannot be used; the message says why."""


def clean_nickname(text: str) -> str:
    """``text`` as a nickname: spaces collapsed, at most :data:`MAX_NICKNAME` characters of letters,
    digits, spaces and ``.'-_``; ``""`` means "no nickname"."""
    nickname = " ".join(str(text or "").split())
    if not nickname:
        return ""
    if len(nickname) > MAX_NICKNAME:
        raise NicknameError(f"A nickname has at most {MAX_NICKNAME} characters; this one has {len(nickname)}.")
    if not _NICKNAME.fullmatch(nickname):
        raise NicknameError("A nickname may hold letters, digits, spaces and . ' - _ only.")
    return nickname


class ClassBoard:
    """The board's two small files in ``<runs>/.class/``: the nicknames and whether test accuracy is shown.

    Args:
        runs_root: the runs directory (:func:`core.settings.runs_dir`).

    Example::

        board = ClassBoard(store.root)
        board.set_nickname(owner, "Ada")
        table = board.table(store.list(), validation_accuracy)
    """

    def __init__(self, runs_root: str | Path):
        self.folder = Path(runs_root) / CLASS_DIR

    def _read(self, name: str) -> dict:
        """One of the board's files, read again only when it changed (every open board asks every 15 s)."""
        path = self.folder / name
        try:
            stat = path.stat()
        except OSError:
            return {}
        return dict(_FILES.get(str(path), (stat.st_mtime_ns, stat.st_size, stat.st_ino), _read_json_object))

    def nicknames(self) -> dict[str, str]:
        """Owner id -> nickname."""
        return {k: v for k, v in self._read(ROSTER_FILE).items() if isinstance(k, str) and isinstance(v, str)}

    def set_nickname(self, owner: str | None, text: str) -> str:
        """Give ``owner`` a nickname (``""`` removes it); refused when empty of owner or taken by another."""
        if not owner:
            raise NicknameError("This browser has no identity yet; reload the page and try again.")
        nickname = clean_nickname(text)
        roster = self.nicknames()
        taken = {v.casefold(): k for k, v in roster.items()}
        if nickname and taken.get(nickname.casefold(), owner) != owner:
            raise NicknameError(f"{nickname!r} is taken by someone else in this class; pick another.")
        if nickname:
            roster[owner] = nickname
        else:
            roster.pop(owner, None)
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic.write_json(self.folder / ROSTER_FILE, roster)
        return nickname

    def test_revealed(self) -> bool:
        return self._read(BOARD_FILE).get("test_revealed") is True

    def test_visible_to(self, actor: Actor) -> bool:
        """The one reveal policy: may ``actor`` see test accuracy (and anything measured on the test split)?

        Yes for everyone on a server without a teacher (one learner decides for themself
        when to look), for the teacher, and for everyone once the teacher revealed it;
        otherwise a student sees validation accuracy in its place, everywhere.
        """
        return not teacher_mode_available() or actor.teacher or self.test_revealed()

    def reveal_test(self, revealed: bool, *, by: Actor) -> None:
        """Show (or hide again) test accuracy on the board, for everyone: the teacher's call."""
        if not by.teacher:
            raise NotAllowed("Only the teacher can reveal the test accuracy.")
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic.write_json(self.folder / BOARD_FILE, {"test_revealed": bool(revealed)})

    def table(
        self, runs: Iterable, validation_accuracy: Callable[[object], float], baseline=None, blends=()
    ) -> pd.DataFrame:
        """One row per run, best validation accuracy first (runs without one last), ranked 1, 2, ...

        Columns: :data:`COLUMNS`, then ``test accuracy`` and ``gap`` (test minus
        validation) only when the teacher revealed them, and ``owner`` (to mark a student's own runs).
        ``baseline`` (a :class:`core.model.baseline.BaselineReport`) adds its row; ``blends``
        (``(run, accuracy)`` from :func:`core.runs.blend.stored_blend_accuracies`) a row per
        blended run, ranked like the rest by the blend's (cross-validated) validation accuracy.
        """
        names, revealed = self.nicknames(), self.test_revealed()
        # Runs of the glass-box task (near 1.0 on a toy job) are no rivals for IMDB runs: not on the board.
        rows = [_run_row(run, names, validation_accuracy(run)) for run in runs if run.config.task == TASKS[0]]
        rows += [_blend_row(run, names, accuracy) for run, accuracy in blends]
        if baseline is not None:
            rows.append(_baseline_row(baseline))
        frame = pd.DataFrame(rows, columns=[*COLUMNS[1:], "test accuracy", "owner"])
        frame = frame.sort_values("validation accuracy", ascending=False, na_position="last", kind="stable")
        frame.insert(0, "rank", range(1, len(frame) + 1))
        if revealed:
            frame["gap"] = frame["test accuracy"] - frame["validation accuracy"]
        else:
            frame = frame.drop(columns=["test accuracy"])
        return frame.reset_index(drop=True)


def pseudonym(owner: str) -> str:
    """The board's name for a student without a nickname, e.g. "Heron 42" (stable for their browser).

    3,200 names: two of a class of 30 share one about one time in eight; "yours" still tells them apart.
    """
    number = int(hashlib.sha256(owner.encode("utf-8")).hexdigest()[:8], 16)
    return f"{PSEUDONYM_ANIMALS[number % len(PSEUDONYM_ANIMALS)]} {number // len(PSEUDONYM_ANIMALS) % 100:02d}"


def _run_row(run, names: dict[str, str], validation: float) -> dict:
    student = names.get(run.owner) or pseudonym(run.owner) if run.owner else NO_STUDENT
    epochs = run.epochs_trained
    return {
        "student": student,
        "run": run.nickname or run.run_id,
        "model": run.config.summary() + (" (partial)" if run.partial else ""),
        "seed": run.config.seed,
        "epochs": epochs,
        "training seconds": round(float(run.train_seconds), 1),
        "validation accuracy": validation if validation is not None and math.isfinite(validation) else math.nan,
        "test accuracy": run.test_accuracy,
        "owner": run.owner,
    }


def _blend_row(run, names: dict[str, str], accuracy: dict) -> dict:
    """A blended run's row: the run's student, the blend's accuracies (fitted on validation only)."""
    row = _run_row(run, names, accuracy["validation"]["blend"])
    row["run"] = f"{row['run']} + bag of words"
    row["model"] = f"blend: {run.config.summary()} with the bag of words (weights fitted on validation)"
    row["test accuracy"] = accuracy["test"]["blend"]
    return row


def _baseline_row(report) -> dict:
    return {
        "student": "-",
        "run": BASELINE_ROW,
        "model": "TF-IDF "
        + ("words" if report.config.get("ngram_max", 2) == 1 else "words and word pairs")
        + " + logistic regression",
        "seed": math.nan,
        "epochs": math.nan,
        "training seconds": round(float(report.train_seconds), 1),
        "validation accuracy": float(report.validation_accuracy),
        "test accuracy": float(report.test_accuracy),
        "owner": None,
    }
