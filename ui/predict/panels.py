"""A prediction drawn (Streamlit edge): one review's verdict with its coloured words, and a scored batch.

Each panel takes what :mod:`core.serving` returns (an explanation with its run, a table
of probabilities) and draws it; sentences from :mod:`ui.predict.wording`, HTML from
:mod:`ui.shared.html`.
"""

from __future__ import annotations

import streamlit as st

from core.model.metrics import POSITIVE, label_name
from core.runs.store import RunInfo
from core.text.limits import MAX_TEXT_CHARS
from ui.predict import charts, tables, wording
from ui.shared import html, palette, tables as shared_tables
from ui.xray import wording as xray_wording


def predictions_view(runs: list[RunInfo], explanations: list, true_label: int | None, values: bool = False) -> None:
    """One run's :func:`prediction_view`, or several side by side under one probability chart."""
    if len(runs) == 1:
        prediction_view(runs[0], explanations[0], true_label, values)
        return
    probabilities = {run.run_id: e.probability for run, e in zip(runs, explanations, strict=True)}
    shaky = xray_wording.shaky_comparison({run.run_id: run.validation_accuracy for run in runs})
    if shaky:
        st.warning(shaky, icon=":material/balance:")
    if true_label is not None:
        st.markdown(wording.who_is_right(probabilities, true_label))
    st.altair_chart(charts.probability_chart(probabilities), width="stretch")
    for column, run, explanation in zip(st.columns(len(runs), gap="large"), runs, explanations, strict=True):
        with column:
            st.subheader(run.run_id, anchor=False)
            st.caption(f"`{run.config.summary()}` · {run.validation_accuracy:.3f} validation accuracy")
            prediction_view(run, explanation, true_label, values)


def prediction_view(run: RunInfo, explanation, true_label: int | None, values: bool = False) -> None:
    """The verdict ("63% negative"), the probability bar, what was cut or unknown, and the coloured words."""
    verdict = wording.verdict(explanation.probability)
    summary = wording.input_summary(explanation)
    if not summary.words:  # no headline for a verdict on nothing: the warning is the answer
        st.warning(wording.NO_WORDS, icon=":material/help:")
        st.caption(f"(Its probability of positive for no words at all: {verdict.probability:.3f}.)")
        return
    label_col, prob_col = st.columns([1, 1])
    label_col.markdown(f"#### :{palette.markdown_color(verdict.label)}[{verdict.headline}]")
    label_col.caption(verdict.strength.capitalize(), help=wording.verdict_help())
    prob_col.metric("Probability of positive", f"{verdict.probability:.3f}")
    if true_label is not None:
        truth = label_name(true_label == 1)
        right = truth == verdict.label
        st.markdown(
            f"True label of this test review: **{truth}**, "
            + (":green[the model is right.]" if right else ":red[the model is wrong.]")
        )
    st.altair_chart(charts.probability_chart({run.run_id: verdict.probability}), width="stretch")
    _what_was_read(run, summary)
    _why(explanation, summary, values)


def _why(explanation, summary: wording.InputSummary, values: bool) -> None:
    """The coloured words on the fixed log-odds scale, a note when nothing moves it, the strongest words."""
    st.markdown("**Why**")
    st.html(html.contributions_html(explanation, values=values))
    unit = "word" if explanation.span == 1 else f"{explanation.span}-word phrase"
    st.caption(
        f"Each {unit} is coloured by how much removing it changes the model's log-odds of positive, "
        f"on one scale for every review: blue pushed towards positive, orange towards negative, "
        f"full colour at ±{html.FULL_COLOUR:g} or more. **Grey** words were cut off by truncation and "
        "never seen; a **wavy underline** marks words out of the vocabulary."
    )
    if summary.seen and html.strongest_contribution(explanation.words) < html.WEAK_CONTRIBUTION:
        st.caption(
            f"No single {unit} changes this run's log-odds by {html.WEAK_CONTRIBUTION:g} or more: the run "
            "barely reacts to them one at a time (try phrases, or see the running verdict below)."
        )
    top = tables.top_words(explanation) if explanation.span == 1 else tables.top_phrases(explanation)
    if top.empty:
        return
    with st.expander(f"The {unit}s that mattered most"):
        help_text = f"logit p(review) - logit p(review without the {unit}); ±0.7 doubles or halves the odds"
        st.dataframe(
            top,
            hide_index=True,
            width="stretch",
            column_config={"contribution": st.column_config.NumberColumn(format="%+.2f", help=help_text)},
        )


def _batch_accuracy(table, rows) -> None:
    """How often the model agrees with the file's own labels (or stars), and the 2x2 counts."""
    accuracy, checked, counts = tables.batch_confusion(table, rows.truth)
    if not checked:
        return
    st.markdown(f"Checked against {rows.truth_source}: **{accuracy:.1%} right** on {checked:,} review(s).")
    st.dataframe(counts, width="content")


def _what_was_read(run: RunInfo, summary: wording.InputSummary) -> None:
    """Notices about the text: clipped, truncated, out-of-vocabulary words (a text with no words: :func:`prediction_view`)."""
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
    else:
        st.caption("Every word is in this run's vocabulary.")


def batch_view(run: RunInfo, table, rows, origin: str) -> None:
    """A scored batch (:func:`ui.predict.tables.batch_table`): counts, what was left out, accuracy when the truth is known."""
    positives = int((table[tables.PREDICTED] == POSITIVE).sum())
    st.markdown(
        f"**{len(table):,} reviews** from {origin}: {positives:,} positive, {len(table) - positives:,} "
        f"negative (run `{run.run_id}`)."
    )
    unknown = int((table[tables.KNOWN_WORDS] == 0).sum())
    left_out = [f"{rows.skipped_empty:,} row(s) with an empty review were skipped"] if rows.skipped_empty else []
    if unknown:
        left_out.append(
            f"{unknown:,} review(s) have no word this run knows (`known words` = 0): their score is a guess"
        )
    if left_out:
        st.info("; ".join(left_out) + ".", icon=":material/info:")
    if rows.truth is not None:
        _batch_accuracy(table, rows)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            rows.text_column: st.column_config.TextColumn(rows.text_column, width="large"),
            tables.PROBABILITY: st.column_config.ProgressColumn(
                "probability of positive", min_value=0.0, max_value=1.0, format="%.3f"
            ),
        },
    )
    st.download_button(
        "Download the predictions (.csv)",
        data=shared_tables.csv_bytes(table),
        file_name=f"predictions-{run.run_id}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
