"""Train: pick a preset or set the knobs, start a background job, watch it learn.

Training runs in the process-wide :class:`core.jobs.manager.JobManager` (``common.job_manager``),
never in this script: the page submits a config, remembers the job id in the session
and redraws from the job's snapshot once a second in a fragment. Moving a knob never
starts or stops anything; leaving the page, or opening a second tab, leaves the job
running and shows it again.

Test-only: ``IMDB_LAB_TEST_SLICE=N`` makes every submitted config train and evaluate on
the first N reviews (``train_limit``/``test_limit``), so browser tests finish quickly.
"""

import os
from pathlib import Path

import altair as alt
import streamlit as st

from core.data import stats
from core.config import FIELDS, PRESETS, TrainConfig, preset, preset_name
from core.model.cost import estimate_epoch_seconds, slow_setting_warnings
from core.errors import ConfigError, LabError
from pages import common, views

TEST_SLICE_ENV = "IMDB_LAB_TEST_SLICE"
JOB_KEY = "train_job_id"
PREDICT_RUN_KEY = "predict_run"  # the run the Predict page's picker shows
LEARNING_RATES = (1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 3e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2,
                  0.5, 1.0)
LABELS = {
    "units": "Units per layer", "layers": "Stacked layers", "embedding_dim": "Embedding size",
    "dropout": "Dropout", "recurrent_dropout": "Recurrent dropout", "maxlen": "maxlen (tokens per review)",
    "num_words": "num_words (vocabulary)", "epochs": "Epochs (at most)", "batch_size": "Batch size",
    "learning_rate": "Learning rate", "cell": "Recurrent cell", "bidirectional": "Bidirectional",
    "mask_zero": "Mask the padding (mask_zero)", "bucketing": "Length bucketing", "truncating": "Truncating",
    "padding": "Padding", "keras_maxlen_filter": "Drop reviews of maxlen or more (Keras's filter)",
    "optimizer": "Optimizer", "dense_dropout": "Dropout before the output", "patience": "Early-stopping patience",
    "validation_fraction": "Validation share of the training split", "seed": "Seed",
    "conv_pool": "Conv + max-pool front end (k-fold shorter)", "pooling": "Classifier reads",
    "schedule": "Learning-rate schedule",
}
HERE = Path(__file__).resolve().parent

common.ensure_app_frame(__file__)
st.title("Train a model")
st.markdown("Pick a starting point, adjust the knobs, press **Train**. The job runs in the background: "
            "switch pages or open another tab and it keeps going. Watch the two curves: when validation loss "
            "turns up while training loss keeps falling, the model has started to **overfit**.")

data = common.require_data()
manager = common.job_manager()


# ---------------------------------------------------------------- settings


def _config_from_state() -> TrainConfig:
    """The config the knobs describe, on top of the last preset picked (raises ConfigError)."""
    return preset(st.session_state["train_base"]).replace(**common.knob_values())


def _preset_changed() -> None:
    name = st.session_state.get("train_preset")
    if name is None:  # deselected: keep the knobs, call them custom
        st.session_state["train_preset"] = common.CUSTOM
    elif name != common.CUSTOM:
        st.session_state["train_base"] = name
        common.apply_preset_values(name)


def _knob_changed() -> None:
    try:
        name = preset_name(_config_from_state())
    except ConfigError:
        name = None
    st.session_state["train_preset"] = name or common.CUSTOM


def knob(name: str, container=st) -> None:
    """The widget for one config field, its range or choices read from ``core.config.FIELDS``."""
    rule, key = FIELDS[name], common.knob_key(name)
    label = LABELS.get(name) or name.replace("_", " ").capitalize()
    kwargs = dict(key=key, help=rule.help, on_change=_knob_changed, persist_state="session")
    if name == "learning_rate":
        options = sorted({*[v for v in LEARNING_RATES if rule.low <= v <= rule.high], st.session_state[key]})
        container.select_slider(label, options=options, format_func=lambda v: f"{v:g}", **kwargs)
    elif rule.choices is not None and isinstance(rule.choices[0], bool):
        container.toggle(label, **kwargs)
    elif rule.choices is not None:
        container.selectbox(label, list(rule.choices), **kwargs)
    elif rule.step is None:
        container.number_input(label, float(rule.low), float(rule.high), format="%g", **kwargs)
    elif (rule.high - rule.low) / rule.step > 1000:  # e.g. the seed: a slider would be useless
        low, high, step = common.field_range(name)
        container.number_input(label, low, high, step=step, **kwargs)
    else:
        low, high, step = common.field_range(name)
        container.slider(label, low, high, step=step, **kwargs)


