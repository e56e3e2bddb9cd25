"""Links that keep state: each page's choices live in the address bar, and a link opened anywhere restores them.

Every page calls :func:`keep` first. When the query string is not the one this session
last wrote (a link was opened, a bookmark, a reload in a fresh browser), its values are
checked and copied into the session's widget state; a bad or hostile value is ignored
with a one-line notice, never an exception. Then the page's current values are written
back, so the address bar always describes what is on screen and a reload keeps it.
:func:`copy_link` shows that address, ready to copy.

Why by hand rather than Streamlit's widget binding (``bind="query-params"``): the Train
knobs are restored *through* the preset they start from (the link carries the preset and
only the knobs that differ from it), values are validated against the config's own field
ranges (:data:`core.config.FIELDS`), and Streamlit's AppTest does not write bound values
back to ``st.query_params``, so binding could not be tested there.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from core.config import CUSTOM, FIELDS, PRESETS, RENAMED_PRESETS, preset
from core.errors import ConfigError
from core.runs.store import check_run_id
from core.serving import interventions
from core.serving.batch_input import quoted
from ui.shared import pages, presenter, state

#: A job id (:meth:`core.jobs.executor.JobExecutor.submit` makes them).
_JOB_ID = re.compile(r"job-[0-9a-f]{8}")
#: Longest review a link carries (browsers and servers accept URLs of a few thousand characters).
MAX_TEXT_IN_LINK = 1500
#: Session key: the query string this session wrote last (a different one is a link to restore).
_WRITTEN_KEY = "links_written"
_NOTICE_KEY = "links_notice"


@dataclass(frozen=True)
class Param:
    """One value in the address bar: its name there, the session key it restores, how to read and write it."""

    name: str
    key: str
    parse: Callable[[str], object]  # raises ValueError with what is allowed
    show: Callable[[object], str] = str


def _field(name: str) -> Callable[[str], object]:
    """A parser for config field ``name``: its choices, or a number in its range."""
    field = FIELDS[name]

    def parse(text: str):
        if field.optional and text.lower() in ("none", ""):
            return None
        if field.choices is not None:
            for choice in field.choices:
                if str(choice).lower() == text.lower():
                    return choice
            raise ValueError("one of " + ", ".join(str(c) for c in field.choices))
        kind = int if float(field.step or 1).is_integer() else float
        allowed = f"a number from {field.low:g} to {field.high:g}"
        try:
            value = kind(text)
        except ValueError:
            raise ValueError(allowed) from None
        if not field.low <= value <= field.high:
            raise ValueError(allowed)
        return value

    return parse


def _choice(*choices) -> Callable[[str], object]:
    def parse(text: str):
        if text not in choices:
            raise ValueError("one of " + ", ".join(map(str, choices)))
        return text

    return parse


def _preset(*extra: str) -> Callable[[str], str]:
    """A preset name (or one of ``extra``); a renamed preset's old name, in a link shared before, reads as its new one."""
    parse = _choice(*PRESETS, *extra)
    old_names = {old: new for new, old in RENAMED_PRESETS.items()}
    return lambda text: parse(old_names.get(text, text))


def _bool(text: str) -> bool:
    if text.lower() not in ("0", "1", "true", "false"):
        raise ValueError("1 or 0")
    return text.lower() in ("1", "true")


def _index(text: str) -> int:
    if not text.isdigit() or len(text) > 7:
        raise ValueError("a review number, 0 or more")
    return int(text)


def _snapshot(text: str) -> int:
    if not text.isdigit() or len(text) > 4:
        raise ValueError("a snapshot number, 0 or more")
    return int(text)


def _run_id(text: str) -> str:
    try:
        return check_run_id(text)
    except Exception:
        raise ValueError("a run id such as lstm-1a2b3c4d5e") from None


def _job_id(text: str) -> str:
    if not _JOB_ID.fullmatch(text):
        raise ValueError("a job id such as job-1a2b3c4d")
    return text


def _text(text: str) -> str:
    if len(text) > MAX_TEXT_IN_LINK:
        raise ValueError(f"at most {MAX_TEXT_IN_LINK:,} characters")
    return text


def _interventions(text: str) -> list[str]:
    """``forget:3,silence:5``: each spec parsed (its range is checked against the review when it is applied)."""
    try:
        return [str(it) for it in interventions.parse_many(text)]
    except interventions.InterventionError:
        raise ValueError(
            f"up to {interventions.MAX_STACKED} interventions such as forget:3,silence:5 "
            f"(kinds: {', '.join(interventions.KINDS)})"
        ) from None


def _flag(value) -> str:
    return "1" if value else "0"


