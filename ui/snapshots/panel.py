"""Training you can scrub: one slider over a run's weight snapshots, on Predict, Train and Evaluate (Streamlit edge).

A run keeps a few float16 copies of its weights from step 0 to the end
(:mod:`core.model.snapshots` says which); the slider picks one, and the page computes its
verdict, coloured words, X-ray or embedding map with those weights instead of the final
ones. The slider's key is the run's, kept for the session, so it stays where it was on
every page that shows the same run; a link carries it as ``snapshot=N`` (:mod:`ui.shared.links`;
left out at the final model). Only the index (JSON) is read here; the weights are
applied in the prediction process (:meth:`core.serving.predictor.Predictor.use_snapshot`)
or read with numpy (the embedding map), so the web server never imports TensorFlow.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import LabError
from core.runs import snapshots
from core.runs.snapshots import Snapshot, SnapshotIndex
from core.runs.store import RunInfo, RunStore
from ui.predict import wording
from ui.shared import resources, state
from ui.snapshots import wording as snapshots_wording

#: Reviews whose verdict the Train page follows along the slider: watch the model learn "not" (or not).
EXAMPLES = ("Not bad at all.", "Not good at all.")
#: The small curve beside Predict's slider smooths like the Train page's default.
SMOOTHING = state.TRAIN_SMOOTHING_DEFAULT


def slider_key(run: RunInfo) -> str:
    return state.snapshot_key(run.run_id)


@st.cache_data(max_entries=64, show_spinner=False, hash_funcs=resources.BY_IDENTITY)
def index_of(run: RunInfo) -> SnapshotIndex | str | None:
    """The run's snapshot index; None when it has none; the problem in words when it is damaged."""
    try:
        return snapshots.read_index(run.path)
    except LabError as error:
        return str(error)


def label(run: RunInfo, point: Snapshot) -> str:
    """The slider's words for ``point`` ("after step 140 of 1,050 · epoch 1")."""
    return snapshots_wording.snapshot_label(point, index_of(run).total_steps)


def model_at(point: Snapshot | None) -> int | None:
    """The snapshot to predict with: None for the final model (the stored one, and its cached results)."""
    return None if point is None or point.final else point.index


def choose(run: RunInfo, where=None) -> Snapshot | None:
    """The slider over ``run``'s snapshots (in ``where``, default the page); the chosen one, or None with a note."""
    where = where or st
    index = index_of(run)
    if not isinstance(index, SnapshotIndex) or not index.snapshots:
        where.caption(
            index
            if isinstance(index, str)
            else snapshots_wording.no_snapshots_sentence(getattr(index, "skipped", None))
        )
        return None
    key, last = slider_key(run), index.last
    st.session_state.setdefault(state.SNAPSHOT_LAST_KEY, {})[run.run_id] = last  # a link leaves the final out
    if st.session_state.get(key) not in range(last + 1):
        st.session_state[key] = last  # the final model first: the page looks as it did before the slider
    chosen = where.select_slider(
        "Move through training",
        options=list(range(last + 1)),
        format_func=lambda i: snapshots_wording.snapshot_label(index.snapshots[i], index.total_steps),
        key=key,
        persist_state="session",
        help=f"The run kept {len(index.snapshots)} snapshots of its weights, from the untrained model to the final "
        "one. Pick one to see what the model said at that point.",
    )
    return index.snapshots[int(chosen)]


def scrubber(run: RunInfo) -> int | None:
    """On Predict: the slider, where it is on the run's accuracy curve; returns the snapshot to predict with."""
    with st.container(border=True, key="snapshot_scrubber"):
        left, right = st.columns([2, 3], vertical_alignment="center")
        with left:
            point = choose(run)
            if point is None:
                return None
            st.caption(snapshots_wording.snapshot_sentence(point))
            if not point.final:
                st.markdown("The verdict and coloured words above, and the X-ray below, are this snapshot's.")
        spec = resources.accuracy_curve_spec(run, index_of(run).batches_per_epoch, SMOOTHING, point.at_epoch)
        if spec is not None:
            right.vega_lite_chart(spec, width="stretch")
            right.caption("Blue: training accuracy, batch by batch (thick: smoothed). Orange: validation, per epoch.")
    return model_at(point)


def run_of(run_id: str | None) -> RunInfo | None:
    """The stored run ``run_id`` (a finished job's), or None when it is gone or was never stored."""
    if not run_id:
        return None
    try:
        return RunStore().get(run_id)
    except LabError:
        return None


def verdicts_at(run: RunInfo, point: Snapshot) -> None:
    """On Train: what the model said at the chosen snapshot, and at the end, about the Predict review and examples."""
    typed = (st.session_state.get(state.PREDICT_TEXT_KEY) or "").strip()
    texts = tuple(dict.fromkeys(([typed] if typed else []) + list(EXAMPLES)))
    try:
        then = resources.score_texts(run, texts, model_at(point))
        final = resources.score_texts(run, texts)
    except LabError as error:
        st.error(str(error))
        return
    frame = pd.DataFrame(
        {
            "review": list(texts),
            "at this snapshot": [wording.verdict(p).headline for p in then],
            "final model": [wording.verdict(p).headline for p in final],
        }
    )
    st.markdown(f"**Verdicts at this snapshot** ({label(run, point)})")
    st.dataframe(frame, hide_index=True, width="stretch")
    st.caption(
        "Move the slider to watch the model learn (or not) that *not* turns a word around. "
        + ("The first row is the review typed on Predict." if typed else "Type a review on Predict to follow it too.")
    )