st.segmented_control("Preset", [*PRESETS, common.CUSTOM], key="train_preset", on_change=_preset_changed,
                     persist_state="session",
                     help="A preset sets every knob; moving a knob afterwards makes it custom.")
base = PRESETS[st.session_state["train_base"]]
chosen = st.session_state.get("train_preset")
if chosen in PRESETS:
    st.caption(f"{base.description} *Origin: {base.origin}*")
else:
    st.caption(f"Custom settings, starting from the **{base.name}** preset (knobs not shown here keep its values).")

model_col, data_col, fit_col = st.columns(3, gap="large")
with model_col:
    st.markdown("**Model**")
    for name in ("units", "layers", "embedding_dim", "dropout", "recurrent_dropout"):
        knob(name)
with data_col:
    st.markdown("**Input**")
    for name in ("maxlen", "num_words"):
        knob(name)
    maxlen, num_words = st.session_state[common.knob_key("maxlen")], st.session_state[common.knob_key("num_words")]
    lengths = common.review_lengths(data.fingerprint, data)["tokens"]
    st.caption(f"With these two: {views.percent(stats.share_at_most(lengths, maxlen))} of reviews fit in {maxlen} "
               f"tokens whole, and {views.percent(stats.oov_share(data.test, num_words))} of test tokens are out of "
               "the vocabulary. The Explore page shows why.")
with fit_col:
    st.markdown("**Fitting**")
    for name in ("epochs", "batch_size", "learning_rate"):
        knob(name)
with st.expander("More settings"):
    columns = st.columns(3)
    for i, name in enumerate(common.TRAIN_MORE_KNOBS):
        knob(name, columns[i % 3])

config = None
try:
    config = _config_from_state()
except ConfigError as error:
    st.error(f"These settings cannot be trained: {error}")

slice_size = os.environ.get(TEST_SLICE_ENV)
if config is not None and slice_size:
    try:
        config = config.replace(train_limit=int(slice_size), test_limit=int(slice_size))
        st.caption(f":orange[Test mode: {TEST_SLICE_ENV}={slice_size}, training and testing on "
                   f"{int(slice_size)} reviews each.]")
    except (ValueError, ConfigError) as error:
        st.error(f"{TEST_SLICE_ENV} is not usable: {error}")
        config = None

# ---------------------------------------------------------------- cost estimate


if config is not None:

    per_epoch = estimate_epoch_seconds(config, data.train.lengths)
    summary_col, cost_col = st.columns([3, 2], gap="large")
    summary_col.markdown(f"**Model:** `{config.summary()}`")
    if per_epoch is not None:
        def about(seconds: float) -> str:
            text = views.duration(seconds)
            return text if text.startswith("under") else f"about {text}"

        cost_col.markdown(f"**Estimated time** on this 2-core CPU: **{about(per_epoch)} per epoch**, "
                          f"{about(per_epoch * config.epochs)} for {config.epochs} epochs"
                          + (" (early stopping may end sooner)." if config.patience else "."))
    st.caption("What costs time on a CPU: one LSTM step per token (maxlen), the units (the step's matrices grow "
               "with units²), each stacked layer, masking and recurrent dropout. Larger batches are cheaper per "
               "review (batch 128 runs about 1.7x more reviews per second than 32).")
    for warning in slow_setting_warnings(config):
        st.warning(warning, icon=":material/hourglass_top:")

# ---------------------------------------------------------------- jobs


