"""Train: pick a preset or set the knobs, start a background job, watch it learn.

Training runs in the process-wide :class:`core.jobs.manager.JobManager`
(``resources.job_manager``), never in this script: the page submits a config,
remembers the job id in the session and redraws from the job's snapshot once a second
in a fragment. Moving a knob never starts or stops anything; leaving the page, or
opening a second tab, leaves the job running and shows it again.

Test-only: ``IMDB_LAB_TEST_SLICE=N`` makes every submitted config train and evaluate on
the first N reviews (``train_limit``/``test_limit``), so browser tests finish quickly.
"""

import os

import streamlit as st

from core import settings
from core.config import CUSTOM, PRESETS, TrainConfig
from core.data import stats
from core.errors import ConfigError, LabError
from core.jobs import admission
from core.runs.store import RunStore
from ui.classroom import identity as classroom
from ui.shared import frame, pages, resources, state, wording
from ui.train import controls as train_controls, knobs as train_knobs, panels as train_panels, wording as train_wording
from ui.xray import panel as xray_panel

TEST_SLICE_ENV = "IMDB_LAB_TEST_SLICE"
JOB_KEY = state.TRAIN_JOB_KEY

frame.page_guard(__file__)
frame.page_title(pages.TRAIN)
st.markdown(
    "Pick a starting point, adjust the knobs, press **Train**. The job runs in the background: "
    "switch pages or open another tab and it keeps going. Watch the two curves: when validation loss "
    "turns up while training loss keeps falling, the model has started to **overfit**."
)

data = frame.require_data()
manager = frame.require_jobs()
#: This browser's job, running (its live curves) or finished (its result), is drawn here, above the knobs.
live_slot = st.container()

# ---------------------------------------------------------------- settings


def preset_picker() -> None:
    """The preset control and what the chosen preset (or custom settings) starts from."""
    st.segmented_control(
        "Preset",
        [*PRESETS, CUSTOM],
        key=state.TRAIN_PRESET_KEY,
        on_change=state.preset_changed,
        persist_state="session",
        help="A preset sets every knob; moving a knob afterwards makes it custom.",
    )
    base = PRESETS[st.session_state[state.TRAIN_BASE_KEY]]
    if st.session_state.get(state.TRAIN_PRESET_KEY) in PRESETS:
        st.caption(f"{base.description} *Origin: {base.origin}*")
    else:
        st.caption(f"Custom settings, starting from the **{base.name}** preset (knobs not shown here keep its values).")


def knob_panel(data) -> None:
    """The knobs up front (with what maxlen and num_words keep of the data), then "More settings"."""
    knobs = st.container(key="train_knobs")  # presenter mode hides it (assets/presenter.css)
    data_col = train_controls.main_knobs(knobs)["Input"]
    maxlen, num_words = st.session_state[state.knob_key("maxlen")], st.session_state[state.knob_key("num_words")]
    data_col.caption(
        f"With these two: {wording.percent(stats.share_at_most(resources.review_lengths(data)['tokens'], maxlen))} "
        f"of reviews fit in {maxlen} tokens whole, and {wording.percent(resources.oov_share(data, num_words))} of "
        "test tokens are out of the vocabulary. The Explore page shows why."
    )
    with knobs.expander("More settings: model, input, optimisation, evaluation"):
        train_controls.more_settings()


def config_now() -> tuple[TrainConfig | None, str | None]:
    """The config the knobs describe now, the test slice applied; or None and why it is not valid."""
    try:
        config = state.config_from_knobs()
    except ConfigError as error:
        return None, train_wording.config_problem(error, train_knobs.label)
    slice_size = os.environ.get(TEST_SLICE_ENV)
    if not slice_size:
        return config, None
    try:
        return config.replace(train_limit=int(slice_size), test_limit=int(slice_size)), None
    except (ValueError, ConfigError) as error:
        return None, f"{TEST_SLICE_ENV} is not usable: {error}"


def chosen_config() -> TrainConfig | None:
    """:func:`config_now`, with the reason shown when it is not valid (and the test slice said)."""
    config, problem = config_now()
    if problem:
        st.error(problem, icon=":material/block:")
    elif os.environ.get(TEST_SLICE_ENV):
        size = config.train_limit
        st.caption(f":orange[Test mode: {TEST_SLICE_ENV}={size}, training and testing on {size} reviews each.]")
    return config


preset_picker()
knob_panel(data)
config = chosen_config()

# ---------------------------------------------------------------- cost estimate

me = classroom.actor()


def refusal(config: TrainConfig, calibration) -> str | None:
    """Why the job queue would refuse ``config`` (size, time budget: :func:`core.jobs.admission.refusal`), before
    the click; None when it would queue it, or when it is this student's stored run (that needs no training)."""
    limits = (manager.time_budget_seconds, settings.max_parameters(), settings.max_job_memory_bytes())
    why = admission.refusal(config, calibration, data.train.lengths, *limits)
    if why is None or st.session_state[state.TRAIN_RETRAIN_KEY]:
        return why
    return None if RunStore().find_cached(config, data.fingerprint, me.session_id) else why


