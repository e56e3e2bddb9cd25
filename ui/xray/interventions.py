"""Predict's X-ray "What if?": stack interventions on the review and watch the verdict move.

The interventions (:mod:`core.serving.interventions`) are applied in the prediction process,
exactly, from the stored weights, as the X-ray itself is computed there. They live in the
session as spec strings under :data:`ui.shared.state.XRAY_INTERVENE_KEY`, so a link carries
them (:mod:`ui.shared.links` checks each one); one that does not fit this review or run
(a step past its end, a unit it lacks) gives a notice from the server's own check. They are
made for one review: a new one clears them, unless they came with it in a link.
"""

from __future__ import annotations

import streamlit as st

from core.errors import LabError
from core.runs.store import RunInfo
from core.serving import interventions as iv
from ui.shared import links, pages, resources, state
from ui.xray import charts, tables, wording

STEP_KEY, KIND_KEY, UNIT_KEY, SOURCE_KEY, UNTIL_KEY, OTHER_KEY = (
    "xray_what_if_step",
    "xray_what_if_kind",
    "xray_what_if_unit",
    "xray_what_if_source",
    "xray_what_if_until",
    "xray_what_if_other",
)


@st.cache_data(
    max_entries=32, show_spinner="Reading the review again with your changes…", hash_funcs=resources.BY_IDENTITY
)
def intervened_text(run: RunInfo, text: str, specs: tuple[str, ...], snapshot: int | None = None):
    """:func:`core.serving.interventions.intervene` of ``text`` by ``run``'s model, in the prediction process."""
    resources.give_up_slot()
    return resources.service_of(run).intervene(run.run_id, run.created, text, list(specs), snapshot=snapshot)


def stacked() -> list[str]:
    """The interventions of this session, as spec strings (``forget:3``), in the order they were added."""
    return list(st.session_state.get(state.XRAY_INTERVENE_KEY) or [])


def add(spec: str) -> None:
    """Stack ``spec`` (a callback: buttons here and in the unit roles); a repeat or one past the limit is left out."""
    specs = stacked()
    if spec not in specs and len(specs) < iv.MAX_STACKED:
        st.session_state[state.XRAY_INTERVENE_KEY] = [*specs, spec]


def remove(spec: str) -> None:
    st.session_state[state.XRAY_INTERVENE_KEY] = [s for s in stacked() if s != spec]


def clear() -> None:
    st.session_state[state.XRAY_INTERVENE_KEY] = []


def _add_chosen() -> None:
    """The Add button: the word, kind (and unit or source word) picked above, as one spec."""
    session = st.session_state
    kind = session.get(KIND_KEY)
    if kind == "silence":
        add(f"silence:{int(session.get(UNIT_KEY) or 0)}")
    elif kind == "transplant":
        step, other = int(session.get(STEP_KEY) or 0), iv.other_words(session.get(OTHER_KEY) or "")
        source = iv.Intervention("transplant", step, other=other) if other else None
        add(str(source) if source else f"transplant:{step}={int(session.get(SOURCE_KEY) or 0)}")
    elif kind in iv.KINDS:
        step, until = int(session.get(STEP_KEY) or 0), session.get(UNTIL_KEY)
        first, last = sorted((step, step if until is None else int(until)))
        add(f"{kind}:{first}" + (f"-{last}" if last > first else ""))


def _step_name(steps: list[list[str]]):
    return lambda t: f"{t}: {' '.join(steps[t])[:40]}" if t is not None and 0 <= t < len(steps) else str(t)


