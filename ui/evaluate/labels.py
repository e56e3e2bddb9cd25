"""Evaluate's "How many labels does an LSTM need?" section: the experiment of :mod:`core.runs.labels`, drawn.

One chart of accuracy against training reviews (scratch vs GloVe), from the stored runs;
test accuracy only where :func:`ui.classroom.reveal.shows_test` allows, validation
accuracy otherwise. The cells not trained yet are named, and whoever may run the
minute-long jobs (the teacher, or a lone learner on a server without teacher mode) can
queue them through the job manager, the Train page's submit path: admission, the queue's
one-waiting-job-per-owner rule and the per-client share all apply, and the jobs are theirs.
"""

from __future__ import annotations

import streamlit as st

from core.errors import LabError
from core.runs import labels
from ui.classroom import identity, reveal
from ui.evaluate import charts, wording
from ui.shared import resources

#: The section's expander: the page calls :func:`section` once and it draws the whole expander.
TITLE = "How many labels does an LSTM need?"
#: Why the button may queue fewer than all: the owner's one waiting job (``core.jobs.admission.check_queue``).
AGAIN_NOTE = "Press again when the queued one has started: the queue holds one waiting job per person."


def section(runs, data) -> None:
    """The whole section in its own expander (:data:`TITLE`)."""
    with st.expander(TITLE):
        _experiment(runs, data)


def _experiment(runs, data) -> None:
    """The chart, the cells still missing, the button that trains them, and what was measured so far."""
    cells = labels.grid()
    results = labels.results(runs, cells, data.fingerprint)
    column = "test_accuracy" if reveal.shows_test() else "validation_accuracy"
    st.markdown(wording.labels_question(sorted({cell.reviews for cell in cells})))
    if results[column].notna().any():
        chart = charts.labels_chart(
            results, column, wording.labels_chart_title(column == "test_accuracy"), wording.LABELS_STARTS
        )
        st.altair_chart(chart, width="stretch")
    missing = labels.missing(results, cells)
    if missing:
        st.markdown(wording.labels_missing(missing))
        if not identity.is_student():
            st.button(
                "Train the missing ones",
                icon=":material/model_training:",
                on_click=_train_missing,
                args=(data, [cell.config for cell in missing]),
                key="evaluate_labels_train",
                help="Queues each missing run on this server's training queue, as the Train page does.",
            )
    for kind, message in st.session_state.pop("evaluate_labels_outcome", ()):
        getattr(st, kind)(message)
    st.caption(wording.labels_finding(labels.MEASURED))


def _train_missing(data, configs) -> None:
    """Submit each config in grid order, as this session; stop at the first refusal and say why."""
    me = identity.actor()
    outcome, queued = [], 0
    try:
        manager = resources.job_manager()
        for config in configs:
            manager.submit(config, owner=me.session_id, data=data, client=identity.client_address())
            queued += 1
    except LabError as error:
        outcome.append(("warning", f"{error} {AGAIN_NOTE}" if queued else str(error)))
    if queued:
        outcome.insert(0, ("success", f"Queued {queued} of {len(configs)} runs: the Train page shows their progress."))
    st.session_state["evaluate_labels_outcome"] = outcome