refused = None
if config is not None:
    calibration = resources.calibration(data, config)
    train_panels.cost_view(config, data.train.lengths, calibration)
    xray_panel.layer_view(config)
    refused = refusal(config, calibration)

# ---------------------------------------------------------------- jobs


def _snapshot(job_id):
    try:
        return manager.snapshot(job_id)
    except KeyError:
        return None


def _start() -> None:
    # The knobs as they are at the click, not as the button was drawn: a seed typed without Enter is
    # applied by the same click (the box loses focus first), and a bound argument would train the old one.
    config, problem = config_now()
    if config is None:
        st.session_state["train_submit_error"] = problem
        return
    try:
        st.session_state[JOB_KEY] = manager.submit(
            config,
            retrain=st.session_state[state.TRAIN_RETRAIN_KEY],
            owner=me.session_id,
            data=data,
            client=classroom.client_address(),
        )
        st.session_state.pop("train_submit_error", None)
    except LabError as error:
        st.session_state["train_submit_error"] = str(error)


def _stop(job_id: str, keep_partial: bool = True) -> None:
    try:
        manager.cancel(job_id, keep_partial=keep_partial, by=me)
    except LabError as error:  # someone else's job (it changed hands since the page was drawn)
        st.session_state["train_submit_error"] = str(error)


def _clear_queue() -> None:
    try:
        manager.clear_queue(by=me)
    except LabError as error:
        st.session_state["train_submit_error"] = str(error)


def _watch(job_id: str) -> None:
    st.session_state[JOB_KEY] = job_id


def latest_of(jobs, owner: str | None):
    """This browser's job to show after a reload: its queued or running one, else its latest finished one.

    The executors list jobs oldest first (the local journal survives a restart), so the last is the latest.
    """
    mine = [j for j in jobs if owner and j.owner == owner]
    running = [j for j in mine if not j.finished]
    return (running or mine or [None])[-1]


jobs = frame.or_stop(manager.jobs)
active_jobs = [j for j in jobs if not j.finished]
mine_active = [j for j in active_jobs if j.owner == me.session_id]
job = _snapshot(st.session_state[JOB_KEY]) if st.session_state.get(JOB_KEY) else None
if job is None:  # another tab or a reload of this browser: its own latest job, never someone else's
    job = latest_of(jobs, me.session_id)
    if job is not None:
        st.session_state[JOB_KEY] = job.job_id
if job is None:
    st.session_state.pop(JOB_KEY, None)
shown_active = job is not None and not job.finished
may_stop = shown_active and me.may_act_on(job.owner)

buttons = st.columns([1, 1, 4], vertical_alignment="center")
buttons[0].button(
    "Train",
    type="primary",
    icon=":material/play_arrow:",
    width="stretch",
    disabled=config is None or bool(mine_active) or refused is not None,
    on_click=_start,
    help="You have a job queued or training; stop it or wait for it first."
    if mine_active
    else "Fix the setting named above first: nothing trains with it."
    if config is None
    else refused,
)
buttons[1].button(
    "Stop",
    icon=":material/stop:",
    width="stretch",
    disabled=not may_stop,
    on_click=_stop,
    args=(job.job_id if job else "",),
    help=None
    if may_stop or not shown_active
    else "Only the student who started this job, or the teacher, can stop it.",
)
buttons[2].toggle(
    "Retrain even if this exact configuration was trained before", key=state.TRAIN_RETRAIN_KEY, persist_state="session"
)
if refused is not None and not mine_active:  # the same words the queue would refuse it with, before the click
    st.warning(refused, icon=":material/block:")
if st.session_state.get("train_submit_error"):
    st.error(st.session_state["train_submit_error"])
train_panels.queue_notice(active_jobs, me)
train_panels.other_jobs(
    [other for other in active_jobs if job is None or other.job_id != job.job_id],
    _watch,
    stop=_stop if me.teacher else None,
    clear_queue=_clear_queue if me.teacher else None,
)

# ---------------------------------------------------------------- the job view


@st.fragment(run_every=1.0)
def live_job_view(job_id: str) -> None:
    """Redraws the job once a second; when it finishes, reruns the page to re-enable Train."""
    try:
        snapshot = _snapshot(job_id)
    except LabError as error:  # the job queue stopped answering: say so, try again in a second
        st.warning(str(error), icon=":material/cloud_off:")
        return
    if snapshot is None:
        st.rerun()
    train_panels.job_view(snapshot, mine=me.may_act_on(snapshot.owner), skip_scoring=_stop)
    if snapshot.finished:
        st.rerun()


if job is None:
    st.divider()
    st.info("No training yet in this session. Press **Train** to start one.", icon=":material/info:")
elif job.finished and job.owner == me.session_id:  # one's own result: at the top, above the knobs
    with live_slot.container(border=True, key="train_job"):
        train_panels.job_view(job, mine=True)
elif job.finished:
    st.divider()
    train_panels.job_view(job, mine=me.may_act_on(job.owner))
elif job.owner == me.session_id:
    with live_slot.container(border=True, key="train_job"):  # one's own running job: at the top, above the knobs
        live_job_view(job.job_id)
else:
    st.divider()
    live_job_view(job.job_id)
