"""What every page shares: the dataset (loaded once per process), the set-up panel shown
when there is none, the job manager, and the session's defaults.

This is the edge between Streamlit and ``core``: process-wide objects live in
``st.cache_resource`` here (never in module globals), and nothing here imports Keras or
TensorFlow at module level, so the Explore page stays fast.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import uuid
from pathlib import Path

import pandas as pd
import streamlit as st

from core import settings

from core.data import sources

from core.data import stats
from core.atomic import atomic_path
from core.config import DEFAULT_PRESET, FIELDS, preset
from core.data.dataset import ImdbData, load_dataset
from core.errors import DataFormatError, DataNotFoundError, LabError
from core.runs.store import RunStore

#: Session key (not a widget key) of the dataset path the user chose in the set-up panel.
DATA_PATH_KEY = "data_path"
#: Where an uploaded archive is stored: a place :mod:`core.data.sources` searches.
UPLOAD_NAME = "aclImdb_labeled.tar.gz"

#: Explore page widgets and their defaults (the tutorial's numbers).
EXPLORE_DEFAULTS = {"explore_maxlen": 800, "explore_log_scale": False, "explore_num_words": 5000,
                    "explore_split": "test", "explore_index": 0, "explore_truncating": "pre"}
#: Train page knobs, each a :data:`core.config.FIELDS` entry and a ``train_<name>`` widget key.
TRAIN_KNOBS = ("units", "layers", "embedding_dim", "dropout", "recurrent_dropout", "maxlen", "num_words",
               "epochs", "batch_size", "learning_rate")
#: Test-only fields: set from ``IMDB_LAB_TEST_SLICE`` by the Train page, never by a widget.
TEST_ONLY_FIELDS = ("train_limit", "test_limit")
#: Every other field is a knob under "More settings", so a field added to FIELDS shows up by itself.
TRAIN_MORE_KNOBS = tuple(name for name in FIELDS if name not in TRAIN_KNOBS and name not in TEST_ONLY_FIELDS)
CUSTOM = "custom"


def knob_key(name: str) -> str:
    return f"train_{name}"


# ---------------------------------------------------------------- session


#: Session key of the page to return to after :func:`ensure_app_frame` ran ``app.py`` first.
RETURN_TO_KEY = "return_to_page"


def ensure_app_frame(page_file: str) -> None:
    """Hand a page that Streamlit ran on its own to ``app.py``, which comes back to it.

    Until some session has called ``st.navigation``, Streamlit treats a folder named
    ``pages/`` beside the main script as its legacy multipage layout: on a fresh server
    the first request for ``/train`` runs ``pages/train.py`` without ``app.py`` (no
    session defaults, no sidebar). Such a run is recognised by the missing defaults.
    """
    if "session_id" in st.session_state:
        return
    st.session_state[RETURN_TO_KEY] = f"pages/{Path(page_file).name}"
    st.switch_page("app.py")


def return_to_requested_page() -> None:
    """In ``app.py``, after ``st.navigation``: finish :func:`ensure_app_frame`'s detour."""
    target = st.session_state.pop(RETURN_TO_KEY, None)
    if target:
        st.switch_page(target)


def init_session_defaults() -> None:
    """Give every persistent value its default once per session.

    Widgets use these keys with ``persist_state="session"``, so a value the user picked
    survives moving to another page and back (Streamlit would otherwise drop the keys
    of widgets that are not on the current page).
    """
    state = st.session_state
    state.setdefault("session_id", uuid.uuid4().hex)
    for key, value in EXPLORE_DEFAULTS.items():
        state.setdefault(key, value)
    if "train_preset" not in state:
        state["train_preset"] = DEFAULT_PRESET
        state["train_base"] = DEFAULT_PRESET
        apply_preset_values(DEFAULT_PRESET)
    state.setdefault("train_base", DEFAULT_PRESET)
    state.setdefault("train_retrain", False)


def apply_preset_values(name: str) -> None:
    """Set every Train knob to preset ``name``'s value."""
    config = preset(name)
    for field in (*TRAIN_KNOBS, *TRAIN_MORE_KNOBS):
        st.session_state[knob_key(field)] = getattr(config, field)


def knob_values() -> dict:
    """The Train knobs' current values, by config field name."""
    return {field: st.session_state[knob_key(field)] for field in (*TRAIN_KNOBS, *TRAIN_MORE_KNOBS)
            if knob_key(field) in st.session_state}


#: Longest a page run waits for its turn (seconds) before it runs anyway: never fail a page.
RUN_SLOT_WAIT = 60.0


@st.cache_resource(show_spinner=False)
def _run_slots(count: int) -> threading.BoundedSemaphore | None:
    return threading.BoundedSemaphore(count) if count else None


