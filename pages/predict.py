"""Predict: score a review with a stored run, see which words decided it, score many at once.

The model runs in the prediction process (:mod:`core.serving.service`, one per server,
so TensorFlow never loads in the web server), reached through ``ui.resources``; the
word colours come from :func:`core.serving.explain.explain` there, uploads are read by
:mod:`core.serving.batch_input`. Review text is untrusted: it is shown as plain text,
in tables, or through ``ui.html.contributions_html``, which escapes it.
"""

import numpy as np
import streamlit as st

from core.errors import LabError
from core.runs.store import RunStore
from core.serving import batch_input
from core.serving.batch_input import quoted
from ui import assets, baseline_panel, frame, resources, state, tables, views, widgets, wording, xray_panel

TEXT_KEY = "predict_text"
TRUE_LABEL_KEY = "predict_true_label"
TYPED, UPLOADED = "Type them, one per line", "Upload a file (.txt or .csv)"

frame.page_guard(__file__)
st.title("Predict")
st.markdown(
    "Type or paste a movie review and a trained run tells you how positive it sounds, and **why**: "
    "which words pushed it towards positive or negative. Score a whole file at once in **Batch**."
)

store = RunStore()
runs, problems = store.scan()
frame.require_runs(runs, "Train one first (the `fast` preset takes a few minutes); it is stored and appears here.")
run = widgets.run_picker(
    "Run", state.PREDICT_RUN_KEY, runs, help="A stored, trained model. The best by test accuracy is picked first."
)
st.caption(wording.run_reading(run.config))
xray_panel.layer_view(run.config)
if run.partial:
    st.warning(
        "This run was stopped before the end (partial): its predictions may be poor.", icon=":material/stop_circle:"
    )

# ---------------------------------------------------------------- one review


def _set_text(text: str, true_label: int | None = None) -> None:
    st.session_state[TEXT_KEY] = text
    st.session_state[TRUE_LABEL_KEY] = true_label


def _random_test_review(data) -> None:
    index = int(np.random.default_rng().integers(len(data.test)))
    _set_text(wording.review_for_display(data.test.texts[index]), int(data.test.labels[index]))


def _forget_true_label() -> None:
    st.session_state[TRUE_LABEL_KEY] = None


def example_buttons() -> None:
    """A random test review (when the dataset is there) and the example reviews, one button each."""
    data = resources.current_data()
    has_data = not isinstance(data, LabError)
    examples = assets.example_reviews()
    st.markdown("**Try an example**")
    buttons = st.columns([1.6] + [1] * len(examples))
    buttons[0].button(
        "Random test review",
        icon=":material/shuffle:",
        width="stretch",
        disabled=not has_data,
        on_click=_random_test_review,
        args=(data,) if has_data else None,
        help="A review from the test set, with its true label."
        if has_data
        else "Needs the IMDB dataset (see the Explore page).",
    )
    for column, (name, text) in zip(buttons[1:], examples.items(), strict=True):
        column.button(name, width="stretch", on_click=_set_text, args=(text,), key=f"predict_example_{name}")


def single_review() -> None:
    example_buttons()
    st.session_state.setdefault(TRUE_LABEL_KEY, None)
    text = st.text_area(
        "Your review",
        key=TEXT_KEY,
        height=160,
        on_change=_forget_true_label,
        persist_state="session",
        placeholder="e.g. The acting was wooden but the story kept me watching to the end…",
    )
    compare = None
    if len(runs) > 1:
        help_text = "Score the same text with a second run, side by side."
        compare = widgets.run_picker(
            "Compare with another run (optional)", "predict_compare", runs, optional=True, help=help_text
        )
    if not (text or "").strip():
        st.info(
            "Type or paste a review above (or pick an example) to see what the model thinks.",
            icon=":material/edit_note:",
        )
        return
    chosen = [run] + ([compare] if compare is not None and compare.run_id != run.run_id else [])
    try:
        explanations = [resources.explain_text(each, text) for each in chosen]
    except LabError as error:
        st.error(str(error))
        return
    views.predictions_view(chosen, explanations, st.session_state.get(TRUE_LABEL_KEY))
    baseline_panel.beside_verdict(run, text)
    xray_panel.show(run, text)


# ---------------------------------------------------------------- many reviews


def uploaded_reviews() -> tuple[list[str], str] | None:
    """The reviews in an uploaded file and where they came from, or None (with a message)."""
    limit = f"{batch_input.MAX_UPLOAD_BYTES // 1024**2} MB"
    uploaded = st.file_uploader(
        "A .txt file (one review per line) or a .csv file (a column of reviews)",
        type=["txt", "csv"],
        key="predict_batch_file",
        help=f"Up to {limit}, UTF-8 text.",
    )
    if uploaded is None:
        st.info("Upload a file to score every review in it.", icon=":material/upload_file:")
        return None
    try:
        batch_input.check_size(uploaded.name, uploaded.size)  # before reading it
        parsed = batch_input.parse_upload(uploaded.name, uploaded.getvalue())
    except LabError as error:
        st.error(str(error))
        return None
    if parsed.kind == "txt":
        return parsed.lines, quoted(uploaded.name)
    column = st.selectbox(
        "Column with the reviews",
        parsed.columns,
        key="predict_batch_column",
        help="Only columns holding text are offered (not ids or numbers).",
    )
    texts = batch_input.reviews_in_column(parsed.frame, column)
    if not texts:
        st.error(f"Column {quoted(column)} has no text in it.")
        return None
    return texts, f"{quoted(uploaded.name)}, column {quoted(column)}"


def typed_reviews() -> tuple[list[str], str] | None:
    typed = st.text_area(
        "Reviews, one per line",
        key="predict_batch_text",
        height=180,
        persist_state="session",
        placeholder="Loved it, a masterpiece.\nBoring and far too long.\nNot bad at all!",
    )
    texts = batch_input.lines_to_reviews(typed)
    if not texts:
        st.info("Type a few reviews above, one per line, to score them all at once.", icon=":material/edit_note:")
        return None
    return texts, "typed reviews"


def batch() -> None:
    source = st.segmented_control(
        "Reviews", [TYPED, UPLOADED], key="predict_batch_source", default=TYPED, required=True, persist_state="session"
    )
    chosen = uploaded_reviews() if source == UPLOADED else typed_reviews()
    if chosen is None:
        return
    texts, origin = chosen
    if len(texts) > batch_input.MAX_BATCH_REVIEWS:
        st.warning(
            f"{len(texts):,} reviews: scoring the first {batch_input.MAX_BATCH_REVIEWS:,}.", icon=":material/warning:"
        )
        texts = texts[: batch_input.MAX_BATCH_REVIEWS]
    try:
        table = tables.batch_table(texts, resources.score_texts(run, tuple(texts)))
    except LabError as error:
        st.error(str(error))
        return
    views.batch_view(run, table, origin)


one_tab, batch_tab = st.tabs(["One review", "Batch"])
with one_tab:
    single_review()
with batch_tab:
    batch()
frame.run_problems(problems, store.root)
