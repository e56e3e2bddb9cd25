"""Evaluate: how good is a stored run on the test reviews, where does it fail, and how do runs compare.

Numbers come from :func:`core.runs.evaluation.evaluate` (the run's stored test probabilities
joined with the dataset; no model is loaded; cached in ``ui.shared.resources``), the run list and
histories from :class:`core.runs.store.RunStore`; one run's charts from :mod:`ui.evaluate`,
all runs' from :mod:`ui.runs`. One decision threshold (a slider, starting at
:data:`core.model.metrics.THRESHOLD`) drives every verdict of the one-run section.
The page is its table of contents at the bottom; each section is a function above it.
"""

import streamlit as st

from core.errors import LabError
from core.model.metrics import THRESHOLD
from core.runs import evaluation
from core.runs.store import RunStore
from ui.baseline import panel as baseline_panel
from ui.blend import panel as blend_panel
from ui.classroom import reveal
from ui.evaluate import charts, labels as labels_section, panels as evaluate_panels, wording
from ui.runs import admin as runs_admin, charts as runs_charts, panels as runs_panels, tables
from ui.shared import frame, pages, resources, state, widgets, wording as shared_wording
from ui.train import panels as train_panels

MISTAKES = 8


def intro() -> None:
    frame.page_guard(__file__)
    frame.page_title(pages.EVALUATE)
    st.markdown(
        "How well does a trained run do on reviews it never saw, **where** does it go wrong, and how do "
        "runs compare? Everything here is measured on the test split, once the class may see it."
    )


def pick_run(runs, store: RunStore):
    """The run this section shows, with its summary line and its admin (nickname, tags, delete)."""
    st.header("One run on the test set", divider="gray")
    run = widgets.run_picker(
        "Run",
        state.EVALUATE_RUN_KEY,
        runs,
        help="The best by validation accuracy is picked first (test accuracy never chooses).",
    )
    st.caption(
        f"`{run.config.summary()}` · {run.epochs_trained} epoch(s) in {shared_wording.duration(run.train_seconds)}"
        + (f" · best epoch {run.best_epoch}" if run.best_epoch else "")
        + (" · **partial** (stopped early by hand)" if run.partial else "")
        + (f" · {run.embeddings_note}" if run.embeddings_note else "")
    )
    runs_admin.manage_run(run, store)
    return run


def threshold_slider() -> float:
    return st.slider(
        "Decision threshold",
        0.01,
        0.99,
        value=THRESHOLD,
        step=0.01,
        key="evaluate_threshold",
        persist_state="session",
        help=f"A review is called positive from this probability up. The lab uses {THRESHOLD:g} everywhere else; "
        "here the confusion matrix, accuracy, precision, recall, the breakdowns and the mistakes follow it.",
    )


def headline_metrics(run, result, chosen, threshold: float) -> None:
    """Accuracy, precision, recall at the threshold; AUC and loss (no threshold); against the tutorial."""
    metrics = result.metrics
    cols = [*st.columns(3), *st.columns(3)]
    cols[0].metric("Test accuracy", f"{chosen.accuracy:.3f}", help=f"At threshold {threshold:.2f}.")
    cols[1].metric("Precision", f"{chosen.precision:.3f}", help="Of the reviews called positive, the share that are.")
    cols[2].metric("Recall", f"{chosen.recall:.3f}", help="Of the positive reviews, the share called positive.")
    cols[3].metric(
        "AUC",
        f"{metrics['auc']:.3f}",
        help="Area under the ROC curve: the chance that a random "
        "positive review scores higher than a random negative one (0.5 = guessing). No threshold.",
    )
    cols[4].metric("Test loss", f"{metrics['loss']:.3f}", help="Mean binary cross-entropy. No threshold.")
    cols[5].metric("Test reviews", f"{int(metrics['count']):,}")
    st.markdown(wording.threshold_sentence(chosen))
    train_panels.comparison(run.config, metrics["accuracy"])


def confusion_matrix(result, threshold: float) -> None:
    with st.container(key="evaluate_confusion_matrix"):
        st.altair_chart(charts.confusion_chart(result.confusion(threshold), threshold), width="stretch")
        st.caption("Rows of the matrix are the true labels, columns what the model said.")


