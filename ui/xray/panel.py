"""The Predict page's "See inside the LSTM" section: the running verdict, what-ifs, the X-ray heatmaps, unit roles.

The numbers come from :func:`core.serving.xray.xray` in the prediction process (the web
server never imports TensorFlow); the charts from the pure :mod:`ui.xray.charts`. Words
from the review reach HTML only through :func:`html.escape`.
"""

from __future__ import annotations

import html

import streamlit as st

from core.errors import LabError
from core.runs.store import RunInfo
from core.text import tokenizer
from ui.shared import resources
from ui.xray import charts, interventions, unit_roles, wording

LAYER_KEY, DIRECTION_KEY, SORT_KEY, UNIT_KEY = "xray_layer", "xray_direction", "xray_sort", "xray_unit"
TITLES = {
    "hidden": "hidden state h",
    "cell": "cell state c",
    "input": "input gate i",
    "forget": "forget gate f",
    "output": "output gate o",
    "update": "update gate z",
    "reset": "reset gate r",
}


@st.cache_data(
    max_entries=32, show_spinner="Looking inside the network, word by word…", hash_funcs=resources.BY_IDENTITY
)
def xray_text(run: RunInfo, text: str, snapshot: int | None = None):
    """:func:`core.serving.xray.xray` of ``text`` by ``run``'s model (at weight ``snapshot``), in the prediction process."""
    resources.give_up_slot()
    return resources.service_of(run).xray(run.run_id, run.created, text, snapshot=snapshot)


def show(run: RunInfo, text: str, snapshot: int | None = None) -> None:
    """The running verdict and the X-ray of ``text`` (a one-line message instead on any problem).

    ``snapshot``: as the model was at that weight snapshot of its training (the memory
    horizon is always the stored model's).
    """
    st.subheader("See inside the LSTM" if run.config.cell == "lstm" else "See inside the GRU")
    if snapshot is not None:
        st.caption("At the snapshot chosen above, not the final model.")
    try:
        shot = xray_text(run, text, snapshot)
    except LabError as error:
        st.error(str(error))
        return
    long_review = wording.long_review(len(tokenizer.tokenize(text)), run.config.maxlen, run.config.truncating == "pre")
    if long_review:
        st.warning(long_review, icon=":material/content_cut:")
    running_verdict(shot)
    interventions.section(run, text, shot, snapshot)
    heatmaps(shot, run.config.layers)
    for note in shot.notes:
        st.caption(note)
    unit_roles.section(run)
    memory_horizon(run)


def running_verdict(shot) -> None:
    if shot.prefix_probability is None:
        return
    frame = charts.verdict_frame(shot)
    st.altair_chart(charts.running_verdict_chart(frame), width="stretch")
    st.caption(wording.HOW_TO_READ["running_verdict"])
    jumps = charts.biggest_jumps(frame)
    if jumps.empty:
        st.caption("No single word moved the verdict by 5 points or more.")
        return
    parts = [
        f"<b>{html.escape(row.words)}</b> ({'+' if row.jump > 0 else '−'}{abs(100 * row.jump):.0f} points)"
        for row in jumps.itertuples()
    ]
    st.markdown("Where the verdict moved most: " + ", ".join(parts), unsafe_allow_html=True)


def heatmaps(shot, layers: int) -> None:
    """Pick a layer and direction; states and gates as units x words heatmaps; one unit's trace."""
    left, middle, right = st.columns(3)
    layer = left.selectbox("Layer", list(range(1, layers + 1)), index=layers - 1, key=LAYER_KEY) if layers > 1 else 1
    directions = ["forward", "backward"] if shot.bidirectional else ["forward"]
    direction = middle.radio("Direction", directions, horizontal=True, key=DIRECTION_KEY) if shot.bidirectional else 0
    d = shot.layers[layer - 1][directions.index(direction) if direction else 0]
    by_movement = right.toggle("Sort units by how much they move", value=True, key=SORT_KEY)
    order = charts.unit_order(d.hidden, by_movement)
    series = {"hidden": d.hidden} | ({"cell": d.cell} if d.cell is not None else {}) | d.gates
    st.caption(wording.HOW_TO_READ["heatmaps"])
    tabs = st.tabs([TITLES[name] for name in series])
    for tab, (name, values) in zip(tabs, series.items(), strict=True):
        frame = charts.heatmap_frame(values, shot.steps, order)
        tab.altair_chart(charts.heatmap_chart(frame, TITLES[name], gate=name in d.gates), width="stretch")
    unit = st.selectbox("Follow one unit", order, key=UNIT_KEY, help="Units listed in the heatmaps' order.")
    trace = {TITLES[name]: values[:, unit] for name, values in series.items()}
    st.altair_chart(charts.unit_trace_chart(trace, shot.steps, unit), width="stretch")


@st.cache_data(
    max_entries=16,
    show_spinner="Reading only the last words of each review, over 300 validation reviews…",
    hash_funcs=resources.BY_IDENTITY,
)
def horizon_of(run: RunInfo, texts: tuple[str, ...]) -> dict:
    """:func:`core.serving.horizon.cached_horizon` in the prediction process (stored once per run)."""
    resources.give_up_slot()
    return resources.service_of(run).horizon(run.run_id, run.created, list(texts))


def memory_horizon(run: RunInfo) -> None:
    """One chart per run: how many of its last words the model needs (computed on a click, then stored)."""
    from core.data import glassbox
    from core.serving.horizon import REVIEWS, cache_path, sample_texts, validation_texts

    with st.expander("Memory horizon: how far back does this model read?"):
        stored = cache_path(run.path.parent, run.run_id, run.created).is_file()
        data = glassbox.data_for(run.config, resources.current_data)  # the glass-box task: its own validation set
        if not stored and isinstance(data, LabError):
            st.caption("Needs the IMDB reviews this run was trained on (see the Explore page).")
            return
        if not stored and not st.button(
            f"Measure it ({REVIEWS} validation reviews, seconds to a minute)", key="xray_horizon"
        ):
            return
        texts = () if isinstance(data, LabError) else tuple(sample_texts(validation_texts(data, run.config)))
        try:
            result = horizon_of(run, texts)
        except LabError as error:
            st.error(str(error))
            return
        st.altair_chart(charts.horizon_chart(result), width="stretch")
        st.markdown(wording.memory_horizon_sentence(result))
        st.caption(wording.memory_horizon_how_to_read(result["reviews"], result["agreement"]))


def layer_view(config) -> None:
    """The network of the selected run: a small diagram and the layer table (shapes, parameters)."""
    with st.expander("The network, layer by layer"):
        st.markdown(charts.layer_chain(config))
        frame = charts.layer_frame(config)
        st.dataframe(frame, hide_index=True, width="stretch")
        st.caption(f"{int(frame['Parameters'].sum()):,} parameters in all; None is the batch (or the review length).")