def controls(shot, units: int) -> None:
    """Pick a word and a kind (a unit for silence, another word for transplant, optionally a last word), then Add."""
    steps = list(range(len(shot.steps)))
    kind_column, where_column, extra_column, button_column = st.columns([2, 2, 2, 1], vertical_alignment="bottom")
    kind = kind_column.selectbox(
        "Change", list(wording.KIND_LABELS), format_func=wording.KIND_LABELS.get, key=KIND_KEY, help=wording.KIND_HELP
    )
    name = _step_name(shot.steps)
    if kind == "silence":
        where_column.selectbox("Unit", list(range(units)), key=UNIT_KEY, help="Its state is held at 0 at every word.")
    else:
        where_column.selectbox("At the word", steps, index=min(1, len(steps) - 1), format_func=name, key=STEP_KEY)
    if kind == "transplant":
        extra_column.selectbox("Memory from the word", steps, format_func=name, key=SOURCE_KEY)
        st.text_input(
            "…or the memory after reading another text (optional)",
            key=OTHER_KEY,
            max_chars=iv.MAX_OTHER_CHARS,
            placeholder="e.g. This movie was great",
            help=wording.OTHER_TEXT_HELP,
        )
    elif kind in iv.SPAN_KINDS:
        extra_column.selectbox(
            "To the word (optional)",
            steps,
            index=None,
            format_func=name,
            key=UNTIL_KEY,
            placeholder="just this word",
            help="The same change at every word from the first to this one.",
        )
    full = len(stacked()) >= iv.MAX_STACKED
    button_column.button(
        "Add",
        on_click=_add_chosen,
        disabled=full,
        icon=":material/add:",
        key="xray_what_if_add",
        help=f"At most {iv.MAX_STACKED} changes at once." if full else "Stack this change on the others.",
    )


def listing(specs: list[str], steps: list[list[str]]) -> None:
    """The stacked changes, each with its remove button, and Clear."""
    for spec in specs:
        left, right = st.columns([6, 1], vertical_alignment="center")
        left.markdown("- " + wording.describe(iv.parse(spec), steps).replace("*", "\\*"))
        right.button(
            "Remove", key=f"xray_what_if_remove_{spec}", on_click=remove, args=(spec,), icon=":material/close:"
        )
    st.button("Clear all changes", key="xray_what_if_clear", on_click=clear, icon=":material/restart_alt:")


def belong_to(text: str) -> None:
    """Drop the stacked changes (with a notice) when they were made for another review than ``text``.

    Steps are word positions of one review: on a new review they would hit unrelated words.
    Changes a link restored came with its review (:mod:`ui.shared.links` drops the record), so stay.
    """
    made_for = st.session_state.get(state.XRAY_INTERVENE_TEXT_KEY)
    if made_for is not None and made_for != text:
        for key in (STEP_KEY, UNTIL_KEY, SOURCE_KEY):  # word pickers start again on the new words
            st.session_state.pop(key, None)
    if stacked() and made_for is not None and made_for != text:
        clear()
        links.write_back(pages.PREDICT.slug)  # the address bar loses them now, not on the next run
        st.info(wording.CLEARED_FOR_NEW_REVIEW, icon=":material/restart_alt:")
    st.session_state[state.XRAY_INTERVENE_TEXT_KEY] = text


def section(run: RunInfo, text: str, shot, snapshot: int | None = None) -> None:
    """What if? The controls, the stacked changes, and the verdict with and without them."""
    st.markdown("#### What if? Change what the model remembers, and read the review again")
    belong_to(text)
    units = run.config.units * (2 if run.config.bidirectional else 1)
    controls(shot, units)
    specs = stacked()
    if not specs:
        st.caption("Pick a word and a change, then **Add**: the running verdict is redrawn with it, exactly.")
        return
    listing(specs, shot.steps)
    try:
        result = intervened_text(run, text, tuple(specs), snapshot)
    except LabError as error:
        st.warning(f"{error} Remove that change or clear them all.", icon=":material/block:")
        return
    outcome(result)


def outcome(result) -> None:
    """The two running verdicts on one chart, the final probability before and after, the words that changed."""
    if result.original.prefix_probability is None or result.intervened.prefix_probability is None:
        st.caption(wording.NO_RUNNING_VERDICT)
    else:
        st.altair_chart(charts.intervention_chart(tables.intervention_frame(result)), width="stretch")
        st.caption(wording.HOW_TO_READ["interventions"])
    before, after = result.original.probability, result.intervened.probability
    left, right = st.columns(2)
    left.metric(f"P(positive), {wording.AS_TRAINED}", f"{before:.1%}")
    right.metric(f"P(positive), {wording.WITH_CHANGES}", f"{after:.1%}", delta=f"{100 * (after - before):+.1f} points")
    if result.changed_steps is None:
        return
    changed = tables.changed_words(result)
    st.caption(wording.changed_words_caption(len(changed), int(changed["step"].iloc[0]) if len(changed) else None))
    if len(changed):
        st.dataframe(changed, hide_index=True, width="stretch")
