"""What the bag-of-words baseline says, on every page that shows the LSTM (Streamlit edge).

The baseline is fitted once per data set (:class:`core.runs.baseline_store.BaselineStore`,
about a minute on the full data, then read back from ``runs/.baseline``) and predicts with
numpy in the web server itself: no TensorFlow, no prediction process. Sections here:
reference lines for the Train and Evaluate curves, the baseline's verdict and top words
beside the LSTM's on Predict, the Scramble button (:mod:`core.model.scramble`), and the word-order probes on Evaluate.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from core.errors import LabError
from core.model import scramble
from core.model.metrics import label
from core.model.probes import load_probes, score_probes
from core.runs.baseline_store import BaselineStore, StoredBaseline
from core.text import limits
from ui.baseline import charts, comparisons, wording
from ui.classroom import identity, reveal
from ui.shared import palette, resources
from ui.snapshots import panel as snapshots_panel
from ui.xray import wording as xray_wording

SCRAMBLE_KEY = "predict_scramble"
#: The embedding map's word search: a few words.
MAX_SEARCH_CHARS = 200


@st.cache_resource(show_spinner="Reading the bag-of-words baseline…", max_entries=4)
def _read(folder: str, modified: float) -> StoredBaseline | None:
    try:
        return BaselineStore().read(Path(folder))
    except LabError:
        return None


def current_baseline() -> StoredBaseline | None:
    """The stored baseline of the session's data (else the newest stored one); None until one is fitted.

    The web server never fits it by itself (a minute of CPU): :func:`fit_button` or
    ``python -m core baseline`` does.
    """
    data = resources.current_data()
    folders = BaselineStore().folders(None if isinstance(data, LabError) else data.fingerprint)
    if not folders:
        return None
    return _read(str(folders[0]), BaselineStore().modified(folders[0]))


def fit_button(key: str) -> None:
    """A button that fits the baseline on the session's data (once per data set, under a lock), with a spinner.

    On a server with a teacher only the teacher gets the button: a minute of CPU in the web
    process is the teacher's call, not any student's.
    """
    data = resources.current_data()
    if isinstance(data, LabError):
        return
    st.caption("The bag-of-words baseline is not fitted yet for this data.")
    if identity.is_student():
        st.caption("In a class the teacher fits it, once for everyone (about a minute).")
        return
    if st.button("Fit the bag-of-words baseline (about a minute)", icon=":material/functions:", key=key):
        with st.spinner("Fitting TF-IDF + logistic regression on the training reviews…"):
            BaselineStore().get_or_fit(data)
        st.rerun()


def references(which: str = "validation") -> pd.DataFrame:
    """Reference lines for an accuracy chart: the baseline's validation (or test) accuracy and the literature."""
    stored = current_baseline()
    if stored is None:
        return comparisons.reference_frame(None)
    report = stored.report
    value = report.validation_accuracy if which == "validation" else report.test_accuracy
    return comparisons.reference_frame(value, which=which)


def _verdict_line(name: str, probability: float) -> str:
    color = palette.markdown_color(label(probability))
    return f"**{name}**: :{color}[{label(probability)}] · probability of positive {probability:.3f}"


def beside_verdict(run, text: str) -> float | None:
    """On Predict: the baseline's verdict on ``text`` with its own top words; its probability (None: not fitted)."""
    stored = current_baseline()
    if stored is None:
        fit_button("predict_fit_baseline")
        return None
    text, _ = limits.clip(text, keep_end=run.config.truncating == "pre")  # as the LSTM reads it
    with st.container(border=True, key="baseline_verdict"):
        probability = float(stored.model.predict_proba([text])[0])
        st.markdown(_verdict_line("Bag-of-words baseline", probability))
        positive, negative = stored.model.top_words(text, k=5)
        words = lambda pairs: ", ".join(f"`{w}` {v:+.2f}" for w, v in pairs) or "none"  # noqa: E731
        st.caption(f"Its words towards positive: {words(positive)}. Towards negative: {words(negative)}.")
        st.caption(
            f"{comparisons.BASELINE_NAME}: {comparisons.accuracy_words(stored.report, reveal.shows_test())}, "
            f"fitted in {stored.report.train_seconds:.0f} s. It reads words and word pairs, never the order beyond that."
        )
    return probability


