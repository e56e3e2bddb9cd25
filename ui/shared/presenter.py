"""Presenter mode: a clean view for the projector (a toggle in the sidebar, or ``?present=1`` in a link).

It hides the sidebar, the captions, the help icons and the Train knobs, and enlarges
text and charts; the curves, the verdict and the coloured words stay. It is styling
only (the page's own CSS, :data:`ui.shared.assets.PRESENTER_STYLE`): nothing is computed differently,
so what the room sees is what the teacher would see without it. A button at the top of
the page leaves it, since the sidebar's toggle is hidden with the sidebar.
"""

from __future__ import annotations

import streamlit as st

from ui.shared import assets

#: Session key: this session presents.
PRESENTER_KEY = "presenter"


def on() -> bool:
    return bool(st.session_state.get(PRESENTER_KEY))


def sidebar_toggle() -> None:
    st.sidebar.toggle(
        "Presenter mode",
        key=PRESENTER_KEY,
        persist_state="session",
        help="For a projector: hides this sidebar, the captions and the Train knobs; larger text and charts.",
    )


def _leave() -> None:
    st.session_state[PRESENTER_KEY] = False


def apply() -> None:
    """In presenter mode: the presenter stylesheet and a button that leaves it."""
    if not on():
        return
    st.html(assets.PRESENTER_STYLE)
    st.button("Leave presenter mode", icon=":material/close_fullscreen:", key="presenter_leave", on_click=_leave)
