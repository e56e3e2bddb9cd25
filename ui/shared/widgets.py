"""Widgets more than one page uses: a config field's slider or buttons, the stored-run picker, "Use these settings for training".

A knob's range, step, choices and help text come from :data:`core.config.FIELDS`, so
the Explore sliders, the Train knobs (:mod:`ui.train.controls`) and the validation can never disagree. A run
picker lists the stored runs best first and keeps its choice across pages, even when
the chosen run disappears. Every widget here keeps its value for the session
(``persist_state="session"``).
"""

from __future__ import annotations

import streamlit as st

from core.config import CUSTOM, FIELDS
from core.runs.store import RunInfo, best_run
from ui.shared import pages, state

#: The "no second run" option of an optional run picker (run ids are never empty).
NO_RUN = ""


def field_range(name: str) -> tuple:
    """(low, high, step) of a numeric :data:`core.config.FIELDS` entry, ints where the step is whole."""
    rule = FIELDS[name]
    if rule.step is not None and float(rule.step).is_integer():
        return int(rule.low), int(rule.high), int(rule.step)
    return float(rule.low), float(rule.high), rule.step


def field_slider(name: str, label: str, key: str, container=st, **kwargs):
    """A slider over config field ``name``'s range, with its help text."""
    low, high, step = field_range(name)
    return container.slider(
        label, low, high, step=step, key=key, help=FIELDS[name].help, persist_state="session", **kwargs
    )


def field_choice(name: str, label: str, key: str) -> str | None:
    """Segmented buttons over config field ``name``'s choices, with its help text."""
    return st.segmented_control(
        label, list(FIELDS[name].choices), key=key, help=FIELDS[name].help, persist_state="session"
    )


def use_for_training_box(maxlen: int, num_words: int) -> None:
    """Explore's "Use these settings for training": carries its maxlen and num_words to the Train knobs."""
    differs = state.explore_differs_from_train()
    with st.container(border=True):
        if differs:
            train = {field: pair[1] for field, pair in differs.items()}
            st.markdown(
                "The Train page is set to "
                + " and ".join(f"**{field} = {value:,}**" for field, value in train.items())
                + f". Train with your choice here (maxlen = {maxlen:,}, num_words = {num_words:,}) instead?"
            )
        else:
            st.markdown(f"maxlen = {maxlen:,} and num_words = {num_words:,} are the Train page's settings too.")
        if st.button(
            "Use these settings for training",
            icon=pages.TRAIN.icon,
            key="explore_use_for_training",
            on_click=state.use_explore_settings_for_training,
            help="Sets the Train page's maxlen and num_words to these values and opens it.",
        ):
            st.switch_page(pages.TRAIN.path)


def runs_best_first(runs: list[RunInfo]) -> list[RunInfo]:
    """The best run (by validation accuracy, :func:`core.runs.store.best_run`; else the newest) first, then the others newest first."""
    best = best_run(runs) or runs[0]
    return sorted(runs, key=lambda run: (run.run_id != best.run_id, -run.created))


def run_picker(label: str, key: str, runs: list[RunInfo], *, optional: bool = False, help: str | None = None):
    """A selectbox of ``runs`` (best first); returns the chosen :class:`RunInfo`, or None for "one run only".

    It starts at the best run (an optional picker at "one run only"), and goes back there
    when the chosen run is no longer stored.
    """
    by_id = {run.run_id: run for run in runs_best_first(runs)}
    options = ([NO_RUN] if optional else []) + list(by_id)
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    chosen = st.selectbox(
        label,
        options,
        key=key,
        help=help,
        persist_state="session",
        format_func=lambda r: (
            "No, one run only" if r == NO_RUN else f"{by_id[r].label()} · {by_id[r].preset or CUSTOM}"
        ),
    )
    return by_id.get(chosen)
