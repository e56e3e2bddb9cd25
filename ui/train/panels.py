"""A training job drawn (Streamlit edge): the config's cost, the queue, the live job, its result.

Each panel takes what ``core`` returns (a :class:`core.config.TrainConfig`, a
:class:`core.jobs.manager.JobSnapshot`) and draws all of it; the Train page only picks
which one to show. Panels wait for nothing and train nothing.
"""

from __future__ import annotations

import streamlit as st

from core.model.cost import slow_setting_warnings
from core.model.progress import PHASE_SCORING_PARTIAL
from core.runs.store import RunStore
from ui.baseline import panel as baseline_panel
from ui.classroom import reveal
from ui.shared import pages, state, wording
from ui.snapshots import panel as snapshot_panel
from ui.train import charts, tables, wording as train_wording


def cost_view(config, train_lengths, calibration) -> None:
    """What ``config`` costs: the model in one line, this machine's time estimate (a range), slow-setting warnings."""
    summary_col, cost_col = st.columns([3, 2], gap="large")
    summary_col.markdown(f"**Model:** `{config.summary()}`")
    cost_col.markdown(
        train_wording.estimate_sentence(
            calibration.epoch_seconds(config, train_lengths), config.epochs, bool(config.patience)
        )
    )
    cost_col.caption(train_wording.calibration_note(calibration))
    st.caption(
        "What costs time on a CPU: one LSTM step per token (maxlen), the units (the step's matrices grow "
        "with units²), each stacked layer, masking and recurrent dropout. Larger batches are cheaper per "
        "review (batch 128 runs about 1.7x more reviews per second than 32)."
    )
    for warning in slow_setting_warnings(config):
        st.warning(warning, icon=":material/hourglass_top:")


def queue_notice(active_jobs, me) -> None:
    """Whose job trains now, and where this session's own job is in the queue."""
    running = [j for j in active_jobs if j.state == "running"]
    mine = [j for j in active_jobs if j.owner == me.session_id]
    if not running or any(j.owner == me.session_id for j in running):
        return
    waiting = sum(1 for j in active_jobs if j.state == "queued")
    if mine and mine[0].queue_position:
        text = f"The server is training someone else's job; yours is **#{mine[0].queue_position}** in the queue."
    else:
        text = (
            "The server is training someone else's job"
            + (f" ({waiting} more waiting)" if waiting else "")
            + ". Press **Train** to queue yours: it starts when the jobs before it are done."
        )
    st.info(text, icon=":material/group:")


def other_jobs(snapshots, watch, stop=None, clear_queue=None) -> None:
    """The other active jobs on this server: Watch buttons, and (for the teacher) Stop and Clear the queue."""
    if not snapshots:
        return
    with st.container(border=True):
        st.markdown("**Other jobs on this server**")
        for other in snapshots:
            row = st.columns([4, 1, 1] if stop else [4, 1], vertical_alignment="center")
            where = f"queue position {other.queue_position}" if other.state == "queued" else other.phase
            row[0].markdown(f"`{other.job_id}` · {other.state} ({where}) · `{other.config.summary()}`")
            row[1].button("Watch", key=f"watch_{other.job_id}", on_click=watch, args=(other.job_id,))
            if stop:
                row[2].button("Stop", key=f"stop_{other.job_id}", on_click=stop, args=(other.job_id,))
        if clear_queue and any(j.state == "queued" for j in snapshots):
            st.button("Clear the queue", icon=":material/clear_all:", key="teacher_clear_queue", on_click=clear_queue)


_BADGES = {"queued": "gray", "running": "blue", "done": "green", "cancelled": "orange", "failed": "red"}


def job_view(snapshot, *, mine: bool = True, skip_scoring=None) -> None:
    """Everything about one job, drawn from one snapshot: state, progress, phase, results, curves.

    ``mine``: this session may act on the job (else it says whose it is); ``skip_scoring(job_id,
    keep_partial=False)`` is offered while a stopped job's partial model is scored.
    """
    st.subheader(
        f"Training job {snapshot.job_id} :{_BADGES.get(snapshot.state, 'gray')}-badge[{snapshot.state}]", anchor=False
    )
    st.caption(
        f"`{snapshot.config.summary()}`"
        + (f" · run `{snapshot.run_id}`" if snapshot.run_id else "")
        + ("" if mine else " · someone else's job: you can watch it, not stop it")
    )
    if snapshot.state == "queued":
        st.info(
            f"Waiting in the queue: position {snapshot.queue_position} (1 = next). Each training gets a "
            "machine's cores to itself, so jobs wait their turn instead of sharing them.",
            icon=":material/schedule:",
        )
    elif snapshot.state == "failed":
        st.error(snapshot.error or "The job failed.")
    if not snapshot.finished:
        st.progress(snapshot.progress, text=train_wording.progress_text(snapshot))
        st.caption(
            f"{train_wording.phase_sentence(snapshot)} · elapsed {wording.duration(snapshot.elapsed_seconds)} · "
            f"{snapshot.samples_seen:,} reviews trained on"
        )
    elif snapshot.state == "cancelled":  # the result below says how long it trained: one duration
        st.progress(
            snapshot.progress, text=f"Stopped after {train_wording.epochs_text(snapshot_epochs(snapshot))} epochs"
        )
        st.caption(f"{snapshot.samples_seen:,} reviews trained on")
    if mine and skip_scoring and snapshot.phase == PHASE_SCORING_PARTIAL and snapshot.state == "running":
        st.button(
            "Skip scoring (discard the partial model)",
            icon=":material/skip_next:",
            key=f"skip_scoring_{snapshot.job_id}",
            on_click=skip_scoring,
            args=(snapshot.job_id,),
            kwargs={"keep_partial": False},
        )
    if snapshot.finished and snapshot.state != "failed":
        _job_result(snapshot)
    if snapshot.batch_history:
        _job_curves(snapshot)
    elif snapshot.state == "running":
        st.caption("Curves appear after the first batch (building the model and the first batch take a few seconds).")


