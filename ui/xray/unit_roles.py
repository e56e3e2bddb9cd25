"""Predict's X-ray "Unit roles": what each unit of the last layer does for the verdict, and which words move it.

Computed on a click in the prediction process (:func:`core.serving.unit_roles.cached_unit_roles`,
over the run's validation reviews, never test reviews), then stored next to the runs, so every
later visit reads it. Picking a unit follows it in the X-ray's heatmaps above, and one button
silences it there (:mod:`ui.xray.interventions`); its example, the validation review where
silencing it moved the verdict most, opens in Predict's box with that unit silenced.
"""

from __future__ import annotations

import streamlit as st

from core.errors import LabError
from core.runs.store import RunInfo
from ui.shared import pages, resources, state, wording as shared_wording
from ui.xray import charts, interventions, tables, wording

PICK_KEY = "xray_roles_unit"


@st.cache_data(
    max_entries=16,
    show_spinner="Silencing each unit in turn over the validation reviews (seconds)…",
    hash_funcs=resources.BY_IDENTITY,
)
def roles_of(run: RunInfo, texts: tuple[str, ...]) -> dict:
    """:func:`core.serving.unit_roles.cached_unit_roles` in the prediction process (stored once per run)."""
    resources.give_up_slot()
    return resources.service_of(run).unit_roles(run.run_id, run.created, list(texts))


def _follow(units: int, layers: int) -> None:
    """The unit picker's callback: the X-ray's heatmaps show the last layer, that unit's direction, and follow it."""
    from ui.xray import panel

    unit = st.session_state.get(PICK_KEY)
    if unit is None:
        return
    if layers > 1:
        st.session_state[panel.LAYER_KEY] = layers
    if st.session_state.get(panel.DIRECTION_KEY) is not None or unit >= units:
        st.session_state[panel.DIRECTION_KEY] = "backward" if unit >= units else "forward"
    st.session_state[panel.UNIT_KEY] = unit % units


def section(run: RunInfo) -> None:
    """The button, then the sortable table, the bar chart, and the unit picker with "Silence this unit"."""
    from core.data import glassbox
    from core.serving.unit_roles import REVIEWS, cache_path, validation_texts

    with st.expander("Unit roles: what each unit does for the verdict", expanded=True):
        stored = cache_path(run.path.parent, run.run_id, run.created).is_file()
        data = glassbox.data_for(run.config, resources.current_data)  # the glass-box task: its own validation set
        if not stored and isinstance(data, LabError):
            st.caption("Needs the reviews this run was trained on (see the Explore page).")
            return
        if not stored and not st.button(
            "Find each unit's role",
            key="xray_roles",
            icon=":material/manage_search:",
            help=f"Silences each unit in turn over up to {REVIEWS:,} validation reviews: seconds, then stored.",
        ):
            return
        texts = () if isinstance(data, LabError) else tuple(validation_texts(data, run.config, REVIEWS))
        try:
            result = roles_of(run, texts)
        except LabError as error:
            st.error(str(error))
            return
        show(run, result, texts)


def show(run: RunInfo, result: dict, texts: tuple[str, ...] = ()) -> None:
    """The table (with each unit's example review when ``texts``, the validation reviews, are here), the picker."""
    frame = tables.roles_frame(result, texts)
    units = run.config.units
    st.dataframe(frame, hide_index=True, width="stretch", key="xray_roles_table")
    st.caption(wording.unit_roles_source(result["reviews"], run.config.conv_pool > 1))
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    unit = left.selectbox(
        "Look at one unit",
        frame[tables.UNIT].tolist(),
        index=None,
        placeholder="Pick a unit (biggest effect first)",
        key=PICK_KEY,
        on_change=_follow,
        args=(units, run.config.layers),
        help="The X-ray above follows it; its bar is blue below.",
    )
    right.button(
        "Silence this unit",
        key="xray_roles_silence",
        disabled=unit is None,
        on_click=interventions.add,
        args=(f"silence:{unit}",),
        icon=":material/volume_off:",
        help="Adds it to the changes under What if? above.",
    )
    example(result, unit, texts)
    st.altair_chart(charts.unit_roles_chart(result["units"], unit), width="stretch")
    st.caption(wording.HOW_TO_READ["unit_roles"])


def _open_example(review: str, unit: int) -> None:
    """The example's button: the review in Predict's box, with the unit silenced on it (made for this review)."""
    state.send_to_predict(review)
    st.session_state[state.XRAY_INTERVENE_KEY] = [f"silence:{unit}"]
    st.session_state[state.XRAY_INTERVENE_TEXT_KEY] = review


def example(result: dict, unit: int | None, texts: tuple[str, ...]) -> None:
    """The picked unit's example: the validation review where silencing it moved the verdict most, and Open."""
    row = next((r for r in result["units"] if r["unit"] == unit), None)
    if row is None or not 0 <= int(row.get("example", -1)) < len(texts):
        return
    review = shared_wording.review_for_display(texts[int(row["example"])])
    st.markdown(wording.unit_example(unit, float(row["example_change"])))
    st.text(tables.excerpt(review, tables.EXAMPLE_CHARS))
    st.button(
        "Open in Predict, with this unit silenced",
        key="xray_roles_example",
        on_click=_open_example,
        args=(review, unit),
        icon=pages.PREDICT.icon,
        help="Puts this validation review in the box above (never a test review) and reads it again.",
    )