def threshold_charts(result, chosen) -> None:
    """ROC, precision-recall and calibration: every threshold at once, the chosen one marked."""
    roc_col, pr_col, calibration_col = st.columns(3, gap="medium")
    roc_col.altair_chart(charts.roc_chart(*result.roc(), chosen), width="stretch")
    pr_col.altair_chart(
        charts.precision_recall_chart(*result.precision_recall(), chosen, result.positive_share),
        width="stretch",
    )
    calibration_col.altair_chart(charts.calibration_chart(result.calibration()), width="stretch")
    st.caption(
        "The ROC and precision-recall curves show every threshold at once (the ringed point is the chosen one): the closer the ROC hugs the top-left "
        "corner, the better. The calibration chart asks whether a probability means what it says."
    )


def by_length(run, result, chosen, threshold: float) -> None:
    bands = result.accuracy_by_length(run.config.maxlen, threshold, evaluation.MIN_BAND_REVIEWS)
    st.altair_chart(charts.length_chart(bands, run.config.maxlen, chosen.accuracy), width="stretch")
    st.markdown(wording.length_sentence(bands, run.config.maxlen))


def by_rating(result, threshold: float) -> None:
    ratings = result.by_rating(threshold)
    if ratings.empty:
        st.info("These test reviews have no star ratings.", icon=":material/star:")
        return
    accuracy_col, probability_col = st.columns(2, gap="large")
    accuracy_col.altair_chart(charts.rating_accuracy_chart(ratings), width="stretch")
    probability_col.altair_chart(charts.rating_probability_chart(ratings, threshold), width="stretch")
    sentence = wording.rating_sentence(ratings)
    if sentence:
        st.markdown(sentence)


def mistakes(run, result, data, threshold: float) -> None:
    st.subheader("The most confident mistakes", anchor=False)
    wrong = result.confident_mistakes(MISTAKES, threshold)
    if wrong.empty:
        st.success("No mistakes on the test reviews.", icon=":material/check_circle:")
        return
    st.caption(
        "Wrong answers the model was surest of. Often sarcasm, a long plot summary before the verdict, "
        "or a negation the model missed. Open one in Predict to see which words misled it."
    )
    for _, row in wrong.iterrows():
        evaluate_panels.mistake_view(row, data.test.texts[int(row["test_index"])], run.run_id)


def downloads(run, store: RunStore) -> None:
    """The model, its history and the run bundle (a ``predict.py`` that needs only keras and numpy)."""
    model_col, history_col, bundle_col, _ = st.columns([1, 1, 1, 1])
    model_col.download_button(
        "Download the model (.keras)",
        data=lambda: run.model_file.read_bytes(),
        file_name=f"{run.run_id}.keras",
        mime="application/octet-stream",
        icon=":material/download:",
        on_click="ignore",
        key="evaluate_download_model",
    )
    history_col.download_button(
        "Download the history (.csv)",
        data=lambda: tables.history_csv(store.history(run.run_id)),
        file_name=f"{run.run_id}-history.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="evaluate_download_history",
        help="Per-epoch rows (kind = epoch) then per-batch rows (kind = batch).",
    )
    bundle_col.download_button(
        "Download the run bundle (.zip)",
        data=lambda: resources.run_bundle_zip(run),
        file_name=f"{run.run_id}.zip",
        mime="application/zip",
        icon=":material/download:",
        on_click="ignore",
        key="evaluate_download_bundle",
        help="The model with its vocabulary, config, metrics and history, and a predict.py that scores text "
        'with only keras and numpy: `python predict.py "A wonderful film"`.',
    )


def test_hidden(run, store: RunStore) -> None:
    """What a student sees in place of the test results while the teacher keeps them hidden."""
    st.info(reveal.HIDDEN_NOTE, icon=":material/visibility_off:")
    validation = store.validation_accuracy_of(run.run_id)
    st.metric("Validation accuracy", "—" if validation is None else f"{validation:.3f}")
    downloads(run, store)


def one_run(run, data, store: RunStore) -> tuple | None:
    """The answer about one run on the test set, at one decision threshold: its metrics, matrix and mistakes.

    Returns what :func:`folded_test_sections` draws from (None: the test set is hidden, or unreadable).
    """
    if not reveal.shows_test():
        test_hidden(run, store)
        return None
    try:
        result = resources.evaluation(run, data)
    except LabError as error:
        st.error(str(error))
        return None
    metrics_col, matrix_col = st.columns(2, gap="large")  # the answer first: the numbers beside the matrix
    with metrics_col:
        threshold = threshold_slider()
        chosen = result.at_threshold(threshold)
        headline_metrics(run, result, chosen, threshold)
    with matrix_col:
        confusion_matrix(result, threshold)
    mistakes(run, result, data, threshold)
    return result, chosen, threshold


