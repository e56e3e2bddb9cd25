"""One mistaken test review drawn (Streamlit edge): its title, its text, a button that opens it in Predict."""

from __future__ import annotations

import streamlit as st

from ui.evaluate import wording
from ui.shared import pages, state, wording as shared_wording


def mistake_view(row, text: str, run_id: str) -> None:
    """One confident mistake: its title in plain words, the review, and a button that opens it in Predict.

    The button hands the review and its true label to the Predict page
    (:func:`ui.shared.state.send_to_predict`) with this run picked there, and opens it.
    """
    review = shared_wording.review_for_display(text)
    with st.expander(wording.mistake_title(row)):
        st.text(review)
        if st.button(
            "Open in Predict",
            icon=pages.PREDICT.icon,
            key=f"evaluate_to_predict_{int(row['test_index'])}",
            help="See which words misled the model: Predict scores this review with this run.",
        ):
            state.send_to_predict(review, int(row["label"]))
            st.session_state[state.PREDICT_RUN_KEY] = run_id
            st.switch_page(pages.PREDICT.path)
