"""Predict: score a review with a stored run, see which words decided it, score many at once.

The model runs in the prediction process (:mod:`core.serving.service`, one per server,
so TensorFlow never loads in the web server); the word colours come from
:func:`core.serving.explain.explain` there; tables,
charts and the coloured HTML from :mod:`pages.run_views`. Review text is untrusted: it
is shown as plain text, in tables, or through ``run_views.contributions_html``, which
escapes it.
"""

import numpy as np
import streamlit as st

from core.errors import LabError
from core.serving.predictor import MAX_TEXT_CHARS
from core.runs.store import RunStore, best_run
from pages import common, run_views

TEXT_KEY = "predict_text"
TRUE_LABEL_KEY = "predict_true_label"
TYPED, UPLOADED = "Type them, one per line", "Upload a file (.txt or .csv)"
NO_RUN = ""  # the compare box's "no second run" (run ids are never empty)

common.ensure_app_frame(__file__)
st.title("Predict")
st.markdown("Type or paste a movie review and a trained run tells you how positive it sounds, and **why**: "
            "which words pushed it towards positive or negative. Score a whole file at once in **Batch**.")

store = RunStore()
runs, problems = store.scan()
if not runs:
    st.info("**No trained model yet.** Train one first (the `fast` preset takes a few minutes); it is stored and "
            "appears here.", icon=":material/model_training:")
    st.page_link("pages/train.py", label="Train a model", icon=":material/model_training:")
    st.stop()
by_id = {run.run_id: run for run in runs}
best = best_run(runs) or runs[0]


# ---------------------------------------------------------------- the model


@st.cache_data(max_entries=64, show_spinner="Reading the review word by word…")
def explain_text(root: str, run_id: str, created: float, text: str):
    """Occlusion of ``text``, computed in the prediction process (``created`` tells a re-made run apart)."""
    common.give_up_slot()  # the work happens in the prediction process
    return common.prediction_service(root).explain(run_id, created, text)


@st.cache_data(max_entries=16, show_spinner="Scoring the reviews…")
def score_texts(root: str, run_id: str, created: float, texts: tuple[str, ...]) -> np.ndarray:
    common.give_up_slot()
    return common.prediction_service(root).predict(run_id, created, list(texts))


def _key(run) -> tuple:
    return str(store.root), run.run_id, run.created


def run_picker(label: str, key: str, default: str, *, allow_none: bool = False, help: str | None = None):
    """A selectbox of stored runs (best first) that survives a run disappearing."""
    options = ([NO_RUN] if allow_none else []) + sorted(by_id, key=lambda r: (r != best.run_id, -by_id[r].created))
    if key not in st.session_state or st.session_state[key] not in options:
        st.session_state[key] = default
    return st.selectbox(label, options, key=key, help=help, persist_state="session",
                        format_func=lambda r: "No, one run only" if r == NO_RUN else
                        f"{by_id[r].label()} · {by_id[r].preset or 'custom'}")


run_id = run_picker("Run", "predict_run", best.run_id,
                    help="A stored, trained model. The best by test accuracy is picked first.")
run = by_id[run_id]
st.caption(f"`{run.config.summary()}` · reads at most {run.config.maxlen} tokens, keeping the "
           f"{'end' if run.config.truncating == 'pre' else 'beginning'} of longer reviews · knows "
           f"{run.config.num_words:,} words"
           + (f" · test slice of {run.config.test_limit} reviews" if run.config.test_limit else ""))
if run.partial:
    st.warning("This run was stopped before the end (partial): its predictions may be poor.",
               icon=":material/stop_circle:")


# ---------------------------------------------------------------- one review


def _set_text(text: str, true_label: int | None = None) -> None:
    st.session_state[TEXT_KEY] = text
    st.session_state[TRUE_LABEL_KEY] = true_label


def _random_test_review(data) -> None:
    index = int(np.random.default_rng().integers(len(data.test)))
    _set_text(run_views.review_for_display(data.test.texts[index]), int(data.test.labels[index]))


def _forget_true_label() -> None:
    st.session_state[TRUE_LABEL_KEY] = None


