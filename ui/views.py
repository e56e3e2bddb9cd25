"""One core result, drawn: a config's cost, a training job, a prediction, a scored batch.

Each view takes what ``core`` returns (a :class:`core.config.TrainConfig`, a
:class:`core.jobs.manager.JobSnapshot`, a :class:`core.serving.explain.Explanation`
with its run, a table of probabilities) and draws all of it, so the Train and Predict
pages only decide which one to show. Views wait for nothing and train or predict
nothing; the sentences come from :mod:`ui.wording`, the charts from :mod:`ui.charts`,
the HTML from :mod:`ui.html`.
"""

from __future__ import annotations

import streamlit as st

from core.model.cost import slow_setting_warnings
from core.model.metrics import POSITIVE
from core.model.progress import PHASE_SCORING_PARTIAL
from core.runs.store import RunInfo
from core.serving.predictor import MAX_TEXT_CHARS
from ui import baseline_panel, charts, html, state, tables, wording

# ---------------------------------------------------------------- Train: a job


def cost_view(config, train_lengths, calibration) -> None:
    """What ``config`` costs: the model in one line, this machine's time estimate (a range), slow-setting warnings."""
    summary_col, cost_col = st.columns([3, 2], gap="large")
    summary_col.markdown(f"**Model:** `{config.summary()}`")
    cost_col.markdown(
        wording.estimate_sentence(
            calibration.epoch_seconds(config, train_lengths), config.epochs, bool(config.patience)
        )
    )
    cost_col.caption(wording.calibration_note(calibration))
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
            f"Waiting in the queue: position {snapshot.queue_position} (1 = next). One job trains at a time "
            "so that the two CPU cores are not split.",
            icon=":material/schedule:",
        )
    elif snapshot.state == "failed":
        st.error(snapshot.error or "The job failed.")
    if not snapshot.finished or snapshot.state == "cancelled":
        st.progress(snapshot.progress, text=wording.progress_text(snapshot))
        st.caption(
            f"{wording.phase_sentence(snapshot)} · elapsed {wording.duration(snapshot.elapsed_seconds)} · "
            f"{snapshot.samples_seen:,} reviews trained on"
        )
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
    planned = None if snapshot.finished else snapshot.epochs
    loss_col, acc_col = st.columns(2, gap="large")
    for column, metric, title in (
        (loss_col, "loss", "Loss: training (per batch) vs validation (per epoch)"),
        (acc_col, "accuracy", "Accuracy"),
    ):
        curves = tables.curve_frames(snapshot.batch_history, snapshot.epoch_history, snapshot.batches_per_epoch, metric)
        references = baseline_panel.references() if metric == "accuracy" else None  # the bag-of-words line
        column.altair_chart(charts.training_curve_chart(curves, metric, title, planned, references), width="stretch")
    note = wording.overfitting_note(snapshot.epoch_history)
    if note:
        st.warning(note, icon=":material/trending_up:")
    else:
        st.caption(
            "Per-batch training values are noisy (each batch is only a few reviews); the smoothed line "
            "is a rolling mean. Validation is measured once per epoch on reviews the model never "
            "trains on: a gap between the two is overfitting."
        )


def _job_result(snapshot) -> None:
    metrics = snapshot.test_metrics or {}
    if snapshot.cached:
        st.success(
            "This exact configuration was trained before: showing the stored run. Switch on *Retrain* "
            "to train it again.",
            icon=":material/inventory_2:",
        )
    elif snapshot.state == "cancelled":
        if not snapshot.partial:
            kept = "Nothing was kept."
        else:
            kept = "The partial model was kept" + (f" as run `{snapshot.run_id}`." if snapshot.run_id else ".")
        st.warning("Stopped. " + kept, icon=":material/stop_circle:")
    accuracy = metrics.get("accuracy")
    cols = st.columns(4)
    cols[0].metric("Test accuracy", "—" if accuracy is None else f"{accuracy:.3f}")
    cols[1].metric("Test loss", "—" if metrics.get("loss") is None else f"{metrics['loss']:.3f}")
    cols[2].metric("Training time", wording.duration(snapshot.train_seconds))
    cols[3].metric("Epochs trained", len(snapshot.epoch_history) or snapshot.epoch)
    comparison(snapshot.config, accuracy)
    if snapshot.run_id and st.button(
        f"Predict with run {snapshot.run_id}", icon=":material/rate_review:", key=f"predict_{snapshot.run_id}"
    ):
        st.session_state[state.PREDICT_RUN_KEY] = snapshot.run_id  # the Predict page's run picker
        st.switch_page("pages/predict.py")


def comparison(config, accuracy: float | None) -> None:
    """A run's test accuracy beside the tutorial's, and a warning when it was measured on a test slice."""
    st.markdown(wording.tutorial_comparison(config, accuracy))
    note = wording.slice_note(config.test_limit)
    if note:
        st.caption(note)


# ---------------------------------------------------------------- Predict: one review


