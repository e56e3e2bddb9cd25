"""Process-wide objects and cached results: what one server shares between all its sessions.

The objects one server owns (the dataset, the job manager, the prediction process, the
page-run slots) are kept by :mod:`ui.shared.server_objects`, where a client's
``clear_cache`` message cannot drop them; results (statistics of the dataset,
predictions and evaluations of a stored run) live in ``st.cache_data``, which that
message may clear: they are recomputed from the same objects. A dataset is
cached by its fingerprint and a run by its folder and creation time
(``hash_funcs``), so a re-made run or another archive is never served stale.

Keras and TensorFlow are never imported here: the job manager trains in a child
process and the prediction service predicts in one (``core`` is imported lazily where
only some pages need it, so the Explore page stays fast). Pages call these functions
through the module (``resources.job_manager()``), which is also the seam page tests
patch.
"""

from __future__ import annotations

import contextlib
import threading

import numpy as np
import pandas as pd
import streamlit as st

from core import settings
from core.data import stats
from core.data.dataset import ImdbData, load_dataset
from core.errors import DataFormatError, DataNotFoundError, LabError
from core.runs.store import RunInfo, RunStore
from ui.explore import charts, tables
from ui.shared import server_objects, vega
from ui.shared.state import DATA_PATH_KEY
from ui.train import charts as train_charts, tables as train_tables

#: A dataset is the same dataset when its fingerprint is; a run when its folder and creation time are
#: (the ``hash_funcs`` of every ``st.cache_data`` that takes one, here and in the feature packages).
BY_IDENTITY = {ImdbData: lambda data: data.fingerprint, RunInfo: lambda run: (str(run.path), run.created)}

# ---------------------------------------------------------------- page-run slots

#: Longest a page run waits for its turn (seconds) before it runs anyway: never fail a page.
RUN_SLOT_WAIT = 60.0


def _run_slots(count: int) -> threading.BoundedSemaphore | None:
    return server_objects.once(("run_slots", count), lambda: threading.BoundedSemaphore(count)) if count else None


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


# ---------------------------------------------------------------- the dataset


#: What the first visitor of a started server reads while the data loads (``make run`` fills the cache first).
LOADING_DATA = "Loading the IMDB reviews: about 1 s from the corpus cache, 20-30 s when the archive is first read…"


def load_data(path: str | None) -> ImdbData | LabError:
    """The dataset at ``path`` (None: ``$IMDB_DATA``, then the cache), once per process.

    A missing or damaged dataset is returned as its error rather than raised, so that
    it is kept too (re-reading a corrupt archive on every rerun would take seconds);
    the set-up panel's "Try again" forgets it (:func:`forget_data`). Download is never
    attempted implicitly.
    """
    key = ("data", path)
    kept = server_objects.peek(key)
    if kept is not None:
        return kept
    with st.spinner(LOADING_DATA):
        return server_objects.once(key, lambda: _read_data(path))


def _read_data(path: str | None) -> ImdbData | LabError:
    try:
        return load_dataset(path, allow_download=False)
    except (DataNotFoundError, DataFormatError) as error:
        return error


def forget_data(path: str | None = None, *, failed_only: bool = False) -> None:
    """Look for the dataset at ``path`` again on the next page run (``failed_only``: only if it failed to load)."""
    key = ("data", path)
    if not failed_only or isinstance(server_objects.peek(key), LabError):
        server_objects.forget(key)


def current_data() -> ImdbData | LabError:
    """The dataset this session uses: the path picked in the set-up panel, else the default source."""
    return load_data(st.session_state.get(DATA_PATH_KEY))


@st.cache_data(show_spinner=False, max_entries=4, hash_funcs=BY_IDENTITY)
def review_lengths(data: ImdbData) -> pd.DataFrame:
    return stats.review_lengths(data)


@st.cache_data(show_spinner=False, max_entries=4, hash_funcs=BY_IDENTITY)
def coverage_curve(data: ImdbData) -> pd.DataFrame:
    return stats.coverage_curve(data.test)


@st.cache_data(show_spinner=False, max_entries=64, hash_funcs=BY_IDENTITY)
def oov_share(data: ImdbData, num_words: int) -> float:
    """Share of test tokens that are OOV (a pass over 6M tokens: 10 ms, on every slider move otherwise)."""
    return stats.oov_share(data.test, num_words)


@st.cache_data(show_spinner=False, max_entries=1024, hash_funcs=BY_IDENTITY)
def length_histogram_spec(data: ImdbData, split: str, bin_width: int, axis_end: int, maxlen: int, log_scale: bool):
    """One split's length histogram (:func:`ui.explore.charts.length_histogram_chart`) as a Vega-Lite dict.

    Built once per setting for every session of the server: building and validating
    the Altair chart took 60 ms per chart, on every slider move of every student
    (see :func:`ui.shared.vega.vega_lite_spec`). Shown with ``st.vega_lite_chart``.
    """
    histogram = tables.length_histogram(review_lengths(data), bin_width=bin_width, clip_at=axis_end)
    chart = charts.length_histogram_chart(
        histogram[histogram["split"] == split],
        bin_width=bin_width,
        axis_end=axis_end,
        maxlen=maxlen,
        log_scale=log_scale,
        title=f"{split.capitalize()} split",
    )
    return vega.vega_lite_spec(chart)


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=BY_IDENTITY)
def coverage_spec(data: ImdbData, num_words: int, tutorial: int) -> dict:
    """:func:`ui.explore.charts.coverage_chart` as a Vega-Lite dict, once per ``num_words`` (see :func:`length_histogram_spec`)."""
    return vega.vega_lite_spec(charts.coverage_chart(coverage_curve(data), num_words, tutorial))


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=BY_IDENTITY)
def accuracy_curve_spec(run: RunInfo, batches_per_epoch: int, smoothing: float, at_epoch: float) -> dict | None:
    """A stored run's accuracy curves with a rule at ``at_epoch`` (Predict's snapshot slider), as a Vega-Lite dict.

    The same for every session at one snapshot, so built once (see :func:`length_histogram_spec`);
    None when the run recorded no curve.
    """
    history = RunStore(run.path.parent).history(run.run_id)
    curves = train_tables.curve_frames(
        history.get("batches"), history.get("epochs"), batches_per_epoch, "accuracy", smoothing=smoothing
    )
    if curves.empty:
        return None
    chart = train_charts.training_curve_chart(
        curves, "accuracy", "Accuracy while training", at_epoch=at_epoch, height=240, legend=False
    )
    return vega.vega_lite_spec(chart)