PAGE_PARAMS: dict[str, tuple[Param, ...]] = {
    pages.EXPLORE.slug: (
        Param("maxlen", state.EXPLORE_MAXLEN_KEY, _field("maxlen")),
        Param("num_words", state.EXPLORE_NUM_WORDS_KEY, _field("num_words")),
        Param("split", state.EXPLORE_SPLIT_KEY, _choice("train", "test")),
        Param("review", state.EXPLORE_INDEX_KEY, _index),
        Param("log", state.EXPLORE_LOG_SCALE_KEY, _bool, _flag),
    ),
    pages.PREDICT.slug: (
        Param("run", state.PREDICT_RUN_KEY, _run_id),
        Param("compare", state.PREDICT_COMPARE_KEY, _run_id),
        Param("text", state.PREDICT_TEXT_KEY, _text),
        Param("span", state.PREDICT_SPAN_KEY, lambda t: int(_choice("1", "2", "3")(t))),
        Param("intervene", state.XRAY_INTERVENE_KEY, _interventions, ",".join),
    ),
    pages.EVALUATE.slug: (Param("run", state.EVALUATE_RUN_KEY, _run_id),),
}
#: The snapshot slider (:mod:`ui.snapshots.panel`) of the run a page shows; its session key is that run's.
SNAPSHOT = Param("snapshot", "", _snapshot)
SNAPSHOT_RUN_KEYS = {pages.PREDICT.slug: state.PREDICT_RUN_KEY, pages.EVALUATE.slug: state.EVALUATE_RUN_KEY}
#: Presenter mode (:mod:`ui.shared.presenter`), on any page.
PRESENT = Param("present", presenter.PRESENTER_KEY, _bool, _flag)
#: The Train page: the preset, then each knob that differs from it (by config field name).
TRAIN_PRESET = Param("preset", state.TRAIN_PRESET_KEY, _preset(CUSTOM))
TRAIN_BASE = Param("base", state.TRAIN_BASE_KEY, _preset())
#: The job the Train page shows: a reload, or a reconnect to another app replica, watches it again.
TRAIN_JOB = Param("job", state.TRAIN_JOB_KEY, _job_id)


def _restore(page: str, given: dict[str, str]) -> list[str]:
    """Copy the link's valid values into the session; the problems with the others, as sentences."""
    problems = []  # "present" is read by app.py (restore_presenter), before the sidebar's toggle exists
    if page == pages.TRAIN.slug:
        return problems + _restore_train(given)
    for param in PAGE_PARAMS.get(page, ()):
        if param.name not in given:
            continue
        try:
            st.session_state[param.key] = param.parse(given[param.name])
            if param.key == state.XRAY_INTERVENE_KEY:  # they came with the link's review: kept for it
                st.session_state.pop(state.XRAY_INTERVENE_TEXT_KEY, None)
        except ValueError as why:
            problems.append(f"{quoted(param.name)} (it must be {why})")
    if page in SNAPSHOT_RUN_KEYS and SNAPSHOT.name in given:
        problems += _restore_snapshot(page, given[SNAPSHOT.name])
    if page == pages.EXPLORE.slug and not problems:
        st.session_state[state.EXPLORE_SYNCED_KEY] = state.train_shared_values()  # the link's values stay
    return problems


def _restore_snapshot(page: str, text: str) -> list[str]:
    """Put the picked run's snapshot slider where the link says (a number past its last: the final model)."""
    try:
        snapshot = SNAPSHOT.parse(text)
    except ValueError as why:
        return [f"{quoted(SNAPSHOT.name)} (it must be {why})"]
    run_id = st.session_state.get(SNAPSHOT_RUN_KEYS[page])
    if run_id:
        st.session_state[state.snapshot_key(run_id)] = snapshot
    return []


def _restore_train(given: dict[str, str]) -> list[str]:
    problems, base = [], None
    if TRAIN_JOB.name in given:
        try:
            st.session_state[TRAIN_JOB.key] = TRAIN_JOB.parse(given[TRAIN_JOB.name])
        except ValueError as why:
            problems.append(f"{quoted(TRAIN_JOB.name)} (it must be {why})")
    for param in (TRAIN_BASE, TRAIN_PRESET):
        if param.name in given:
            try:
                value = param.parse(given[param.name])
                base = value if value != CUSTOM else base
            except ValueError as why:
                problems.append(f"{quoted(param.name)} (it must be {why})")
    if base is not None:
        st.session_state[state.TRAIN_BASE_KEY] = base
        state.apply_preset_values(base)
    knobs = {name for name in (*state.TRAIN_KNOBS, *state.TRAIN_MORE_KNOBS)}
    for name in sorted(knobs & set(given)):
        try:
            value = _field(name)(given[name])
            preset(st.session_state[state.TRAIN_BASE_KEY]).replace(**{name: value})  # the config's own checks
        except (ValueError, ConfigError) as why:
            problems.append(f"{quoted(name)} (it must be {why})")
            continue
        st.session_state[state.knob_key(name)] = value
    state.knob_changed()
    return problems


