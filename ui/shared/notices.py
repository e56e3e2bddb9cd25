"""Notices on whatever page the user is on: a toast when this session's training job finishes.

``app.py`` calls :func:`job_finished_toast` on every page run. While this session's job
is still queued or running, a small fragment checks its snapshot every few seconds (the
job manager's in-memory snapshot: no TensorFlow, no disk), so the toast comes even if
the user only reads the page. It toasts once per job, and never on the Train page,
which shows the result itself. It quotes validation accuracy, never test accuracy (the
teacher decides when a class sees that: :mod:`ui.classroom.reveal`).
"""

from __future__ import annotations

import streamlit as st

from core.errors import LabError
from core.jobs.records import CANCELLED, DONE
from core.runs.store import RunStore
from ui.shared import resources, state
from ui.train.wording import ALREADY_TRAINED

#: The last job whose end this session was told about (or saw on the Train page).
TOLD_KEY = "job_toast_told"
#: Seconds between checks while the job is unfinished.
CHECK_EVERY = 3


def job_finished_toast(on_train_page: bool) -> None:
    """Toast once when this session's job (:data:`ui.shared.state.TRAIN_JOB_KEY`) has finished."""
    job_id = st.session_state.get(state.TRAIN_JOB_KEY)
    if not job_id or st.session_state.get(TOLD_KEY) == job_id:
        return  # also keeps the Explore page from starting the job manager
    snapshot = _own_snapshot(job_id)
    if snapshot is None:
        return
    if snapshot.finished:
        _tell(snapshot, on_train_page)
    else:
        with st.sidebar:
            _watch(job_id, on_train_page)


@st.fragment(run_every=CHECK_EVERY)
def _watch(job_id: str, on_train_page: bool) -> None:
    snapshot = _own_snapshot(job_id)
    if snapshot is not None and snapshot.finished and st.session_state.get(TOLD_KEY) != job_id:
        _tell(snapshot, on_train_page)


def _own_snapshot(job_id: str):
    """The job's snapshot if this session started it (the Train page may show another session's job)."""
    try:
        snapshot = resources.job_manager().snapshot(job_id)
    except (KeyError, LabError):  # gone, or the job queue is not answering: no notice this time
        return None
    return snapshot if snapshot.owner == st.session_state.get(state.SESSION_ID_KEY) else None


def _tell(snapshot, on_train_page: bool) -> None:
    st.session_state[TOLD_KEY] = snapshot.job_id
    if on_train_page:
        return
    if snapshot.state == DONE and snapshot.cached:  # nothing trained: no "your training finished"
        st.toast(
            f"{ALREADY_TRAINED}: run `{snapshot.run_id}` is on Predict and Evaluate.", icon=":material/inventory_2:"
        )
    elif snapshot.state == DONE:
        accuracy = RunStore().validation_accuracy_of(snapshot.run_id)
        score = f": {accuracy:.3f} validation accuracy" if accuracy is not None else ""
        st.toast(f"Your training finished{score}. Run `{snapshot.run_id}` is on Predict and Evaluate.", icon="🎉")
    elif snapshot.state == CANCELLED:
        kept = f"; the partial run `{snapshot.run_id}` was kept" if snapshot.run_id else ""
        st.toast(f"Your training was stopped{kept}.", icon=":material/stop_circle:")
    else:
        st.toast(f"Your training failed: {snapshot.error}", icon=":material/error:", duration="long")