#: The slot semaphore the current thread (a page run) holds, if any.
_held = threading.local()


@contextlib.contextmanager
def run_slot():
    """Let at most ``settings.concurrent_runs()`` page runs compute at once; the others wait their turn.

    A waiting run sleeps instead of competing for the interpreter lock, so the web
    server's thread (websockets, ``/_stcore/health``) keeps answering when a whole class
    clicks at once. Fragment reruns (the live training view) do not take a slot.
    """
    slots = _run_slots(settings.concurrent_runs())
    _held.slots = slots if slots and slots.acquire(timeout=RUN_SLOT_WAIT) else None
    try:
        yield
    finally:
        if _held.slots is not None:
            _held.slots.release()
        _held.slots = None


def give_up_slot() -> None:
    """Before this page run waits on something else (the model's process, a download): let another run compute.

    The run then finishes without a slot; it has waited its turn once already, and
    queueing again after the model would double a prediction's wait.
    """
    slots = getattr(_held, "slots", None)
    if slots is not None:
        _held.slots = None
        slots.release()


# ---------------------------------------------------------------- data


@st.cache_resource(show_spinner="Loading the IMDB reviews (the first time takes about 10 s)…")
def load_data(path: str | None) -> ImdbData | LabError:
    """The dataset at ``path`` (None: ``$IMDB_DATA``, then the cache), once per process.

    A missing or damaged dataset is returned as its error rather than raised, so that
    it is cached too (re-reading a corrupt archive on every rerun would take seconds);
    the set-up panel's "Try again" clears it. Download is never attempted implicitly.
    """
    try:
        return load_dataset(path, allow_download=False)
    except (DataNotFoundError, DataFormatError) as error:
        return error


def current_data() -> ImdbData | LabError:
    return load_data(st.session_state.get(DATA_PATH_KEY))


def require_data() -> ImdbData:
    """The dataset, or the set-up panel and a stop of the page when there is none."""
    result = current_data()
    if isinstance(result, LabError):
        setup_panel(result)
        st.stop()
    return result


@st.cache_data(show_spinner=False, max_entries=4)
def review_lengths(fingerprint: str, _data: ImdbData) -> pd.DataFrame:
    return stats.review_lengths(_data)


@st.cache_data(show_spinner=False, max_entries=4)
def coverage_curve(fingerprint: str, _data: ImdbData) -> pd.DataFrame:
    return stats.coverage_curve(_data.test)


@st.cache_data(show_spinner=False, max_entries=64)
def oov_share(fingerprint: str, _data: ImdbData, num_words: int) -> float:
    """Share of test tokens that are OOV (a pass over 6M tokens: 10 ms, on every slider move otherwise)."""
    return stats.oov_share(_data.test, num_words)


@st.cache_data(show_spinner=False, max_entries=4)
def dataset_summary(fingerprint: str, _data: ImdbData) -> dict:
    return stats.dataset_summary(_data)


def save_uploaded_archive(uploaded, target: Path | None = None) -> Path:
    """Store an uploaded archive in the cache's ``downloads/`` folder, atomically.

    The archive is loaded from its temporary name first: a damaged or foreign file
    raises :class:`DataFormatError` and leaves any previous archive in place. (The
    corpus cache written by that load is keyed by content, so the final load hits it.)
    """
    target = target or settings.cache_dir() / "downloads" / UPLOAD_NAME
    with atomic_path(target) as temp:
        with open(temp, "wb") as out:
            shutil.copyfileobj(uploaded, out, 1 << 20)
        load_dataset(temp, allow_download=False)
    return target


def _use_path(path: str | Path) -> None:
    st.session_state[DATA_PATH_KEY] = str(path)