def restore_presenter() -> None:
    """``?present=1`` (or 0) in a link: presenter mode on (off). In ``app.py``, before the sidebar draws its toggle."""
    given = {k: st.query_params.get(k) for k in st.query_params}
    if PRESENT.name not in given or given == st.session_state.get(_WRITTEN_KEY):
        return
    try:
        st.session_state[PRESENT.key] = PRESENT.parse(st.query_params.get(PRESENT.name))
    except ValueError as why:
        st.session_state[_NOTICE_KEY] = f"Ignored from the link: {quoted(PRESENT.name)} (it must be {why})."


def current_params(page: str) -> dict[str, str]:
    """What the address bar should say for ``page`` now (``present=1`` first, in presenter mode)."""
    present = {PRESENT.name: "1"} if st.session_state.get(PRESENT.key) else {}
    return present | _page_params(page)


def _page_params(page: str) -> dict[str, str]:
    session = st.session_state
    if page == pages.TRAIN.slug:
        base = session.get(state.TRAIN_BASE_KEY)
        params = {"preset": str(session.get(state.TRAIN_PRESET_KEY)), "base": str(base)}
        if base in PRESETS:
            start = preset(base)
            own = {"seed": state.session_seed()}  # a student's own seed stays theirs: another browser uses its own
            for name, value in state.knob_values().items():
                if value != own.get(name, getattr(start, name)):
                    params[name] = str(value)
        if session.get(TRAIN_JOB.key):
            params[TRAIN_JOB.name] = session[TRAIN_JOB.key]
        return params
    params = {}
    for param in PAGE_PARAMS.get(page, ()):
        value = session.get(param.key)
        if value is None or value == "" or value == [] or (param.name == "text" and len(str(value)) > MAX_TEXT_IN_LINK):
            continue
        params[param.name] = param.show(value)
    run_id = session.get(SNAPSHOT_RUN_KEYS[page]) if page in SNAPSHOT_RUN_KEYS else None
    at = session.get(state.snapshot_key(run_id)) if run_id else None
    if at is not None and at != session.get(state.SNAPSHOT_LAST_KEY, {}).get(run_id):  # the final model: no param
        params[SNAPSHOT.name] = str(at)
    return params


def keep(page: str) -> None:
    """Restore ``page``'s state from a link just opened (with a notice for values ignored), then write it back."""
    given = {k: st.query_params.get(k) for k in st.query_params}
    if given and given != st.session_state.get(_WRITTEN_KEY):
        problems = _restore(page, given)
        if problems:
            st.session_state[_NOTICE_KEY] = "Ignored from the link: " + "; ".join(problems) + "."
    notice = st.session_state.pop(_NOTICE_KEY, None)
    if notice:
        st.info(notice, icon=":material/link_off:")
    write_back(page, given)


def write_back(page: str, given: dict[str, str] | None = None) -> None:
    """Write ``page``'s current values into the address bar (after :func:`keep`, when a panel changed one)."""
    params = current_params(page)
    if params != given:
        st.query_params.from_dict(params)
    st.session_state[_WRITTEN_KEY] = params


def link(page: str) -> str:
    """The address of ``page`` as it is now (the app's own URL, the page's path, its query string)."""
    base = (st.context.url or "").rstrip("/")
    path = "" if page == pages.ALL[0].slug else f"/{page}"
    if path and base.endswith(path):  # the browser's URL may already name the page
        base = base[: -len(path)]
    query = urlencode(current_params(page))
    return f"{base}{path}" + (f"?{query}" if query else "")


def copy_link(page: str) -> None:
    """A "Copy link" popover: the page's address with every choice, and a copy button."""
    with st.popover("Copy link", icon=":material/link:"):
        st.caption("This address opens the page with the same choices, in any browser.")
        st.code(link(page), language=None, wrap_lines=True)
        if (
            page == pages.PREDICT.slug
            and len(str(st.session_state.get(state.PREDICT_TEXT_KEY) or "")) > MAX_TEXT_IN_LINK
        ):
            st.caption(f"The review is longer than {MAX_TEXT_IN_LINK:,} characters, so the link leaves it out.")
