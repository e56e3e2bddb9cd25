"""IMDB LSTM Lab: the table of contents.

Sets up the page, the session's defaults and the sidebar's data status, then runs the
page the user picked. Pages live in ``pages/``; a page file that is not there yet (the
Predict and Evaluate pages) is simply left out of the navigation.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    import streamlit as st

    from pages import common

    with common.run_slot():  # a room of students clicking at once takes turns
        st.set_page_config(page_title="IMDB LSTM Lab", page_icon=":material/movie:", layout="wide")
        common.init_session_defaults()

        pages = [
            st.Page("pages/explore.py", title="Explore the data", icon=":material/query_stats:", default=True),
            st.Page("pages/train.py", title="Train a model", icon=":material/model_training:"),
        ]
        for file, title, icon in (("pages/predict.py", "Predict", ":material/rate_review:"),
                                  ("pages/evaluate.py", "Evaluate", ":material/fact_check:")):
            if (HERE / file).is_file():
                pages.append(st.Page(file, title=title, icon=icon))

        page = st.navigation(pages)
        common.return_to_requested_page()
        st.sidebar.markdown("### :material/movie: IMDB LSTM Lab")
        st.sidebar.caption("Sentiment of movie reviews with an LSTM, after the Keras IMDB tutorial.")
        common.sidebar_data_status()
        common.warm_best_model()
        page.run()


# Streamlit runs this file as ``__main__`` (and installs it as ``sys.modules["__main__"]``),
# so a training or prediction process started with multiprocessing's ``spawn`` re-runs it
# as ``__mp_main__`` before its own work. There it must draw, load and start nothing.
if __name__ != "__mp_main__":
    main()