def against_the_baseline(run, data) -> None:
    """The LSTM beside the bag of words and their blend (validation only while the test set is hidden)."""
    st.subheader("LSTM, bag of words and their blend", anchor=False)
    blend_panel.evaluate_section(run, data)


def folded_test_sections(run, result, chosen, threshold: float) -> None:
    """The rest of the test-set story, each section folded: every threshold at once, length bands, stars."""
    with st.expander("ROC, precision-recall and calibration: every threshold at once", icon=":material/show_chart:"):
        threshold_charts(result, chosen)
    with st.expander("Are long, truncated reviews harder? Accuracy by review length", icon=":material/straighten:"):
        by_length(run, result, chosen, threshold)
    with st.expander("Does it know a 4-star review from a 1-star one? Star ratings", icon=":material/star:"):
        by_rating(result, threshold)


def more_about_the_run(run, store: RunStore) -> None:
    """Word order against the bag of words, the embedding map, the downloads: each opened on demand."""
    with st.expander("Word order: this run vs the bag of words", icon=":material/swap_horiz:"):
        baseline_panel.probes_section(run)
    with st.expander("Word embeddings: which words the run put together", icon=":material/scatter_plot:"):
        baseline_panel.embedding_section(run, store.root)
    if reveal.shows_test():  # else the downloads are already on the page (test_hidden)
        with st.expander("Download the model, its history and the run bundle", icon=":material/download:"):
            downloads(run, store)


def all_runs(runs, run, store: RunStore) -> None:
    """Every stored run in one table (the baseline as a row), then chosen runs' curves overlaid."""
    st.header("All runs", divider="gray")
    runs_frame = tables.runs_table(runs)
    shown = baseline_panel.with_baseline_row(runs_frame)
    if not reveal.shows_test():
        shown = tables.without_test(shown)
    with st.expander("Every stored run in one table", icon=":material/table:"):
        runs_panels.runs_table_view(shown, tables.differing_fields(runs_frame))
    with st.expander("Learning curves of chosen runs, overlaid", icon=":material/stacked_line_chart:"):
        overlaid_curves([r.run_id for r in widgets.runs_best_first(runs)], run, store)


def overlaid_curves(ordered: list[str], run, store: RunStore) -> None:
    if "evaluate_overlay" in st.session_state:
        st.session_state["evaluate_overlay"] = [r for r in st.session_state["evaluate_overlay"] if r in ordered]
    else:
        st.session_state["evaluate_overlay"] = list(dict.fromkeys([run.run_id, ordered[0]]))
    chosen = st.multiselect(
        "Runs to overlay",
        ordered,
        key="evaluate_overlay",
        persist_state="session",
        help="Per-epoch training (solid) and validation (dashed) curves, one colour per run.",
    )
    if not chosen:
        st.info("Pick one or more runs to compare their learning curves.", icon=":material/stacked_line_chart:")
        return
    histories = {}
    for each in chosen:
        try:
            histories[each] = store.history(each)
        except (LabError, OSError, ValueError) as error:
            st.error(f"Run {each}: its history could not be read ({error}).")
    curves = tables.history_curves(histories)
    if curves.empty:
        st.info("These runs have no per-epoch history (stopped during their first epoch).")
        return
    loss_col, acc_col = st.columns(2, gap="large")
    loss_col.altair_chart(runs_charts.curves_chart(curves, "loss"), width="stretch")
    acc_col.altair_chart(runs_charts.curves_chart(curves, "accuracy", baseline_panel.references()), width="stretch")
    st.caption(
        "When a dashed (validation) line turns up while its solid (training) line keeps falling, that "
        "run is overfitting."
    )


# ---------------------------------------------------------------- the page

intro()
data = frame.require_data()
store = RunStore()
runs, problems = store.scan()
frame.run_problems(problems, store.root)
frame.require_runs(runs, "Train one and it appears here with its test results.")
run = pick_run(runs, store)
measured = one_run(run, data, store)
against_the_baseline(run, data)
if measured is not None:
    folded_test_sections(run, *measured)
more_about_the_run(run, store)
all_runs(runs, run, store)
labels_section.section(runs, data)