def result_view(run, explanation, true_label: int | None) -> None:
    """The verdict, the confidence bar, what was cut or unknown, and the coloured words."""
    verdict = run_views.verdict(explanation.probability)
    label_col, prob_col = st.columns([1, 1])
    color = "green" if verdict.label == "positive" else "red"
    label_col.markdown(f"#### :{color}[{verdict.label.capitalize()}]")
    label_col.caption(f"{verdict.strength.capitalize()} · confidence {verdict.confidence:.0%}",
                      help="How far the probability is from 0.5: 0% is a coin toss, 100% is certain.")
    prob_col.metric("Probability of positive", f"{verdict.probability:.3f}")
    if true_label is not None:
        truth = "positive" if true_label == 1 else "negative"
        right = truth == verdict.label
        st.markdown(f"True label of this test review: **{truth}**, "
                    + (":green[the model is right.]" if right else ":red[the model is wrong.]"))
    st.altair_chart(run_views.probability_chart({run.run_id: verdict.probability}), width="stretch")

    summary = run_views.input_summary(explanation)
    if summary.clipped_chars:
        side = "last" if run.config.truncating == "pre" else "first"
        st.warning(f"Your text is {MAX_TEXT_CHARS + summary.clipped_chars:,} characters long: only the {side} "
                   f"{MAX_TEXT_CHARS:,} were read (the model sees at most {run.config.maxlen} tokens anyway).",
                   icon=":material/content_cut:")
    sentence = run_views.truncation_sentence(summary, run.config.maxlen, run.config.truncating)
    if sentence:
        st.info(sentence, icon=":material/content_cut:")
    if summary.oov_words:
        st.caption(f"**{len(summary.oov_words):,} word{'s' if len(summary.oov_words) != 1 else ''} out of the "
                   f"vocabulary** (underlined; the model sees one shared OOV id for each): "
                   + run_views.code_list(summary.oov_words))
    elif summary.words:
        st.caption("Every word is in this run's vocabulary.")
    if not summary.words:
        st.warning("The model found no words in this text (only punctuation, symbols or emoji), so its answer "
                   "says nothing about the review.", icon=":material/help:")

    st.markdown("**Why**")
    st.html(run_views.contributions_html(explanation))
    st.caption("Each word is coloured by how much removing it changes the prediction: **green** words pushed "
               "towards positive, **red** ones towards negative (deeper = stronger), **grey** ones were cut off "
               "by truncation and never seen, and a **wavy underline** marks words out of the vocabulary.")
    if summary.seen and run_views.strongest_contribution(explanation.words) < run_views.WEAK_CONTRIBUTION:
        st.caption(f"No single word changes this run's prediction by {run_views.WEAK_CONTRIBUTION} or more, so the "
                   "colours stay pale: the run barely reacts to words (an undertrained run, or a neutral text).")
    words = run_views.top_words(explanation)
    if not words.empty:
        with st.expander("The words that mattered most"):
            st.dataframe(words, hide_index=True, width="stretch", column_config={
                "contribution": st.column_config.NumberColumn(format="%+.3f",
                                                              help="p(review) - p(review without the word)")})


def single_review() -> None:
    data = common.current_data()
    has_data = not isinstance(data, LabError)
    st.markdown("**Try an example**")
    buttons = st.columns([1.6] + [1] * len(run_views.EXAMPLE_REVIEWS))
    buttons[0].button("Random test review", icon=":material/shuffle:", width="stretch", disabled=not has_data,
                      on_click=_random_test_review, args=(data,) if has_data else None,
                      help="A review from the test set, with its true label." if has_data
                      else "Needs the IMDB dataset (see the Explore page).")
    for column, (name, text) in zip(buttons[1:], run_views.EXAMPLE_REVIEWS.items()):
        column.button(name, width="stretch", on_click=_set_text, args=(text,), key=f"predict_example_{name}")

    st.session_state.setdefault(TRUE_LABEL_KEY, None)
    text = st.text_area("Your review", key=TEXT_KEY, height=160, on_change=_forget_true_label,
                        persist_state="session",
                        placeholder="e.g. The acting was wooden but the story kept me watching to the end…")
    compare_id = run_picker("Compare with another run (optional)", "predict_compare", NO_RUN, allow_none=True,
                            help="Score the same text with a second run, side by side.") if len(runs) > 1 else None
    if not (text or "").strip():
        st.info("Type or paste a review above (or pick an example) to see what the model thinks.",
                icon=":material/edit_note:")
        return
    chosen = [run] + ([by_id[compare_id]] if compare_id not in (None, NO_RUN, run.run_id) else [])
    explanations = []
    for each in chosen:
        try:
            explanations.append(explain_text(*_key(each), text))
        except LabError as error:
            st.error(str(error))
            return
    true_label = st.session_state.get(TRUE_LABEL_KEY)
    if len(chosen) == 1:
        result_view(run, explanations[0], true_label)
        return
    st.altair_chart(run_views.probability_chart({r.run_id: e.probability for r, e in zip(chosen, explanations)}),
                    width="stretch")
    for column, each, explanation in zip(st.columns(len(chosen), gap="large"), chosen, explanations):
        with column:
            st.subheader(each.run_id, anchor=False)
            st.caption(f"`{each.config.summary()}` · test accuracy {each.test_accuracy:.3f}")
            result_view(each, explanation, true_label)


