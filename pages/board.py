"""Class board: everyone's runs on this server, ranked by validation accuracy, with nicknames.

The board is :mod:`core.runs.class_board` (files in ``<runs>/.class/``); its parts are
drawn by :mod:`ui.classroom.board`. Test accuracy is shown only once the teacher reveals it.
"""

import streamlit as st

from core.runs.class_board import ClassBoard
from core.runs.store import RunStore
from ui.classroom import board as board_panel
from ui.shared import frame, pages

frame.page_guard(__file__)
frame.page_title(pages.BOARD)
st.markdown(
    "Every run trained on this server, **best validation accuracy first**. Pick a nickname, train, "
    "and see where your model stands next to the class and the bag-of-words baseline."
)

store = RunStore()
board = ClassBoard(store.root)
board_panel.nickname_form(board)
board_panel.reveal_switch(board)
board_panel.ranked_runs(board, store)
