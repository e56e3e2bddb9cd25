"""Predict: score a review with a stored run, see which words decided it, score many at once.

The model runs in the prediction process (:mod:`core.serving.service`, one per server,
so TensorFlow never loads in the web server), reached through ``ui.shared.resources``; the
word colours come from :func:`core.serving.explain.explain` there, uploads are read by
:mod:`core.serving.batch_input`. Review text is untrusted: it is shown as plain text,
in tables, or through ``ui.shared.html.contributions_html``, which escapes it.
"""

import numpy as np
import streamlit as st

from core.errors import LabError
from core.runs.store import RunStore
from core.serving import batch_input
from core.serving.batch_input import quoted
from core.text import limits
from ui.baseline import panel as baseline_panel
from ui.blend import panel as blend_panel
from ui.predict import panels as predict_panels, tables, wording
from ui.shared import assets, frame, pages, resources, state, widgets, wording as shared_wording
from ui.snapshots import panel as snapshot_panel
from ui.xray import panel as xray_panel

TEXT_KEY = state.PREDICT_TEXT_KEY
#: What the explanation removes at a time.
SPANS = {1: "one word", 2: "two-word phrases", 3: "three-word phrases"}
#: The batch uploader's key counter (a new key empties it) and the message of the file it refused.
UPLOADER_KEY, REJECTED_KEY = "predict_batch_uploads", "predict_batch_rejected"
ENCODING_NAMES = {"utf-16": "UTF-16", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16", "cp1252": "Windows-1252"}
TYPED, UPLOADED = "Type them, one per line", "Upload a file (.txt or .csv)"

frame.page_guard(__file__)
frame.page_title(pages.PREDICT)
st.markdown(
    "Type or paste a movie review and a trained run tells you how positive it sounds, and **why**: "
    "which words pushed it towards positive or negative. Score a whole file at once in **Batch**."
)

store = RunStore()
runs, problems = store.scan()
frame.require_runs(
    runs, "Train one first (the default `lstm` preset takes under a minute here); it is stored and appears here."
)
run = widgets.run_picker(
    "Run", state.PREDICT_RUN_KEY, runs, help="A stored, trained model. The best by validation accuracy is picked first."
)
st.caption(wording.run_reading(run.config))
xray_panel.layer_view(run.config)
if run.partial:
    st.warning(
        "This run was stopped before the end (partial): its predictions may be poor.", icon=":material/stop_circle:"
    )

# ---------------------------------------------------------------- one review


def _set_text(text: str, true_label: int | None = None) -> None:
    state.send_to_predict(text, true_label)


def _random_test_review(data) -> None:
    index = int(np.random.default_rng().integers(len(data.test)))
    _set_text(shared_wording.review_for_display(data.test.texts[index]), int(data.test.labels[index]))


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


def review_form() -> str:
    """The review box and its Predict button (Ctrl+Enter works too); returns the review last submitted."""
    with st.form("predict_form", border=False):
        st.text_area(
            "Your review",
            key=TEXT_KEY,
            height=160,
            max_chars=limits.MAX_BOX_CHARS,
            persist_state="session",
            placeholder="e.g. The acting was wooden but the story kept me watching to the end…",
        )
        st.form_submit_button("Predict", type="primary", icon=":material/psychology:", help="Or press Ctrl+Enter.")
    return st.session_state.get(TEXT_KEY) or ""  # the model clips it (core.text.limits) and says so


def explanation_options() -> tuple[int, bool]:
    """How to explain: remove one word or a phrase at a time; print the values under the words."""
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    st.session_state.setdefault(state.PREDICT_SPAN_KEY, 1)  # not default=: a link may have set it (ui.shared.links)
    span = left.segmented_control(
        "Remove, to see what mattered",
        list(SPANS),
        format_func=SPANS.get,
        key=state.PREDICT_SPAN_KEY,
        required=True,
        persist_state="session",
        help="Each word (or each run of two or three words) is removed in turn and the review scored again. "
        'Phrases show "not bad" as one unit.',
    )
    values = right.toggle(
        "Show the numbers under the words",
        key="predict_values",
        persist_state="session",
        help="For projectors and touch screens, where there is no hover.",
    )
    return int(span or 1), bool(values)


def compare_picker():
    """A second run to score the same text with, side by side (None: none chosen, or only one run)."""
    if len(runs) < 2:
        return None
    help_text = "Score the same text with a second run, side by side."
    return widgets.run_picker(
        "Compare with another run (optional)", state.PREDICT_COMPARE_KEY, runs, optional=True, help=help_text
    )


def earlier_snapshot() -> int | None:
    """The snapshot scrubber in an expander, open while an earlier snapshot is chosen; None: the final model."""
    chosen = st.session_state.get(state.snapshot_key(run.run_id))
    final = st.session_state.get(state.SNAPSHOT_LAST_KEY, {}).get(run.run_id)
    with st.expander("Go back in training: this review at an earlier snapshot", expanded=chosen not in (None, final)):
        return snapshot_panel.scrubber(run)


def single_review() -> None:
    """The answer first: the verdict right under the Predict button; what shapes it, and the rest, below it."""
    example_buttons()
    text = review_form()
    verdict_slot = st.container()  # drawn last (it needs the choices below), shown first
    if not text.strip():
        verdict_slot.info(
            "Type or paste a review above (or pick an example) and press **Predict** to see what the model thinks.",
            icon=":material/edit_note:",
        )
        compare_picker()
        return
    baseline_probability = baseline_panel.beside_verdict(run, text)  # the other verdicts, under the LSTM's
    blend_panel.predict_verdict(run, text, baseline_probability)
    span, values = explanation_options()
    compare = compare_picker()
    snapshot = earlier_snapshot()
    chosen = [run] + ([compare] if compare is not None and compare.run_id != run.run_id else [])
    with verdict_slot:
        try:
            explanations = [
                resources.explain_text(each, text, span, snapshot if each is run else None) for each in chosen
            ]
        except LabError as error:
            st.error(str(error))
            return
        predict_panels.predictions_view(chosen, explanations, state.true_label_of(text), values)
    if baseline_probability is not None:
        with st.expander("Shuffle the review: does word order matter to each model?"):
            baseline_panel.scramble_section(run, text, baseline_probability)
    xray_panel.show(run, text, snapshot)


# ---------------------------------------------------------------- many reviews


def _reject_upload(message: str) -> None:
    """Drop the rejected file from the uploader (a new widget key) and show why on the next run."""
    st.session_state[REJECTED_KEY] = message
    st.session_state[UPLOADER_KEY] = st.session_state.get(UPLOADER_KEY, 0) + 1
    st.rerun()


def uploaded_reviews() -> tuple[batch_input.BatchRows, str] | None:
    """The rows of an uploaded file and where they came from, or None (with a message)."""
    limit = f"{batch_input.MAX_UPLOAD_BYTES // 1024**2} MB"
    rejected = st.session_state.pop(REJECTED_KEY, None)
    notice = st.empty()  # one slot, drawn on every run: a refusal shown once is cleared by the next upload
    if rejected:
        notice.error(rejected, icon=":material/block:")
    uploaded = st.file_uploader(  # any type: batch_input.check_kind says what a wrong one is, not a silent chip
        "A .txt file (one review per line) or a .csv file (a column of reviews, other columns kept)",
        key=f"predict_batch_file_{st.session_state.get(UPLOADER_KEY, 0)}",
        help=f"Up to {limit}: UTF-8, UTF-16 or Windows-1252 text, as Excel and Notepad save it.",
    )
    if uploaded is None:
        if not rejected:
            st.info("Upload a file to score every review in it.", icon=":material/upload_file:")
        return None
    try:
        batch_input.check_kind(uploaded.name)  # before reading it
        batch_input.check_size(uploaded.name, uploaded.size)
        parsed = batch_input.parse_upload(uploaded.name, uploaded.getvalue())
    except LabError as error:
        _reject_upload(str(error))
    read_as = "" if parsed.encoding.startswith("utf-8") else f" (read as {ENCODING_NAMES[parsed.encoding]})"
    if parsed.kind == "txt":
        return batch_input.rows_from_lines(parsed.lines), quoted(uploaded.name) + read_as
    column = st.selectbox(
        "Column with the reviews",
        parsed.columns,
        key="predict_batch_column",
        help="Only columns holding text are offered (not ids or numbers). The other columns stay in the table.",
    )
    rows = batch_input.rows_from_column(parsed.frame, column)
    if not rows.texts:
        st.error(f"Column {quoted(column)} has no text in it.")
        return None
    return rows, f"{quoted(uploaded.name)}, column {quoted(column)}{read_as}"


def typed_reviews() -> tuple[batch_input.BatchRows, str] | None:
    typed = st.text_area(
        "Reviews, one per line",
        key="predict_batch_text",
        height=180,
        max_chars=limits.MAX_BATCH_TEXT_CHARS,
        persist_state="session",
        placeholder="Loved it, a masterpiece.\nBoring and far too long.\nNot bad at all!",
    )
    if len(typed or "") > limits.MAX_BATCH_TEXT_CHARS:  # only a client that ignores max_chars gets here
        st.error(f"At most {limits.MAX_BATCH_TEXT_CHARS:,} characters here: split the reviews into smaller batches.")
        return None
    texts = batch_input.lines_to_reviews(typed)
    if not texts:
        st.info("Type a few reviews above, one per line, to score them all at once.", icon=":material/edit_note:")
        return None
    return batch_input.rows_from_lines(texts), "typed reviews"


def batch() -> None:
    source = st.segmented_control(
        "Reviews", [TYPED, UPLOADED], key="predict_batch_source", default=TYPED, required=True, persist_state="session"
    )
    chosen = uploaded_reviews() if source == UPLOADED else typed_reviews()
    if chosen is None:
        return
    rows, origin = chosen
    if len(rows.texts) > batch_input.MAX_BATCH_REVIEWS:
        st.warning(
            f"{len(rows.texts):,} reviews: scoring the first {batch_input.MAX_BATCH_REVIEWS:,}.",
            icon=":material/warning:",
        )
        rows = batch_input.first_rows(rows, batch_input.MAX_BATCH_REVIEWS)
    try:
        texts = tuple(rows.texts)
        table = tables.batch_table(rows, resources.score_texts(run, texts), resources.known_word_counts(run, texts))
    except LabError as error:
        st.error(str(error))
        return
    predict_panels.batch_view(run, table, rows, origin)


one_tab, batch_tab = st.tabs(["One review", "Batch"])
with one_tab:
    single_review()
with batch_tab:
    batch()
frame.run_problems(problems, store.root)
