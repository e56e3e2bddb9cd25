"""Managing one stored run in the app: its nickname, its tags, and deleting it after a confirmation dialog.

Only the session that trained a run may change it here (:func:`core.runs.manage.may_delete`;
teacher mode will widen that check in one place). A delete goes through the job
manager (``resources.job_manager().delete_run``), which refuses a run a job is using.
"""

from __future__ import annotations

import streamlit as st

from core.errors import LabError
from core.runs import manage
from core.runs.store import RunInfo, RunStore
from ui.classroom import identity as classroom
from ui.shared import resources
from ui.shared.wording import code_span  # a nickname is a student's text: never Markdown

#: A sentence to show once after the page reran (the deleted run is gone from the picker).
NOTICE_KEY = "run_admin_notice"
#: The run whose delete dialog is open: the dialog stays open across reruns until answered or dismissed.
CONFIRM_KEY = "run_admin_confirm"


def manage_run(run: RunInfo, store: RunStore) -> None:
    """The "Manage this run" expander: nickname and tags (a form), and a delete button with a dialog."""
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.success(notice, icon=":material/check_circle:")
    allowed = manage.may_delete(run, classroom.actor())
    with st.expander("Manage this run", icon=":material/edit:"):
        if not allowed:
            st.caption("Only the browser session that trained this run, or the teacher, can rename, tag or delete it.")
        with st.form(f"run_admin_labels_{run.run_id}", border=False):
            nickname = st.text_input(
                "Nickname",
                value=run.nickname or "",
                max_chars=manage.MAX_NICKNAME,
                disabled=not allowed,
                key=f"run_admin_nickname_{run.run_id}",
                help="Shown beside the run's id in every run picker; the id stays.",
            )
            tags = st.multiselect(
                "Tags",
                list(run.tags),
                default=list(run.tags),
                accept_new_options=True,
                disabled=not allowed,
                key=f"run_admin_tags_{run.run_id}",
                placeholder="Type a tag and press Enter",
            )
            saved = st.form_submit_button("Save", icon=":material/save:", disabled=not allowed)
        if saved and allowed:
            _save_labels(store, run, nickname, tags)
        st.button(
            "Delete this run…",
            icon=":material/delete:",
            disabled=not allowed,
            key="run_admin_delete",
            on_click=st.session_state.__setitem__,
            args=(CONFIRM_KEY, run.run_id),
        )
    if allowed and st.session_state.get(CONFIRM_KEY) == run.run_id:
        _confirm_delete(run)


def _save_labels(store: RunStore, run: RunInfo, nickname: str, tags: list[str]) -> None:
    try:
        manage.rename(store, run.run_id, nickname)
        dropped = [t for t in run.tags if t not in tags]
        if dropped:
            manage.tag(store, run.run_id, dropped, remove=True)
        if tags:
            manage.tag(store, run.run_id, tags)
    except LabError as error:
        st.error(str(error))
        return
    st.session_state[NOTICE_KEY] = f"Saved the nickname and tags of run {run.run_id}."
    st.rerun()


def _close_dialog() -> None:
    st.session_state.pop(CONFIRM_KEY, None)


@st.dialog("Delete this run?", on_dismiss=_close_dialog)
def _confirm_delete(run: RunInfo) -> None:
    st.markdown(
        f"{code_span(run.label())} and its model, history and test predictions will be deleted for everyone. "
        "This cannot be undone."
    )
    delete_col, cancel_col = st.columns(2)
    if delete_col.button("Delete", type="primary", icon=":material/delete:", key="run_admin_confirm_delete"):
        if not manage.may_delete(run, classroom.actor()):
            st.error("Only the session that trained this run, or the teacher, can delete it.")
            return
        try:
            resources.job_manager().delete_run(run.run_id)
        except LabError as error:
            st.error(str(error))
            return
        _close_dialog()
        st.session_state[NOTICE_KEY] = f"Deleted run {run.run_id}."
        st.rerun()
    if cancel_col.button("Cancel", key="run_admin_cancel_delete"):
        _close_dialog()
        st.rerun()
