"""Evaluate: how good is a stored run on the test reviews, where does it fail, and how do runs compare.

Numbers come from :func:`core.runs.evaluation.evaluate` (the run's stored test probabilities
joined with the dataset; no model is loaded), the run list and histories from
:class:`core.runs.store.RunStore`, and the charts and tables from :mod:`pages.run_views`.
"""

import streamlit as st

from core.errors import LabError
from core.runs.evaluation import evaluate
from core.runs.store import RunStore, best_run
from pages import common, run_views, views

MISTAKES = 8

common.ensure_app_frame(__file__)
st.title("Evaluate")
st.markdown("How well does a trained run do on reviews it never saw, **where** does it go wrong, and how do "
            "runs compare? Everything here is measured on the test split.")

data = common.require_data()
store = RunStore()
runs, problems = store.scan()
if problems:
    with st.expander(f"{len(problems)} stored run folder(s) are damaged and were skipped", icon=":material/warning:"):
        st.caption(f"In `{store.root}`. Delete or retrain them; the others are unaffected.")
        for problem in problems:
            st.text(problem)
if not runs:
    st.info("**No trained model yet.** Train one and it appears here with its test results.",
            icon=":material/model_training:")
    st.page_link("pages/train.py", label="Train a model", icon=":material/model_training:")
    st.stop()
by_id = {run.run_id: run for run in runs}
best = best_run(runs) or runs[0]


@st.cache_data(max_entries=8, show_spinner="Evaluating the run on the test reviews…")
def evaluation(root: str, run_id: str, created: float, fingerprint: str, _data):
    return evaluate(run_id, _data, RunStore(root))


# ---------------------------------------------------------------- one run

st.header("One run on the test set", divider="gray")
options = sorted(by_id, key=lambda r: (r != best.run_id, -by_id[r].created))
if st.session_state.get("evaluate_run") not in options:
    st.session_state["evaluate_run"] = best.run_id
run_id = st.selectbox("Run", options, key="evaluate_run", persist_state="session",
                      format_func=lambda r: f"{by_id[r].label()} · {by_id[r].preset or 'custom'}",
                      help="The best by test accuracy is picked first.")
run = by_id[run_id]
st.caption(f"`{run.config.summary()}` · {run.epochs_trained} epoch(s) in {views.duration(run.train_seconds)}"
           + (f" · best epoch {run.best_epoch}" if run.best_epoch else "")
           + (" · **partial** (stopped early by hand)" if run.partial else ""))

try:
    result = evaluation(str(store.root), run.run_id, run.created, data.fingerprint, data)
except LabError as error:
    st.error(str(error))
    result = None

if result is not None:
    metrics = result.metrics
    cols = st.columns(4)
    cols[0].metric("Test accuracy", f"{metrics['accuracy']:.3f}")
    cols[1].metric("Test loss", f"{metrics['loss']:.3f}")
    cols[2].metric("AUC", f"{metrics['auc']:.3f}", help="Area under the ROC curve: the chance that a random "
                   "positive review scores higher than a random negative one (0.5 = guessing).")
    cols[3].metric("Test reviews", f"{int(metrics['count']):,}")
    st.markdown(views.tutorial_comparison(run.config, metrics["accuracy"]))
    if run.config.test_limit:
        st.caption(f"Measured on only {run.config.test_limit} test reviews (test slice): noisy, and not "
                   "comparable with the tutorial's 25,000.")

    matrix_col, roc_col = st.columns(2, gap="large")
    matrix_col.altair_chart(run_views.confusion_chart(result.confusion()), width="stretch")
    roc, auc = result.roc()
    roc_col.altair_chart(run_views.roc_chart(roc, auc), width="stretch")
    st.caption("Rows of the matrix are the true labels, columns what the model said (threshold 0.5). The ROC "
               "curve shows every threshold at once: the closer it hugs the top-left corner, the better.")

    st.subheader("Are long, truncated reviews harder?", anchor=False)
    by_length = result.accuracy_by_length(run.config.maxlen)
    st.altair_chart(run_views.length_chart(by_length, run.config.maxlen, metrics["accuracy"]), width="stretch")
    st.markdown(run_views.length_sentence(by_length, run.config.maxlen))

    st.subheader("The most confident mistakes", anchor=False)
    mistakes = result.confident_mistakes(MISTAKES)
    if mistakes.empty:
        st.success("No mistakes on the test reviews.", icon=":material/check_circle:")
    else:
        st.caption("Wrong answers the model was surest of. Often sarcasm, a long plot summary before the verdict, "
                   "or a negation the model missed.")
        for _, row in mistakes.iterrows():
            with st.expander(run_views.mistake_title(row)):
                st.text(run_views.review_for_display(data.test.texts[int(row["test_index"])]))

    model_col, history_col, _ = st.columns([1, 1, 2])
    model_col.download_button("Download the model (.keras)", data=lambda: (run.path / "model.keras").read_bytes(),
                              file_name=f"{run.run_id}.keras", mime="application/octet-stream",
                              icon=":material/download:", on_click="ignore", key="evaluate_download_model")
    history_col.download_button("Download the history (.csv)",
                                data=lambda: run_views.history_csv(store.history(run.run_id)),
                                file_name=f"{run.run_id}-history.csv", mime="text/csv", icon=":material/download:",
                                on_click="ignore", key="evaluate_download_history",
                                help="Per-epoch rows (kind = epoch) then per-batch rows (kind = batch).")

# ---------------------------------------------------------------- all runs

st.header("All runs", divider="gray")
table = run_views.runs_table(runs).sort_values("test accuracy", ascending=False, na_position="last")
st.dataframe(table, hide_index=True, width="stretch", column_config={
    "run": st.column_config.TextColumn(pinned=True),
    "test accuracy": st.column_config.NumberColumn(format="%.3f"),
    "test loss": st.column_config.NumberColumn(format="%.3f"),
    "created": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
    "learning_rate": st.column_config.NumberColumn(format="%g"),
})
st.caption("Click a column header to sort. Test accuracies measured on a test slice (`test_limit`) are not "
           "comparable with full-test-set ones.")

default = [run.run_id] + [r for r in (best.run_id,) if r != run.run_id]
if "evaluate_overlay" in st.session_state:
    st.session_state["evaluate_overlay"] = [r for r in st.session_state["evaluate_overlay"] if r in by_id]
else:
    st.session_state["evaluate_overlay"] = default
chosen = st.multiselect("Runs to overlay", options, key="evaluate_overlay", persist_state="session",
                        help="Per-epoch training (solid) and validation (dashed) curves, one colour per run.")
if chosen:
    histories = {}
    for each in chosen:
        try:
            histories[each] = store.history(each)
        except (LabError, OSError, ValueError) as error:
            st.error(f"Run {each}: its history could not be read ({error}).")
    curves = run_views.history_curves(histories)
    if curves.empty:
        st.info("These runs have no per-epoch history (stopped during their first epoch).")
    else:
        loss_col, acc_col = st.columns(2, gap="large")
        loss_col.altair_chart(run_views.curves_chart(curves, "loss"), width="stretch")
        acc_col.altair_chart(run_views.curves_chart(curves, "accuracy"), width="stretch")
        st.caption("When a dashed (validation) line turns up while its solid (training) line keeps falling, that "
                   "run is overfitting.")
else:
    st.info("Pick one or more runs to compare their learning curves.", icon=":material/stacked_line_chart:")