def _snapshot(job_id):
    try:
        return manager.snapshot(job_id)
    except KeyError:
        return None


def _start(config: TrainConfig) -> None:
    try:
        st.session_state[JOB_KEY] = manager.submit(config, retrain=st.session_state["train_retrain"],
                                                   owner=st.session_state["session_id"],
                                                   data=data)
        st.session_state.pop("train_submit_error", None)
    except LabError as error:
        st.session_state["train_submit_error"] = str(error)


def _stop(job_id: str) -> None:
    manager.cancel(job_id, keep_partial=True)


def _watch(job_id: str) -> None:
    st.session_state[JOB_KEY] = job_id


all_jobs = manager.jobs()
active_jobs = [job for job in all_jobs if not job.finished]
job = _snapshot(st.session_state.get(JOB_KEY)) if st.session_state.get(JOB_KEY) else None
if job is None and active_jobs:  # a new tab, or the job was started elsewhere: show the live one
    job = active_jobs[-1]
    st.session_state[JOB_KEY] = job.job_id
if job is None:
    st.session_state.pop(JOB_KEY, None)
running_here = job is not None and not job.finished

buttons = st.columns([1, 1, 4], vertical_alignment="center")
buttons[0].button("Train", type="primary", icon=":material/play_arrow:", width="stretch",
                  disabled=config is None or running_here, on_click=_start, args=(config,))
buttons[1].button("Stop", icon=":material/stop:", width="stretch", disabled=not running_here,
                  on_click=_stop, args=(job.job_id if job else "",))
buttons[2].toggle("Retrain even if this exact configuration was trained before", key="train_retrain",
                  persist_state="session")
if st.session_state.get("train_submit_error"):
    st.error(st.session_state["train_submit_error"])

others = [other for other in active_jobs if job is None or other.job_id != job.job_id]
if others:
    with st.container(border=True):
        st.markdown("**Other jobs on this server**")
        for other in others:
            row = st.columns([4, 1], vertical_alignment="center")
            where = f"queue position {other.queue_position}" if other.state == "queued" else other.phase
            row[0].markdown(f"`{other.job_id}` · {other.state} ({where}) · `{other.config.summary()}`")
            row[1].button("Watch", key=f"watch_{other.job_id}", on_click=_watch, args=(other.job_id,))


# ---------------------------------------------------------------- the job view