def scramble_section(run, text: str, baseline_before: float | None) -> None:
    """On Predict: the Scramble button; both models score the same seeded shuffles, judged by how far they move."""
    stored = current_baseline()
    if stored is None or baseline_before is None:
        return
    text, _ = limits.clip(text, keep_end=run.config.truncating == "pre")
    if st.button(
        "Scramble the words",
        icon=":material/shuffle:",
        key="predict_scramble_button",
        help=f"Shuffle the words of your review {scramble.SHUFFLES} times and score each with both models.",
    ):
        st.session_state[SCRAMBLE_KEY] = (text, random.randrange(1_000_000))
    saved = st.session_state.get(SCRAMBLE_KEY)
    if not saved or saved[0] != text:
        return
    shuffled = scramble.shuffles(text, saved[1])
    st.markdown(f"**One of the {len(shuffled)} shuffles:**")
    st.text(shuffled[0])  # user text: plain, never HTML
    try:
        lstm = [float(p) for p in resources.score_texts(run, (text, *shuffled))]
    except LabError as error:
        st.error(str(error))
        return
    lstm_shift = scramble.shift(lstm[0], lstm[1:])
    baseline_shift = scramble.shift(baseline_before, stored.model.predict_proba(shuffled))
    with st.container(key="scramble_verdicts"):
        st.markdown(wording.scramble_line(f"LSTM run {run.run_id}", lstm_shift))
        st.markdown(wording.scramble_line("Bag-of-words baseline", baseline_shift))
        st.markdown(wording.scramble_comparison(lstm_shift, baseline_shift))
    st.caption(wording.SCRAMBLE_NOTE)


def probes_section(run) -> None:
    """On Evaluate: per probe kind, this run vs the baseline side by side, and the probes each gets wrong."""
    stored = current_baseline()
    probes = load_probes()
    try:
        lstm = np.asarray(resources.score_texts(run, tuple(probes.texts)))
    except LabError as error:
        st.error(str(error))
        return
    scores = {f"LSTM {run.run_id}": score_probes(probes, lstm)}
    if stored is None:
        fit_button("evaluate_fit_baseline")
    else:
        scores["bag-of-words baseline"] = score_probes(probes, stored.model.predict_proba(probes.texts))
    st.altair_chart(charts.probe_kind_chart(comparisons.probe_frame(scores, probes)), width="stretch")
    st.dataframe(
        comparisons.probe_table(scores, probes),
        width="stretch",
        column_config={m: st.column_config.NumberColumn(format="%.2f") for m in scores},
    )
    for column, (model, score) in zip(st.columns(len(scores), gap="large"), scores.items(), strict=True):
        with column:
            st.markdown(f"**{model}** gets {len(score.wrong)} of {len(probes.probes)} wrong")
            st.dataframe(
                comparisons.misses_table(score),
                hide_index=True,
                width="stretch",
                column_config={"p(positive)": st.column_config.NumberColumn(format="%.2f")},
            )
    st.caption(
        f"{len(probes.probes)} hand-written minimal pairs and triples (assets/probes.tsv) where word order "
        "or a negation decides the label."
    )


def with_baseline_row(table: pd.DataFrame) -> pd.DataFrame:
    """The runs table with the baseline as one more row (when it is fitted)."""
    stored = current_baseline()
    if stored is None:
        return table
    return pd.concat([table, pd.DataFrame([comparisons.baseline_row(stored)])], ignore_index=True)


@st.cache_data(max_entries=32, show_spinner=False)
def _projection(runs_root: str, run_id: str, created: float, top: int, snapshot: int | None = None):
    from core.runs.embeddings import project
    from core.runs.store import RunStore

    return project(RunStore(runs_root), run_id, top, snapshot)


def embedding_section(run, runs_root) -> None:
    """On Evaluate: the run's most frequent words in 2-D (PCA), coloured by the baseline's weight, with a search.

    The snapshot slider (:mod:`ui.snapshots.panel`) moves the words through training, on the final model's map.
    """
    top = st.select_slider("Most frequent words shown", [100, 250, 500, 1000], value=500, key="evaluate_embed_top")
    search = st.text_input(
        "Find words", key="evaluate_embed_search", placeholder="e.g. good bad not great", max_chars=MAX_SEARCH_CHARS
    )[:MAX_SEARCH_CHARS]
    point = snapshots_panel.choose(run)
    snapshot = snapshots_panel.model_at(point)
    try:
        final = _projection(str(runs_root), run.run_id, run.created, top)
        projection = final if snapshot is None else _projection(str(runs_root), run.run_id, run.created, top, snapshot)
    except LabError as error:
        st.error(str(error))
        return
    stored = current_baseline()
    polarity = stored.model.word_polarity(projection.words) if stored else {}
    points = comparisons.embedding_points(projection.words, projection.xy, polarity, search)
    extent = 1.05 * float(abs(final.xy).max()) if len(final.xy) else None  # one map for every snapshot
    title = (
        None if snapshot is None else f"Word embeddings {snapshots_panel.label(run, point)}, on the final model's map"
    )
    st.altair_chart(charts.embedding_chart(points, projection.explained, extent, title), width="stretch")
    missing = [w for w in search.lower().split() if w not in set(projection.words)]
    if missing:
        st.caption(f"Not among the {top} most frequent words: {', '.join(missing)}.")
    st.caption(
        xray_wording.HOW_TO_READ["embedding_map"]
        + " Colour: how positive the bag-of-words baseline finds the word"
        + ("" if stored else " (fit the baseline to see it)")
        + "."
    )
