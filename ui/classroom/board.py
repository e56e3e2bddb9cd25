"""The class board's parts: this browser's nickname, the ranked table, the teacher's reveal switch.

The board itself (ranking, nicknames, the reveal flag) is :mod:`core.runs.class_board`;
this module only draws it. The table refreshes every few seconds, so runs appear as
students finish them without anyone reloading.
"""

from __future__ import annotations

import streamlit as st

from core.errors import LabError
from core.runs.baseline_store import BaselineStore
from core.runs.blend import stored_blend_accuracies
from core.runs.class_board import ClassBoard
from core.runs.store import RunStore, validation_accuracy
from ui.classroom import identity
from ui.shared import resources

#: How often the board rereads the runs (seconds).
REFRESH_SECONDS = 15
_NICKNAME_KEY = "board_nickname"


def nickname_form(board: ClassBoard) -> None:
    """This browser's nickname on the board: shown, changed or removed (taken names are refused)."""
    me = identity.actor().session_id
    current = board.nicknames().get(me, "")
    with st.form("board_nickname_form", border=False):
        left, right = st.columns([3, 1], vertical_alignment="bottom")
        typed = left.text_input(
            "Your nickname on the board",
            value=current,
            max_chars=24,
            placeholder="e.g. Ada",
            help="Shown beside every run this browser trains. Leave it empty to be shown under an animal's name "
            "(fixed for this browser), which says nothing about you.",
        )
        saved = right.form_submit_button("Save", icon=":material/badge:", width="stretch")
    if not saved:
        return
    try:
        nickname = board.set_nickname(me, typed)
    except LabError as error:
        st.error(str(error))
        return
    st.success(
        f"You are **{nickname}** on the board."
        if nickname
        else "Your nickname is removed: the board shows your animal's name."
    )


def reveal_switch(board: ClassBoard) -> None:
    """The teacher's switch: show test accuracy on everyone's board (the end of the lesson)."""
    if not identity.is_teacher():
        return

    def flip() -> None:
        board.reveal_test(st.session_state["board_reveal"], by=identity.actor())

    st.toggle(
        "Show test accuracy to everyone",
        value=board.test_revealed(),
        key="board_reveal",
        on_change=flip,
        help="Until now the class chose by validation accuracy. Reveal the test set once, at the end.",
    )


@st.fragment(run_every=REFRESH_SECONDS)
def ranked_runs(board: ClassBoard, store: RunStore) -> None:
    """Every run, best validation accuracy first; this browser's own rows marked."""
    runs, _ = store.scan()
    data = resources.current_data()
    baseline = BaselineStore(store.root).find(None if isinstance(data, LabError) else data.fingerprint)
    blends = stored_blend_accuracies(runs, baseline)
    table = board.table(runs, validation_accuracy, baseline.report if baseline else None, blends)
    if table.empty:
        st.info("No runs yet. Train one and it appears here.", icon=":material/leaderboard:")
        return
    me = identity.actor().session_id
    table.insert(1, "yours", ["you" if owner is not None and owner == me else "" for owner in table["owner"]])
    # What ranks first: the scores sit beside the names, the long model line last (at 1,400 px the
    # ranking column used to be off-screen right of it).
    scores = [c for c in ("validation accuracy", "test accuracy", "gap") if c in table.columns]
    rest = [c for c in table.columns if c not in {"rank", "yours", "student", "owner", *scores}]
    st.dataframe(
        table.drop(columns=["owner"]),
        hide_index=True,
        width="stretch",
        column_order=["rank", "yours", "student", *scores, *rest],
        column_config={
            "rank": st.column_config.NumberColumn("#", width="small"),
            "yours": st.column_config.TextColumn("", width="small", help="Your own runs"),
            "model": st.column_config.TextColumn("model", width="medium"),
            "seed": st.column_config.NumberColumn("seed", format="%d", help="The random start: one per student"),
            "validation accuracy": st.column_config.NumberColumn(format="%.3f"),
            "test accuracy": st.column_config.NumberColumn(format="%.3f"),
            "gap": st.column_config.NumberColumn("test - validation", format="%+.3f"),
            "training seconds": st.column_config.NumberColumn(format="%.0f s"),
        },
    )
    if "test accuracy" in table.columns:
        st.caption(
            "Test accuracy is revealed. The gap is how far each run's validation accuracy was from the "
            "test set: close to 0 means validation was an honest guide."
        )
    else:
        st.caption(
            "Ranked by **validation** accuracy: reviews held out from the training split. Test accuracy "
            "stays hidden until the teacher reveals it, so nobody picks a model by peeking at the test set."
        )