# ---------------------------------------------------------------- many reviews


def batch_input() -> tuple[list[str], str] | None:
    """The reviews to score and where they came from, or None (with a message) when there are none."""
    source = st.segmented_control("Reviews", [TYPED, UPLOADED], key="predict_batch_source", default=TYPED,
                                  required=True, persist_state="session")
    if source == UPLOADED:
        uploaded = st.file_uploader("A .txt file (one review per line) or a .csv file (a column of reviews)",
                                    type=["txt", "csv"], key="predict_batch_file",
                                    help=f"Up to {run_views.MAX_UPLOAD_BYTES // 1024**2} MB, UTF-8 text.")
        if uploaded is None:
            st.info("Upload a file to score every review in it.", icon=":material/upload_file:")
            return None
        if uploaded.size > run_views.MAX_UPLOAD_BYTES:
            st.error(f"{run_views.quoted(uploaded.name)} is {uploaded.size / 1024**2:.1f} MB; files up to "
                     f"{run_views.MAX_UPLOAD_BYTES // 1024**2} MB are accepted. Split it into smaller files.")
            return None
        try:
            parsed = run_views.parse_upload(uploaded.name, uploaded.getvalue())
        except LabError as error:
            st.error(str(error))
            return None
        if parsed.kind == "txt":
            return parsed.lines, run_views.quoted(uploaded.name)
        column = st.selectbox("Column with the reviews", parsed.columns, key="predict_batch_column",
                              help="Only columns holding text are offered (not ids or numbers).")
        texts = run_views.reviews_in_column(parsed.frame, column)
        if not texts:
            st.error(f"Column {run_views.quoted(column)} has no text in it.")
            return None
        return texts, f"{run_views.quoted(uploaded.name)}, column {run_views.quoted(column)}"
    typed = st.text_area("Reviews, one per line", key="predict_batch_text", height=180, persist_state="session",
                         placeholder="Loved it, a masterpiece.\nBoring and far too long.\nNot bad at all!")
    texts = run_views.lines_to_reviews(typed)
    if not texts:
        st.info("Type a few reviews above, one per line, to score them all at once.", icon=":material/edit_note:")
        return None
    return texts, "typed reviews"


def batch() -> None:
    chosen = batch_input()
    if chosen is None:
        return
    texts, origin = chosen
    if len(texts) > run_views.MAX_BATCH_REVIEWS:
        st.warning(f"{len(texts):,} reviews: scoring the first {run_views.MAX_BATCH_REVIEWS:,}.",
                   icon=":material/warning:")
        texts = texts[:run_views.MAX_BATCH_REVIEWS]
    try:
        probabilities = score_texts(*_key(run), tuple(texts))
    except LabError as error:
        st.error(str(error))
        return
    table = run_views.batch_table(texts, probabilities)
    positives = int((table["label"] == "positive").sum())
    st.markdown(f"**{len(table):,} reviews** from {origin}: {positives:,} positive, {len(table) - positives:,} "
                f"negative (run `{run.run_id}`).")
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "review": st.column_config.TextColumn("review", width="large"),
        "probability_positive": st.column_config.ProgressColumn("probability of positive", min_value=0.0,
                                                                max_value=1.0, format="%.3f"),
        "confidence": st.column_config.NumberColumn(format="%.2f"),
    })
    st.download_button("Download the predictions (.csv)", data=run_views.csv_bytes(table),
                       file_name=f"predictions-{run.run_id}.csv", mime="text/csv", icon=":material/download:",
                       on_click="ignore")


one_tab, batch_tab = st.tabs(["One review", "Batch"])
with one_tab:
    single_review()
with batch_tab:
    batch()
if problems:
    with st.expander(f"{len(problems)} stored run folder(s) could not be read", icon=":material/warning:"):
        for problem in problems:
            st.text(problem)