def _job_curves(snapshot) -> None:
    """The job's curves; once it is a stored run, the snapshot slider, its rule on the curves, and its verdicts."""
    planned = None if snapshot.finished else snapshot.epochs
    smoothing_col, scrub_col = st.columns([1, 2], gap="large")
    run = snapshot_panel.run_of(snapshot.run_id) if snapshot.finished else None
    point = snapshot_panel.choose(run, scrub_col) if run is not None else None
    smoothing = smoothing_col.slider(
        "Smoothing of the training line",
        0.0,
        0.99,
        step=0.01,
        key=state.TRAIN_SMOOTHING_KEY,
        persist_state="session",
        help="Exponential moving average, as in TensorBoard (debiased, so the start is not pulled to zero): "
        "0 shows every batch as it is, 0.99 smooths hard. Hover a curve for both values.",
    )
    loss_col, acc_col = st.columns(2, gap="large")
    for column, metric, title in (
        (loss_col, "loss", "Loss: training (per batch) vs validation (per epoch)"),
        (acc_col, "accuracy", "Accuracy"),
    ):
        curves = tables.curve_frames(
            snapshot.batch_history, snapshot.epoch_history, snapshot.batches_per_epoch, metric, smoothing=smoothing
        )
        references = baseline_panel.references() if metric == "accuracy" else None  # the bag-of-words line
        at_epoch = point.at_epoch if point is not None else None
        chart = charts.training_curve_chart(curves, metric, title, planned, references, at_epoch)
        column.altair_chart(chart, width="stretch")
    if point is not None:
        snapshot_panel.verdicts_at(run, point)
    note = train_wording.overfitting_note(snapshot.epoch_history)
    if note:
        st.warning(note, icon=":material/trending_up:")
    st.caption(train_wording.curves_note(snapshot.config.batch_size))
    epochs = tables.epoch_table(snapshot.epoch_history)
    if not epochs.empty:
        number = st.column_config.NumberColumn
        st.dataframe(
            epochs,
            hide_index=True,
            width="content",
            column_config={
                **{name: number(format="%.4f") for name in epochs.columns if "loss" in name},
                **{name: number(format="%.3f") for name in epochs.columns if "accuracy" in name},
                "best": st.column_config.CheckboxColumn("best", help="The highest validation accuracy"),
            },
        )


def snapshot_epochs(snapshot) -> float | None:
    """Epochs a job trained, fractional when it stopped part-way (:func:`ui.train.tables.epochs_done`)."""
    done = tables.epochs_done(snapshot.batch_history, snapshot.epoch_history, snapshot.batches_per_epoch)
    return done if done is not None else float(len(snapshot.epoch_history) or snapshot.epoch)


def _job_result(snapshot) -> None:
    metrics = snapshot.test_metrics or {}
    if snapshot.cached:
        st.success(
            f"{train_wording.ALREADY_TRAINED} (you trained this exact configuration before). Switch on "
            "*Retrain* to train it again.",
            icon=":material/inventory_2:",
        )
    elif snapshot.state == "cancelled":
        if not snapshot.partial:
            kept = "Nothing was kept."
        else:
            kept = "The partial model was kept" + (f" as run `{snapshot.run_id}`." if snapshot.run_id else ".")
        st.warning("Stopped. " + kept, icon=":material/stop_circle:")
    visible = reveal.shows_test()
    accuracy = metrics.get("accuracy") if visible else None
    validation = RunStore().validation_accuracy_of(snapshot.run_id)
    cols = st.columns(4)
    cols[0].metric("Validation accuracy", "—" if validation is None else f"{validation:.3f}")
    test_help = None if visible else reveal.HIDDEN_NOTE
    cols[1].metric("Test accuracy", "—" if accuracy is None else f"{accuracy:.3f}", help=test_help)
    cols[2].metric("Training time", wording.duration(snapshot.train_seconds))
    cols[3].metric("Epochs trained", train_wording.epochs_text(snapshot_epochs(snapshot)))
    if visible:
        comparison(snapshot.config, accuracy)
    else:
        st.caption(reveal.HIDDEN_NOTE)
    if snapshot.run_id and st.button(
        f"Predict with run {snapshot.run_id}", icon=pages.PREDICT.icon, key=f"predict_{snapshot.run_id}"
    ):
        st.session_state[state.PREDICT_RUN_KEY] = snapshot.run_id  # the Predict page's run picker
        st.switch_page(pages.PREDICT.path)


def comparison(config, accuracy: float | None) -> None:
    """A run's test accuracy beside the tutorial's, and a warning when it was measured on a test slice."""
    st.markdown(train_wording.tutorial_comparison(config, accuracy))
    note = train_wording.slice_note(config.test_limit)
    if note:
        st.caption(note)