def setup_panel(error: LabError) -> None:
    """The friendly panel every page shows instead of a traceback when there is no data."""
    st.warning("**The IMDB reviews are needed before this page can work.**", icon=":material/dataset:")
    with st.container(border=True):
        st.markdown("**What happened**")
        st.code(str(error), language=None, wrap_lines=True)
        st.markdown("**Provide the data** (the official `aclImdb_v1.tar.gz`, this lab's "
                    "`aclImdb_labeled.tar.gz`, or an extracted `aclImdb/` folder):")
        by_path, by_upload, by_download = st.tabs(["Path on this machine", "Upload the archive", "Download"])
        with by_path:
            with st.form("setup_path_form", border=False):
                path = st.text_input("Archive or folder path", key="setup_path",
                                     placeholder="/data/aclImdb_v1.tar.gz",
                                     help="Used for this browser session only. To make it permanent, start the "
                                          f"app with the {settings.DATA_ENV} environment variable set.")
                if st.form_submit_button("Use this path", type="primary") and path.strip():
                    _use_path(Path(path.strip()).expanduser())
                    st.rerun()
        with by_upload:
            target = settings.cache_dir() / "downloads" / UPLOAD_NAME
            st.caption(f"Saved as `{target}`, where the lab looks next time too.")
            uploaded = st.file_uploader("Archive (.tar.gz)", type=["gz", "tgz"], key="setup_upload")
            if uploaded is not None and st.session_state.get("setup_uploaded_id") != uploaded.file_id:
                st.session_state["setup_uploaded_id"] = uploaded.file_id
                try:
                    with st.spinner("Checking and storing the archive…"):
                        _use_path(save_uploaded_archive(uploaded, target))
                except LabError as problem:
                    st.error(str(problem))
                else:
                    st.rerun()
        with by_download:
            st.caption(f"Downloads the official archive (84 MB) from {sources.OFFICIAL_URL} into "
                       f"`{settings.cache_dir() / 'downloads'}` and checks its sha256. Needs internet access.")
            if st.button("Download the official archive", key="setup_download"):
                give_up_slot()  # minutes of waiting on the network, not of computing
                try:
                    with st.spinner("Downloading…"):
                        _use_path(sources.download_official())
                except LabError as problem:
                    st.error(str(problem))
                except Exception as problem:  # offline, DNS, HTTP: tell the user, no traceback
                    st.error(f"Download failed ({type(problem).__name__}: {problem}). "
                             "Use a path or upload the archive instead.")
                else:
                    st.rerun()
        if st.button("Try again", icon=":material/refresh:", help="Look for the data again, e.g. after copying "
                     "the archive into the cache folder."):
            load_data.clear()
            st.rerun()


def sidebar_data_status() -> None:
    """The data source and its state, in the sidebar of every page."""
    result = current_data()
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
        st.caption(
            f"Source: `{_code(result.source.path)}`  \n"
            f"Found via: {result.source.found_via} ({result.source.kind})  \n"
            f"Loaded in {result.load_seconds:.1f} s, "
            + ("from the corpus cache" if result.cache_hit else "parsed (cache " + result.report.get("cache_note", "")
               .removeprefix("cache ") + ")")
            + "; kept in memory for every page and tab."
        )


def _code(value) -> str:
    """Text for a Markdown code span (a backtick would end it)."""
    return str(value).replace("`", "'")


# ---------------------------------------------------------------- training jobs


@st.cache_resource(show_spinner=False)
def job_manager():
    """The process-wide job manager: one job at a time, shared by every page and browser tab.

    Each job trains in a child process (``isolation="process"``), so TensorFlow never
    runs in the web server and page reruns stay responsive while a model trains.
    """
    from core.jobs.manager import JobManager  # imported here: the Explore page never needs it

    return JobManager(runs_dir=None, max_running=1, data_loader=_training_data, isolation="process",
                      max_queued=settings.max_queued(), time_budget_seconds=settings.time_budget_seconds())


@st.cache_resource(show_spinner=False)
def prediction_service(runs_root: str):
    """The process-wide prediction process for the runs in ``runs_root`` (see core.serving.service)."""
    from core.serving.service import PredictionService

    return PredictionService(runs_root)


#: Session key: this session has asked for the best run's model to be loaded.
WARMED_KEY = "model_warmed"


def warm_best_model() -> None:
    """On a session's first run, have the prediction process load the best run's model.

    It loads in the background (a few seconds, in the prediction process), so the first
    typed review of a class does not wait for TensorFlow and the model.
    """
    if st.session_state.get(WARMED_KEY):
        return
    st.session_state[WARMED_KEY] = True
    store = RunStore()
    best = store.best()
    if best is not None:
        _warm(str(store.root), best.run_id, best.created)


@st.cache_resource(show_spinner=False, max_entries=8)
def _warm(runs_root: str, run_id: str, created: float) -> bool:
    """Once per process and run: start loading it (the cache makes this happen once)."""
    prediction_service(runs_root).warm_in_background(run_id, created)
    return True


def _training_data() -> ImdbData:
    """The dataset jobs train on: the same in-memory copy the pages use (default source)."""
    result = load_data(None)
    if isinstance(result, LabError):
        raise result
    return result


def field_range(name: str) -> tuple:
    """(low, high, step) of a numeric :data:`core.config.FIELDS` entry, ints where the step is whole."""
    rule = FIELDS[name]
    if rule.step is not None and float(rule.step).is_integer():
        return int(rule.low), int(rule.high), int(rule.step)
    return float(rule.low), float(rule.high), rule.step
