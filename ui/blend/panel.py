"""The blend on the pages (Streamlit edge): Evaluate's comparison and disagreements, Predict's third verdict.

The blend is fitted once per run and baseline (:func:`core.runs.blend.blend_for`: the
run's validation reviews scored in the prediction process, the baseline with numpy),
only when someone asks on Evaluate, then read back from the run's folder. Test numbers and
test disagreements show only to whom the one reveal policy shows test results (:mod:`ui.classroom.reveal`);
until then the disagreements are the validation reviews'.
"""

from __future__ import annotations

import streamlit as st

from core.errors import LabError
from core.model.metrics import label
from core.runs import blend as core_blend
from core.runs.store import RunStore
from ui.baseline import panel as baseline_panel
from ui.blend import tables, wording
from ui.classroom import identity, reveal
from ui.shared import pages, palette, resources, state, wording as shared_wording


def stored_blend(run, baseline) -> core_blend.Blend | None:
    """The blend stored with ``run`` for ``baseline``; None until it is fitted."""
    return core_blend.read_blend(run, core_blend.baseline_key(baseline))


def _fit(run, data, baseline) -> core_blend.Blend:
    def score(texts: list[str]):
        return resources.score_texts(run, tuple(texts))

    return core_blend.blend_for(run, RunStore(run.path.parent), data, baseline, score)


def evaluate_section(run, data) -> None:
    """On Evaluate: LSTM, bag of words and blend side by side, then the reviews the first two disagree on."""
    baseline = baseline_panel.current_baseline()
    if baseline is None:
        baseline_panel.fit_button("blend_fit_baseline")
        return
    blend = stored_blend(run, baseline)
    if blend is None:
        st.caption(wording.not_fitted())
        if identity.is_student():
            st.caption("In a class the teacher fits it, once for everyone.")
            return
        if not st.button("Fit the blend on validation reviews", icon=":material/join:", key="blend_fit"):
            return
        try:
            with st.spinner("Scoring the validation reviews with both models and fitting the blend…"):
                blend = _fit(run, data, baseline)
        except LabError as error:
            st.error(str(error))
            return
    revealed = reveal.shows_test()
    st.dataframe(
        tables.comparison_table(blend, revealed),
        hide_index=True,
        key="blend_comparison",
        column_config={
            c: st.column_config.NumberColumn(format="%.3f") for c in ("validation accuracy", "test accuracy")
        },
    )
    st.caption(wording.weights_sentence(blend))
    disagreements(run, data, blend, "test" if revealed else "validation")


def disagreements(run, data, blend: core_blend.Blend, split: str) -> None:
    """Where the LSTM and the bag of words disagree on ``split``: counts, examples, one opened in Predict."""
    found = core_blend.disagreements(blend.reviews(split))
    st.markdown(wording.disagreement_sentence(found, split))
    if not found.count:
        return
    texts = data.test.texts if split == "test" else data.train.texts
    table = tables.disagreement_table(found, texts)
    st.dataframe(
        table,
        hide_index=True,
        key="blend_disagreements",
        column_config={c: st.column_config.NumberColumn(format="%.2f") for c in ("LSTM", "bag of words", "blend")},
    )
    chosen = st.selectbox(
        "Open one of these reviews in Predict",
        range(len(table)),
        format_func=lambda i: f"{i + 1}. {table['review'][i][:60]}",
        key="blend_disagreement_pick",
    )
    if st.button("Open in Predict", icon=pages.PREDICT.icon, key="blend_to_predict"):
        row = found.table.iloc[int(chosen)]
        state.send_to_predict(shared_wording.review_for_display(texts[int(row["index"])]), int(row["label"]))
        st.session_state[state.PREDICT_RUN_KEY] = run.run_id
        st.switch_page(pages.PREDICT.path)


def predict_verdict(run, text: str, baseline_probability: float | None) -> None:
    """On Predict: the blend's verdict beside the LSTM's and the baseline's (when the blend is fitted).

    The LSTM's probability is the final model's (the blend was fitted on it), whatever snapshot Predict shows.
    """
    baseline = baseline_panel.current_baseline()
    if baseline is None or baseline_probability is None:
        return
    blend = stored_blend(run, baseline)
    with st.container(border=True, key="blend_verdict"):
        if blend is None:
            st.caption(wording.not_fitted())
            return
        try:
            (lstm_probability,) = resources.score_texts(run, (text,))
        except LabError as error:
            st.error(str(error))
            return
        probability = float(blend.probability(lstm_probability, baseline_probability))
        verdict = f":{palette.markdown_color(label(probability))}[{label(probability)}]"
        st.markdown(wording.predict_line(probability, verdict))
        st.caption(wording.weights_sentence(blend))
