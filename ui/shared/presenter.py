"""Presenter mode: a clean view for the projector (a toggle in the sidebar, or ``?present=1`` in a link).

It hides the sidebar, the captions, the help icons and the Train knobs, and enlarges
text and charts; the curves, the verdict and the coloured words stay. It is styling
only (the page's own CSS, :data:`ui.shared.assets.PRESENTER_STYLE`): nothing is computed differently,
so what the room sees is what the teacher would see without it. A bar at the top of the
page links every page and leaves presenter mode, since the sidebar (its navigation and
its toggle) is hidden.
"""

from __future__ import annotations

import streamlit as st

from ui.shared import assets, pages

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
    with st.container(horizontal=True, key="presenter_bar", vertical_alignment="center"):
        # The sidebar is hidden, so the pages are here: moving between them keeps presenter mode.
        for entry in pages.ALL:
            st.page_link(entry.path, label=entry.title, icon=entry.icon)
        st.button("Leave presenter mode", icon=":material/close_fullscreen:", key="presenter_leave", on_click=_leave)
