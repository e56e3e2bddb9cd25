"""Lessons as data: a teacher's lesson plan read from a TOML file, and the step the class is on.

A lesson (``assets/lessons/<id>.toml``) is a title, its total minutes and a list of
steps; each step has its minutes, a few lines for the teacher to say, and the app
state it opens (a page, and on that page a preset and knobs, a review, a run, the
presenter view). A teacher writes a new lesson without touching code, so
:func:`load_lesson` checks everything a file can get wrong and says it in plain words
(a :class:`LessonError` naming the file and the step): an unknown page, preset or
knob, a knob value out of its range, minutes that are not positive, text too long.

The step the teacher is on is the class's, not one browser's: :class:`LessonPosition`
keeps it in one small file beside the class board (``<runs>/.class/lesson.json``,
written atomically), which only the teacher may move (:class:`core.access.Actor`) and
every following student reads. Which pages exist is the app's fact, so the caller
passes their slugs in.
"""

from __future__ import annotations

import json
import math
import time
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from core import atomic
from core.access import Actor, NotAllowed
from core.config import DEFAULT_PRESET, FIELDS, PRESETS, preset
from core.errors import ConfigError, LabError
from core.runs.store import check_run_id

MAX_TITLE_CHARS = 80
MAX_LINE_CHARS = 300
MAX_LINES = 8
MAX_STEPS = 30
MAX_MINUTES = 240
#: The longest lesson file read (a lesson is a few kilobytes).
MAX_FILE_BYTES = 64_000
POSITION_FILE = "lesson.json"
#: The pages a step may name beside a run, a review, a preset.
RUN_PAGES, REVIEW_PAGES, PRESET_PAGES = ("predict", "evaluate"), ("predict",), ("train",)
_STEP_KEYS = {"title", "minutes", "say", "page", "preset", "knobs", "review", "run", "presenter"}
_LESSON_KEYS = {"title", "minutes", "summary", "steps"}


class LessonError(LabError):
    """A lesson file that cannot be used; the message names the file, the step and what to change."""


@dataclass(frozen=True)
class Step:
    """One step of a lesson: what to say for ``minutes``, and the app state it opens."""

    title: str
    minutes: float
    say: tuple[str, ...]
    page: str
    preset: str | None = None
    knobs: dict = field(default_factory=dict)
    review: str | None = None
    run: str | None = None
    presenter: bool = False


@dataclass(frozen=True)
class Lesson:
    """A lesson plan: ``id`` is its file's name without ``.toml``."""

    id: str
    title: str
    minutes: float
    summary: str
    steps: tuple[Step, ...]

    def minutes_left(self, index: int, elapsed_seconds: float) -> tuple[float, float]:
        """Minutes left in step ``index`` (negative once over time) and in the whole lesson, ``elapsed_seconds`` into the step."""
        in_step = self.steps[index].minutes - elapsed_seconds / 60
        after = sum(step.minutes for step in self.steps[index + 1 :])
        return in_step, max(in_step, 0.0) + after


