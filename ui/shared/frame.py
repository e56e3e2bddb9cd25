"""The frame every page sits in: the entry guard, the sidebar, the stylesheet, and what a page needs first.

A page starts with :func:`page_guard`, then asks for what it cannot work without:
:func:`require_data` (the set-up panel instead of a traceback when there is no
dataset) or :func:`require_runs` (a link to the Train page when nothing is trained).
``app.py`` draws the sidebar (:func:`sidebar`) and loads the stylesheet once per page
run (:func:`load_style`).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core import settings
from core.data import sources, uploads
from core.data.dataset import ImdbData
from core.errors import DataNotFoundError, LabError
from core.runs.store import RunInfo
from ui.classroom import identity as classroom
from ui.shared import assets, links, pages, presenter, resources, state
from ui.shared.wording import code_span

#: Session key of the page to return to after :func:`page_guard` ran ``app.py`` first.
RETURN_TO_KEY = "return_to_page"
#: Longest path the set-up panel takes (Linux's PATH_MAX).
MAX_PATH_CHARS = 4096


def page_guard(page_file: str) -> None:
    """Hand a page that Streamlit ran on its own to ``app.py``, which comes back to it.

    Until some session has called ``st.navigation``, Streamlit treats a folder named
    ``pages/`` beside the main script as its legacy multipage layout: on a fresh server
    the first request for ``/train`` runs ``pages/train.py`` without ``app.py`` (no
    session defaults, no sidebar). Such a run is recognised by the missing defaults.
    """
    if state.has_session_defaults():
        return
    query = {k: st.query_params.get(k) for k in st.query_params}  # a link's state survives the detour
    kept = {k: v for k, v in query.items() if k != classroom.TEACHER_PARAM}  # the token goes to app.py only
    st.session_state[RETURN_TO_KEY] = (pages.by_file(page_file).path, kept)
    st.switch_page("app.py", query_params=query)


def return_to_requested_page() -> None:
    """In ``app.py``, after ``st.navigation``: finish :func:`page_guard`'s detour."""
    target = st.session_state.pop(RETURN_TO_KEY, None)
    if target:
        page, query = target
        st.switch_page(page, query_params=query)


def page_title(page: pages.Page) -> None:
    """The page's title with its "Copy link" button; first, the page's state from a link just opened.

    See :mod:`ui.shared.links`: the address bar always holds the page's choices.
    """
    links.keep(page.slug)
    presenter.apply()
    left, right = st.columns([6, 1], vertical_alignment="bottom")
    left.title(page.page_heading)
    with right.container(key="copy_link"):
        links.copy_link(page.slug)


def load_style() -> None:
    """The stylesheet of the app's own HTML (``assets/style.css``); Streamlit puts a style-only element out of the flow."""
    st.html(assets.STYLE)


# ---------------------------------------------------------------- the sidebar


def sidebar() -> None:
    """The app's name and the data source and its state, in the sidebar of every page."""
    st.sidebar.markdown("### :material/movie: IMDB LSTM Lab")
    st.sidebar.caption("Sentiment of movie reviews with an LSTM, after the Keras IMDB tutorial.")
    result = resources.current_data()
    with st.sidebar:
        st.markdown("#### Data")
        if isinstance(result, LabError):
            st.error("No dataset loaded. The page shows how to provide one.", icon=":material/error:")
            return
        train, test = result.train, result.test
        st.markdown(
            f"**{len(train):,}** train · **{len(test):,}** test reviews  \n"
            f"{int((train.labels == 1).sum()):,} / {int((train.labels == 0).sum()):,} pos/neg in train  \n"
            f"{len(result.vocabulary):,} distinct training words"
        )
        parsed = "parsed (cache " + result.report.get("cache_note", "").removeprefix("cache ") + ")"
        st.caption(
            f"Source: {code_span(result.source.path)}  \n"
            f"Found via: {result.source.found_via} ({result.source.kind})  \n"
            f"Loaded in {result.load_seconds:.1f} s, "
            + ("from the corpus cache" if result.cache_hit else parsed)
            + "; kept in memory for every page and tab."
        )


# ---------------------------------------------------------------- what a page needs


def require_data() -> ImdbData:
    """The dataset, or the set-up panel and a stop of the page when there is none."""
    result = resources.current_data()
    if isinstance(result, LabError):
        setup_panel(result)
        st.stop()
    return result


def require_jobs():
    """The job executor, or its error (the job queue does not answer) and a stop of the page."""
    return or_stop(resources.job_manager)


def or_stop(call, *args):
    """``call(*args)``; a :class:`LabError` is shown in words and stops the page (no traceback)."""
    try:
        return call(*args)
    except LabError as error:
        st.error(str(error), icon=":material/cloud_off:")
        st.stop()


def require_runs(runs: list[RunInfo], what_then: str) -> None:
    """With no stored run, a notice and a link to the Train page, and a stop of the page.

    ``what_then`` finishes the "No trained model yet." notice: what the page does once there is one.
    """
    if not runs:
        st.info(f"**No trained model yet.** {what_then}", icon=pages.TRAIN.icon)
        st.page_link(pages.TRAIN.path, label=pages.TRAIN.title, icon=pages.TRAIN.icon)
        st.stop()


def run_problems(problems: list[str], root: Path) -> None:
    """The run folders :meth:`core.runs.store.RunStore.scan` skipped, one line each (nothing when none)."""
    if not problems:
        return
    with st.expander(f"{len(problems)} stored run folder(s) are damaged and were skipped", icon=":material/warning:"):
        st.caption(f"In {code_span(root)}. Delete or retrain them; the others are unaffected.")
        for problem in problems:
            st.text(problem)


# ---------------------------------------------------------------- the set-up panel


