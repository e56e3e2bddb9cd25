"""IMDB LSTM Lab: the table of contents.

Sets up the page, the session's defaults and the sidebar, then runs the page the user
picked. The pages live in ``pages/``; what they share lives in ``ui/``.
"""


def main() -> None:
    import streamlit as st

    from ui.classroom import identity as classroom
    from ui.lessons import follow, panel as lesson_panel
    from ui.shared import assets, frame, links, notices, pages, presenter, resources, state

    with resources.run_slot():  # a room of students clicking at once takes turns
        st.set_page_config(page_title="IMDB LSTM Lab", page_icon=str(assets.FAVICON), layout="wide")
        classroom.init_owner()
        state.init_session_defaults()
        classroom.drop_token_from_url()
        links.restore_presenter()
        page = st.navigation(
            [
                st.Page(entry.path, title=entry.title, icon=entry.icon, default=entry is pages.ALL[0])
                for entry in pages.ALL
            ]
        )
        frame.return_to_requested_page()
        frame.sidebar()
        presenter.sidebar_toggle()
        classroom.teacher_panel()
        lesson_panel.sidebar()
        follow.sidebar()
        classroom.remember_browser()
        frame.load_style()
        resources.warm_best_model()
        notices.job_finished_toast(on_train_page=page.url_path == pages.TRAIN.slug)
        page.run()


# Streamlit runs this file as ``__main__`` (and installs it as ``sys.modules["__main__"]``),
# so a training or prediction process started with multiprocessing's ``spawn`` re-runs it
# as ``__mp_main__`` before its own work. There it must draw, load and start nothing.
if __name__ != "__mp_main__":
    main()