@st.cache_data(show_spinner=False, max_entries=4, hash_funcs=BY_IDENTITY)
def dataset_summary(data: ImdbData) -> dict:
    return stats.dataset_summary(data)


# ---------------------------------------------------------------- training jobs


def job_manager():
    """The process-wide job executor, shared by every page and browser tab (:func:`core.jobs.executor.open_executor`).

    Locally, one job trains at a time in a child process, so TensorFlow never runs in
    the web server; with ``$IMDB_LAB_QUEUE_URL`` set, jobs go to the RQ workers.
    """
    from core.jobs.executor import open_executor  # imported here: the Explore page never needs it

    return server_objects.once(
        "job_manager",
        lambda: open_executor(
            data_loader=_training_data,
            max_queued=settings.max_queued(),
            time_budget_seconds=settings.time_budget_seconds(),
        ),
    )


def calibration(data: ImdbData, config=None):
    """This server's time calibration for ``config`` (:meth:`core.jobs.manager.JobManager.calibration`).

    Uncalibrated (the cost model's wide range) while the job queue does not answer.
    """
    try:
        return job_manager().calibration(data, config=config)
    except LabError:
        from core.runs.calibration import Calibration

        return Calibration()


def _training_data() -> ImdbData:
    """The dataset jobs train on: the same in-memory copy the pages use (default source)."""
    result = load_data(None)
    if isinstance(result, LabError):
        raise result
    return result


# ---------------------------------------------------------------- stored runs


def prediction_service(runs_root: str):
    """The process-wide prediction process for the runs in ``runs_root`` (see core.serving.service)."""
    from core.serving.service import PredictionService

    return server_objects.once(("prediction_service", runs_root), lambda: PredictionService(runs_root))


def service_of(run: RunInfo):
    """The prediction process serving ``run``'s runs folder (the X-ray, what-if and unit-role requests go there)."""
    return prediction_service(str(run.path.parent))


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
    best = RunStore().best()
    if best is not None:
        _warm(best)


@st.cache_resource(show_spinner=False, max_entries=8, hash_funcs=BY_IDENTITY)
def _warm(run: RunInfo) -> bool:
    """Once per process and run: start loading it (the cache makes this happen once)."""
    service_of(run).warm_in_background(run.run_id, run.created)
    return True


@st.cache_data(max_entries=64, show_spinner="Reading the review word by word…", hash_funcs=BY_IDENTITY)
def explain_text(run: RunInfo, text: str, span: int = 1, snapshot: int | None = None):
    """Occlusion of ``text`` by ``run``'s model, ``span`` words at a time (:func:`core.serving.explain.explain`).

    The work happens in the prediction process; ``snapshot``: with the weights of that
    snapshot of the run's training (:mod:`core.runs.snapshots`), else the stored model's.
    """
    give_up_slot()
    return service_of(run).explain(run.run_id, run.created, text, span, snapshot=snapshot)


@st.cache_data(max_entries=16, show_spinner="Scoring the reviews…", hash_funcs=BY_IDENTITY)
def score_texts(run: RunInfo, texts: tuple[str, ...], snapshot: int | None = None) -> np.ndarray:
    """Probabilities of positive for ``texts`` by ``run``'s model (in the prediction process; ``snapshot``: see above)."""
    give_up_slot()
    return service_of(run).predict(run.run_id, run.created, list(texts), snapshot=snapshot)


@st.cache_data(max_entries=16, show_spinner=False, hash_funcs=BY_IDENTITY)
def known_word_counts(run: RunInfo, texts: tuple[str, ...]) -> np.ndarray:
    """Words of each text in ``run``'s vocabulary (in the prediction process, which holds it)."""
    give_up_slot()
    return service_of(run).known_words(run.run_id, run.created, list(texts))


@st.cache_data(max_entries=8, show_spinner="Evaluating the run on the test reviews…", hash_funcs=BY_IDENTITY)
def evaluation(run: RunInfo, data: ImdbData):
    """:func:`core.runs.evaluation.evaluate` of ``run`` on ``data``'s test reviews (stored probabilities, no model)."""
    from core.runs.evaluation import evaluate

    return evaluate(run.run_id, data, RunStore(run.path.parent))


@st.cache_data(max_entries=4, show_spinner=False, hash_funcs=BY_IDENTITY)
def run_bundle_zip(run: RunInfo) -> bytes:
    """``run``'s bundle as a zip (:func:`core.serving.export.bundle_zip`): files copied, no Keras imported."""
    from core.serving.export import bundle_zip

    return bundle_zip(RunStore(run.path.parent), run.run_id)