def setup_panel(error: LabError) -> None:
    """The friendly panel every page shows instead of a traceback when there is no data.

    The set-up actions (a path, an upload, the download) are for who may set up the
    server's data (:meth:`core.access.Actor.may_set_up_data`); a student sees who does.
    """
    if not classroom.actor().may_set_up_data():
        st.info(
            "The teacher sets up the data for this server. Ask them, then press Try again.",
            title="The IMDB reviews are not loaded yet.",
            icon=":material/dataset:",
        )
        _try_again_button()
        return
    st.warning(
        "Below: what happened, and three ways to provide them.",
        title="The IMDB reviews are needed before this page can work.",
        icon=":material/dataset:",
    )
    with st.container(border=True):
        st.markdown("**What happened**")
        st.code(_what_happened(error), language=None, wrap_lines=True)
        _saved_path_notice()
        st.markdown(
            "**Provide the data** (the official `aclImdb_v1.tar.gz`, this lab's "
            "`aclImdb_labeled.tar.gz`, or an extracted `aclImdb/` folder):"
        )
        by_path, by_upload, by_download = st.tabs(["Path on this machine", "Upload the archive", "Download"])
        with by_path:
            _path_form()
        with by_upload:
            _upload_form()
        with by_download:
            _download_button()
        _try_again_button()


def _try_again_button() -> None:
    if st.button(
        "Try again",
        icon=":material/refresh:",
        help="Look for the data again, e.g. after copying the archive into the cache folder.",
    ):
        for path in {None, st.session_state.get(state.DATA_PATH_KEY)}:
            resources.forget_data(path, failed_only=True)
        st.rerun()


def _what_happened(error: LabError) -> str:
    """The error for a user of the app: where the lab looked, without the command-line advice the CLI prints.

    The panel itself offers the ways to provide the data.
    """
    if not isinstance(error, DataNotFoundError):
        return str(error)
    lines = ["No IMDB data found. Looked in:", *(f"  - {place}" for place in error.looked_in)]
    if error.download_error:
        lines.append(f"Download of the official archive failed: {error.download_error}")
    return "\n".join(lines)


def _saved_path_notice() -> None:
    """A path saved for the whole server that no longer loads: say so, and let the teacher forget it."""
    saved = settings.saved_data_path()
    if saved is None:
        return
    st.caption(f"This server was set to load the data from {code_span(saved)}, which does not work now.")
    if classroom.actor().may_set_up_data() and st.button("Forget the saved path", key="setup_forget_saved"):
        settings.save_data_path(None)
        _reload_for_everyone()


def _reload_for_everyone() -> None:
    resources.forget_data(None)  # the default source: the saved path changed
    st.session_state.pop(state.DATA_PATH_KEY, None)
    st.rerun()


def _use_path(path: str | Path) -> None:
    st.session_state[state.DATA_PATH_KEY] = str(path)
    st.rerun()


def _path_form() -> None:
    with st.form("setup_path_form", border=False):
        path = st.text_input(
            "Archive or folder path",
            key="setup_path",
            placeholder="/data/aclImdb_v1.tar.gz",
            max_chars=MAX_PATH_CHARS,
            help="Used for this browser session only, unless you save it for everyone below.",
        )
        for_everyone = st.checkbox(
            "Save it for everyone on this server (every session and every training job)", key="setup_path_save"
        )
        if st.form_submit_button("Use this path", type="primary") and path.strip() and len(path) <= MAX_PATH_CHARS:
            chosen = Path(path.strip()).expanduser()
            if for_everyone:
                _save_for_server(chosen)
            else:
                _use_path(chosen)


def _save_for_server(path: Path) -> None:
    """The teacher's choice: check that ``path`` loads, then save it for the whole server (else say why not)."""
    loaded = resources.load_data(str(path))
    if isinstance(loaded, LabError):
        st.error(f"Not saved: {_what_happened(loaded)}")
        return
    settings.save_data_path(path)
    _reload_for_everyone()


def _upload_form() -> None:
    """An upload is this browser's only (:func:`core.data.uploads.session_upload_target`) unless it is chosen for everyone."""
    for_everyone = st.checkbox(
        "Use it for everyone on this server (every session and every training job)", key="setup_upload_save"
    )
    session_target = uploads.session_upload_target(classroom.actor().session_id or "")
    target = uploads.server_upload_target() if for_everyone else session_target
    st.caption(
        f"Saved as {code_span(target)}"
        + (", where the lab looks first." if for_everyone else ", for this browser only.")
    )
    uploaded = st.file_uploader("Archive (.tar.gz)", type=["gz", "tgz"], key="setup_upload")
    if uploaded is None or st.session_state.get("setup_uploaded_id") == uploaded.file_id:
        return
    st.session_state["setup_uploaded_id"] = uploaded.file_id
    try:
        with st.spinner("Checking and storing the archive…"):
            stored = uploads.save_uploaded_archive(uploaded, target)
    except LabError as problem:
        st.error(str(problem))
    else:
        if for_everyone:
            settings.save_data_path(stored)
            _reload_for_everyone()
        _use_path(stored)


def _download_button() -> None:
    st.caption(
        f"Downloads the official archive (84 MB) from {sources.OFFICIAL_URL} into "
        f"{code_span(settings.cache_dir() / 'downloads')} and checks its sha256. Needs internet access."
    )
    if not st.button("Download the official archive", key="setup_download"):
        return
    resources.give_up_slot()  # minutes of waiting on the network, not of computing
    try:
        with st.spinner("Downloading…"):
            stored = sources.download_official()
    except LabError as problem:
        st.error(str(problem))
    except Exception as problem:  # offline, DNS, HTTP: tell the user, no traceback
        st.error(f"Download failed ({type(problem).__name__}: {problem}). Use a path or upload the archive instead.")
    else:
        _use_path(stored)