def _curve_chart(snapshot, metric: str, title: str):
    frame = views.curve_frames(snapshot.batch_history, snapshot.epoch_history, snapshot.batches_per_epoch, metric)
    colors = alt.Scale(domain=list(views.SERIES_COLORS), range=list(views.SERIES_COLORS.values()))
    base = alt.Chart(frame).encode(
        # While training, the axis spans every planned epoch, so the curves show how far along it is.
        x=alt.X("epoch:Q", title="epoch", scale=alt.Scale(domain=[0, snapshot.epochs]) if not snapshot.finished
                else alt.Scale(domainMin=0, nice=False)),
        y=alt.Y("value:Q", title=metric, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", scale=colors, title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("epoch:Q", format=".2f"), alt.Tooltip("series:N"), alt.Tooltip("value:Q", format=".4f")],
    )
    raw = base.transform_filter(alt.datum.series == "train, per batch").mark_line(strokeWidth=1, opacity=0.6)
    smooth = base.transform_filter(alt.datum.series == "train, smoothed").mark_line(strokeWidth=2.5)
    validation = base.transform_filter(alt.datum.series == "validation").mark_line(
        strokeWidth=2.5, point=alt.OverlayMarkDef(size=70, filled=True))
    return alt.layer(raw, smooth, validation).properties(title=title, height=300)


def job_view(snapshot) -> None:
    """Everything about one job, drawn from one snapshot (no waiting, no training here)."""
    badge = {"queued": "gray", "running": "blue", "done": "green", "cancelled": "orange", "failed": "red"}
    st.subheader(f"Training job {snapshot.job_id} :{badge.get(snapshot.state, 'gray')}-badge[{snapshot.state}]",
                 anchor=False)
    st.caption(f"`{snapshot.config.summary()}`" + (f" · run `{snapshot.run_id}`" if snapshot.run_id else ""))
    if snapshot.state == "queued":
        st.info(f"Waiting in the queue: position {snapshot.queue_position} (1 = next). One job trains at a time "
                "so that the two CPU cores are not split.", icon=":material/schedule:")
    elif snapshot.state == "failed":
        st.error(snapshot.error or "The job failed.")
    if not snapshot.finished or snapshot.state == "cancelled":
        st.progress(snapshot.progress, text=views.progress_text(snapshot))
        st.caption(f"Phase: {snapshot.phase} · elapsed {views.duration(snapshot.elapsed_seconds)} · "
                   f"{snapshot.samples_seen:,} samples seen")
    if snapshot.finished and snapshot.state != "failed":
        result_view(snapshot)
    if snapshot.batch_history:
        loss_col, acc_col = st.columns(2, gap="large")
        loss_col.altair_chart(_curve_chart(snapshot, "loss", "Loss: training (per batch) vs validation (per epoch)"),
                              width="stretch")
        acc_col.altair_chart(_curve_chart(snapshot, "accuracy", "Accuracy"), width="stretch")
        note = views.overfitting_note(snapshot.epoch_history)
        if note:
            st.warning(note, icon=":material/trending_up:")
        else:
            st.caption("Per-batch training values are noisy (each batch is only a few reviews); the smoothed line "
                       "is a rolling mean. Validation is measured once per epoch on reviews the model never "
                       "trains on: a gap between the two is overfitting.")
    elif snapshot.state == "running":
        st.caption("Curves appear after the first batch (building the model and the first batch take a few "
                   "seconds).")


def result_view(snapshot) -> None:
    metrics = snapshot.test_metrics or {}
    if snapshot.cached:
        st.success("This exact configuration was trained before: showing the stored run. Switch on *Retrain* "
                   "to train it again.", icon=":material/inventory_2:")
    elif snapshot.state == "cancelled":
        st.warning("Stopped. " + ("The partial model was kept" + (f" as run `{snapshot.run_id}`." if snapshot.run_id
                   else ".") if snapshot.partial else "Nothing was kept."), icon=":material/stop_circle:")
    accuracy = metrics.get("accuracy")
    cols = st.columns(4)
    cols[0].metric("Test accuracy", "—" if accuracy is None else f"{accuracy:.3f}")
    cols[1].metric("Test loss", "—" if metrics.get("loss") is None else f"{metrics['loss']:.3f}")
    cols[2].metric("Training time", views.duration(snapshot.train_seconds))
    cols[3].metric("Epochs trained", len(snapshot.epoch_history) or snapshot.epoch)
    st.markdown(views.tutorial_comparison(snapshot.config, accuracy))
    if snapshot.config.test_limit:
        st.caption(f"Measured on only {snapshot.config.test_limit} test reviews (test slice), so it is not "
                   "comparable with the tutorial's 25,000.")
    if snapshot.run_id:
        if (HERE / "predict.py").is_file():
            if st.button(f"Predict with run {snapshot.run_id}", icon=":material/rate_review:",
                         key=f"predict_{snapshot.run_id}"):
                st.session_state[PREDICT_RUN_KEY] = snapshot.run_id  # the Predict page's run picker
                st.switch_page("pages/predict.py")
        else:
            st.caption(f"The model is stored as run `{snapshot.run_id}`; a Predict page to try it on your own "
                       "reviews is coming.")


@st.fragment(run_every=1.0)
def live_job_view(job_id: str) -> None:
    """Redraws the job once a second; when it finishes, reruns the page to re-enable Train."""
    snapshot = _snapshot(job_id)
    if snapshot is None:
        st.rerun()
    job_view(snapshot)
    if snapshot.finished:
        st.rerun()


st.divider()
if job is None:
    st.info("No training yet in this session. Press **Train** to start one.", icon=":material/info:")
elif job.finished:
    job_view(job)
else:
    live_job_view(job.job_id)