def predictions_view(runs: list[RunInfo], explanations: list, true_label: int | None) -> None:
    """One run's :func:`prediction_view`, or several side by side under one probability chart."""
    if len(runs) == 1:
        prediction_view(runs[0], explanations[0], true_label)
        return
    probabilities = {run.run_id: e.probability for run, e in zip(runs, explanations, strict=True)}
    st.altair_chart(charts.probability_chart(probabilities), width="stretch")
    for column, run, explanation in zip(st.columns(len(runs), gap="large"), runs, explanations, strict=True):
        with column:
            st.subheader(run.run_id, anchor=False)
            st.caption(f"`{run.config.summary()}` · test accuracy {run.test_accuracy:.3f}")
            prediction_view(run, explanation, true_label)


def prediction_view(run: RunInfo, explanation, true_label: int | None) -> None:
    """The verdict, the confidence bar, what was cut or unknown, and the coloured words."""
    verdict = wording.verdict(explanation.probability)
    label_col, prob_col = st.columns([1, 1])
    color = "green" if verdict.label == POSITIVE else "red"
    label_col.markdown(f"#### :{color}[{verdict.label.capitalize()}]")
    label_col.caption(
        f"{verdict.strength.capitalize()} · confidence {verdict.confidence:.0%}", help=wording.confidence_help()
    )
    prob_col.metric("Probability of positive", f"{verdict.probability:.3f}")
    if true_label is not None:
        truth = "positive" if true_label == 1 else "negative"
        right = truth == verdict.label
        st.markdown(
            f"True label of this test review: **{truth}**, "
            + (":green[the model is right.]" if right else ":red[the model is wrong.]")
        )
    st.altair_chart(charts.probability_chart({run.run_id: verdict.probability}), width="stretch")
    summary = wording.input_summary(explanation)
    _what_was_read(run, summary)
    st.markdown("**Why**")
    st.html(html.contributions_html(explanation))
    st.caption(
        "Each word is coloured by how much removing it changes the prediction: **green** words pushed "
        "towards positive, **red** ones towards negative (deeper = stronger), **grey** ones were cut off "
        "by truncation and never seen, and a **wavy underline** marks words out of the vocabulary."
    )
    if summary.seen and html.strongest_contribution(explanation.words) < html.WEAK_CONTRIBUTION:
        from core.model.metrics import confidence

        sure = confidence(explanation.probability) >= 0.8  # saturated: one word cannot move it much
        st.caption(
            f"No single word changes this run's prediction by {html.WEAK_CONTRIBUTION} or more, so the colours "
            + (
                "stay pale: the model is sure, and removing one word barely moves a saturated probability "
                "(see the running verdict below)."
                if sure
                else "stay pale: the run barely reacts to words (an undertrained run, or a neutral text)."
            )
        )
    words = tables.top_words(explanation)
    if not words.empty:
        with st.expander("The words that mattered most"):
            help_text = "p(review) - p(review without the word)"
            st.dataframe(
                words,
                hide_index=True,
                width="stretch",
                column_config={"contribution": st.column_config.NumberColumn(format="%+.3f", help=help_text)},
            )


def _what_was_read(run: RunInfo, summary: wording.InputSummary) -> None:
    """Notices about the text: clipped, truncated, out-of-vocabulary words, or no words at all."""
    config = run.config
    clipped = wording.clipped_sentence(summary, MAX_TEXT_CHARS, config.maxlen, config.truncating)
    if clipped:
        st.warning(clipped, icon=":material/content_cut:")
    truncated = wording.truncation_sentence(summary, config.maxlen, config.truncating)
    if truncated:
        st.info(truncated, icon=":material/content_cut:")
    oov = wording.oov_sentence(summary)
    if oov:
        st.caption(oov)
    elif summary.words:
        st.caption("Every word is in this run's vocabulary.")
    if not summary.words:
        st.warning(
            "The model found no words in this text (only punctuation, symbols or emoji), so its answer "
            "says nothing about the review.",
            icon=":material/help:",
        )


# ---------------------------------------------------------------- Predict: a batch


def batch_view(run: RunInfo, table, origin: str) -> None:
    """A scored batch (:func:`ui.tables.batch_table`): the counts, the table, and its CSV download."""
    positives = int((table["label"] == POSITIVE).sum())
    st.markdown(
        f"**{len(table):,} reviews** from {origin}: {positives:,} positive, {len(table) - positives:,} "
        f"negative (run `{run.run_id}`)."
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "review": st.column_config.TextColumn("review", width="large"),
            "probability_positive": st.column_config.ProgressColumn(
                "probability of positive", min_value=0.0, max_value=1.0, format="%.3f"
            ),
            "confidence": st.column_config.NumberColumn(format="%.2f"),
        },
    )
    st.download_button(
        "Download the predictions (.csv)",
        data=tables.csv_bytes(table),
        file_name=f"predictions-{run.run_id}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