def _text(value, what: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LessonError(f"{what} must be some text in quotes.")
    if len(value) > limit:
        raise LessonError(f"{what} has {len(value)} characters; at most {limit} fit. Shorten it.")
    return value.strip()


def _minutes(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise LessonError(f"{what}: minutes must be a number, such as 5 or 2.5.")
    if not 0 < value <= MAX_MINUTES:
        raise LessonError(f"{what}: minutes must be more than 0 and at most {MAX_MINUTES}; it is {value:g}.")
    return float(value)


def _unknown_keys(table: dict, allowed: set[str], what: str) -> None:
    """A misspelt entry is refused rather than ignored (a teacher would wonder why it does nothing)."""
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise LessonError(f"{what}: unknown {', '.join(unknown)}; the entries are {', '.join(sorted(allowed))}.")


def _knobs(raw, base: str, what: str) -> dict:
    """The step's knobs, each a config field with a value the Train page accepts on top of ``base``."""
    if not isinstance(raw, dict):
        raise LessonError(f"{what}: knobs must be a table, such as knobs = {{ units = 64, epochs = 3 }}.")
    for name in raw:
        if name not in FIELDS or name in ("train_limit", "test_limit"):
            raise LessonError(f"{what}: unknown knob {name!r}; knobs are the Train page's: {', '.join(FIELDS)}.")
    try:
        preset(base).replace(**raw)  # the config's own range and consistency checks
    except (ConfigError, TypeError, ValueError) as why:
        raise LessonError(f"{what}: {why}") from None
    return dict(raw)


def _step(raw, number: int, pages: Collection[str], max_review_chars: int) -> Step:
    """One ``[[steps]]`` table, checked."""
    what = f"step {number}"
    if not isinstance(raw, dict):
        raise LessonError(f"{what} must be a [[steps]] table.")
    _unknown_keys(raw, _STEP_KEYS, what)
    title = _text(raw.get("title"), f"{what}: title", MAX_TITLE_CHARS)
    what = f"step {number} ({title!r})"
    say = raw.get("say")
    if isinstance(say, str):
        say = [say]
    if not isinstance(say, list) or not say or len(say) > MAX_LINES:
        raise LessonError(f"{what}: say must be a list of 1 to {MAX_LINES} lines for the teacher, in quotes.")
    lines = tuple(_text(line, f"{what}: a line to say", MAX_LINE_CHARS) for line in say)
    page = raw.get("page")
    if page not in pages:
        raise LessonError(f"{what}: unknown page {page!r}; choose one of {', '.join(pages)}.")
    chosen = {name: raw[name] for name in ("preset", "knobs", "review", "run") if name in raw}
    for name, allowed in (
        ("preset", PRESET_PAGES),
        ("knobs", PRESET_PAGES),
        ("review", REVIEW_PAGES),
        ("run", RUN_PAGES),
    ):
        if name in chosen and page not in allowed:
            raise LessonError(f"{what}: {name} belongs to a step on the {' or '.join(allowed)} page, not {page!r}.")
    name = chosen.get("preset")
    if name is not None and name not in PRESETS:
        raise LessonError(f"{what}: unknown preset {name!r}; choose one of {', '.join(PRESETS)}.")
    knobs = _knobs(chosen["knobs"], name or DEFAULT_PRESET, what) if "knobs" in chosen else {}
    review = _text(chosen["review"], f"{what}: review", max_review_chars) if "review" in chosen else None
    run = chosen.get("run")
    if run is not None:
        try:
            check_run_id(run)
        except LabError as why:
            raise LessonError(f"{what}: run: {why}") from None
    presenter = raw.get("presenter", False)
    if not isinstance(presenter, bool):
        raise LessonError(f"{what}: presenter must be true or false.")
    minutes = _minutes(raw.get("minutes"), what)
    return Step(title, minutes, lines, page, name, knobs, review, run, presenter)


def parse_lesson(lesson_id: str, text: str, *, pages: Collection[str], max_review_chars: int) -> Lesson:
    """A lesson from the text of its TOML file; :class:`LessonError` says what to fix."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as why:
        raise LessonError(f"Lesson {lesson_id!r} is not valid TOML: {why}.") from None
    try:
        _unknown_keys(raw, _LESSON_KEYS, "the lesson")
        title = _text(raw.get("title"), "title", MAX_TITLE_CHARS)
        summary = _text(raw.get("summary", title), "summary", MAX_LINE_CHARS)
        minutes = _minutes(raw.get("minutes"), "the lesson")
        steps = raw.get("steps")
        if not isinstance(steps, list) or not 0 < len(steps) <= MAX_STEPS:
            raise LessonError(f"a lesson has 1 to {MAX_STEPS} [[steps]] tables.")
        parsed = tuple(_step(step, n, pages, max_review_chars) for n, step in enumerate(steps, start=1))
        total = sum(step.minutes for step in parsed)
        if abs(total - minutes) > 1e-6:
            raise LessonError(f"the steps' minutes add up to {total:g}, not the lesson's {minutes:g}; make them agree.")
    except LessonError as why:
        raise LessonError(f"Lesson {lesson_id!r}: {why}") from None
    return Lesson(lesson_id, title, minutes, summary, parsed)


def load_lesson(path: str | Path, *, pages: Collection[str], max_review_chars: int) -> Lesson:
    """The lesson in the TOML file ``path`` (its id: the file's name without ``.toml``)."""
    path = Path(path)
    try:
        data = path.read_bytes()[: MAX_FILE_BYTES + 1]
    except OSError as why:
        raise LessonError(f"Lesson file {path} cannot be read: {why.strerror or why}.") from None
    if len(data) > MAX_FILE_BYTES:
        raise LessonError(f"Lesson file {path} is over {MAX_FILE_BYTES:,} bytes; a lesson is a few kilobytes.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise LessonError(f"Lesson file {path} is not UTF-8 text.") from None
    return parse_lesson(path.stem, text, pages=pages, max_review_chars=max_review_chars)


def load_lessons(folder: str | Path, *, pages: Collection[str], max_review_chars: int) -> dict[str, Lesson]:
    """Every ``*.toml`` lesson in ``folder``, by id, in file-name order (a bad file raises its :class:`LessonError`)."""
    return {
        path.stem: load_lesson(path, pages=pages, max_review_chars=max_review_chars)
        for path in sorted(Path(folder).glob("*.toml"))
    }


# ---------------------------------------------------------------- the class's current step


@dataclass(frozen=True)
class Position:
    """Where the teacher is: a lesson, a step index, and when the teacher moved there (seconds since the epoch)."""

    lesson: str
    step: int
    since: float


class LessonPosition:
    """The class's current lesson step, in ``<folder>/lesson.json`` (the class board's folder).

    Args:
        folder: the class board's folder (:attr:`core.runs.class_board.ClassBoard.folder`).
    """

    def __init__(self, folder: str | Path):
        self.path = Path(folder) / POSITION_FILE

    def read(self) -> Position | None:
        """The teacher's step, or None when no lesson was started (or the file is damaged)."""
        try:
            raw = json.loads(self.path.read_text("utf-8"))
            position = Position(str(raw["lesson"]), int(raw["step"]), float(raw["since"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return position if position.step >= 0 and math.isfinite(position.since) else None

    def move(self, lesson: Lesson, step: int, *, by: Actor) -> Position:
        """Put the class on ``lesson``'s step ``step``: the teacher's call only."""
        if not by.teacher:
            raise NotAllowed("Only the teacher can move the class to another lesson step.")
        if not 0 <= step < len(lesson.steps):
            raise LessonError(f"Lesson {lesson.id!r} has steps 1 to {len(lesson.steps)}, not {step + 1}.")
        position = Position(lesson.id, step, time.time())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_json(self.path, {"lesson": position.lesson, "step": position.step, "since": position.since})
        return position
