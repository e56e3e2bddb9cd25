"""Explore: how long reviews are, how many words to keep, and what the model really sees.

Everything here is numpy and pandas on the loaded corpus (``core.data.stats``,
``core.encoding.model_input``); Keras and TensorFlow are never imported, so the page opens fast.
The page is its table of contents at the bottom; each section is a function above it.
"""

import numpy as np
import streamlit as st

from core.data import stats
from core.encoding.model_input import encode_review
from core.model.metrics import POSITIVE, label_name
from core.text import tokenizer
from ui.explore import tables, wording
from ui.explore.wording import abbreviate_ids
from ui.shared import frame, html, pages, resources, state, widgets
from ui.shared.wording import percent

BIN = 25  # tokens per histogram bar
TUTORIAL_NUM_WORDS = 5000


def intro() -> None:
    frame.page_guard(__file__)
    state.sync_explore_with_train()  # one maxlen and num_words with the Train page
    frame.page_title(pages.EXPLORE)
    st.markdown(
        "Before training, two choices shape everything the LSTM sees: **how many tokens** of each review "
        "it reads (`maxlen`) and **how many words** it knows (`num_words`). The data answers both."
    )


def review_lengths(data, lengths) -> int:
    """1. How long reviews are and what ``maxlen`` cuts; returns the chosen maxlen."""
    st.header("1. How long are the reviews?", divider="gray")
    st.markdown(
        "An LSTM reads a review one token at a time, and on a CPU every step costs time; a batch is padded "
        "to one length. So we **truncate** long reviews to `maxlen` tokens: pick the length that keeps "
        "almost every review whole, and the rare long ones lose only their beginning "
        "(`truncating='pre'` keeps the end, where reviewers usually give their verdict)."
    )

    slider_col, share_col, text_col = st.columns([2, 1, 2], gap="large", vertical_alignment="top")
    with slider_col:
        maxlen = widgets.field_slider("maxlen", "maxlen (tokens kept per review)", state.EXPLORE_MAXLEN_KEY)
        log_scale = st.toggle("Log scale (see the long tail)", key=state.EXPLORE_LOG_SCALE_KEY, persist_state="session")
    share_all = stats.share_at_most(lengths["tokens"], maxlen)
    by_split = {name: stats.share_at_most(group["tokens"], maxlen) for name, group in lengths.groupby("split")}
    share_col.metric(f"At most {maxlen} tokens", percent(share_all))
    with text_col:
        st.markdown(
            f"**{percent(share_all)}** of the {len(lengths):,} reviews have at most {maxlen} tokens "
            f"(train {percent(by_split['train'])}, test {percent(by_split['test'])}); "
            f"the other {percent(1 - share_all)} are cut to their last {maxlen}."
        )
        summary = stats.length_summary(lengths["tokens"])
        st.caption(
            f"Median {summary['p50']:.0f} tokens, 90% under {summary['p90']:.0f}, 99% under "
            f"{summary['p99']:.0f}, longest {summary['max']:,}. The tutorial asks what share is under 800: "
            f"about {percent(summary['share_le_800'], 0)}."
        )

    axis_end = max(1500, -(-(maxlen + 100) // BIN) * BIN)  # the last bar holds every longer review
    for column, split in zip(st.columns(2, gap="large"), ("train", "test"), strict=True):
        column.vega_lite_chart(
            resources.length_histogram_spec(data, split, BIN, axis_end, maxlen, log_scale), width="stretch"
        )
    st.caption(
        "One line per label, each with its own counts (not stacked). The last bin holds every review of "
        f"{axis_end:,} tokens or more; the shaded part beyond maxlen is cut. Switch on the log scale to see the long tail."
    )
    return maxlen


def vocabulary(data) -> int:
    """2. How many words to keep and what becomes OOV; returns the chosen num_words."""
    st.header("2. How many words should the model know?", divider="gray")
    st.markdown(
        "Words get ids by their frequency in the **training** reviews (id = rank + 3; ids 0 to 3 mean padding, "
        "start, OOV and unused). Only ids below `num_words` are kept: every rarer word becomes the single OOV id "
        "2, so `num_words = 5000` keeps the 4,996 most frequent words. Test words never seen in training are "
        'always OOV. Fewer words: a smaller, faster embedding, but more of each review turns into "?".'
    )

    controls, chart_area = st.columns([1, 3], gap="large")
    with controls:
        num_words = widgets.field_slider("num_words", "num_words (vocabulary size)", state.EXPLORE_NUM_WORDS_KEY)
        oov = resources.oov_share(data, num_words)
        tutorial_oov = resources.oov_share(data, TUTORIAL_NUM_WORDS)
        st.metric(
            "Test tokens that become OOV",
            percent(oov),
            delta=None if num_words == TUTORIAL_NUM_WORDS else f"{100 * (oov - tutorial_oov):+.1f} pts vs 5,000",
            delta_color="inverse",
        )
        st.caption(
            f"With the tutorial's 5,000 words, {percent(tutorial_oov)} of test tokens are OOV; "
            f"the training split has {len(data.vocabulary):,} distinct words."
        )
    chart_area.vega_lite_chart(resources.coverage_spec(data, num_words, TUTORIAL_NUM_WORDS), width="stretch")
    return num_words


def _random_review(count: int) -> None:
    st.session_state[state.EXPLORE_INDEX_KEY] = int(np.random.default_rng().integers(count))


def pick_review(data, maxlen: int, num_words: int):
    """3. What the model sees, first the review: its split and index; returns (split name, split, index, truncating)."""
    st.header("3. What the model sees", divider="gray")
    st.markdown(
        f"A review after tokenizing and encoding with **num_words = {num_words:,}** and **maxlen = {maxlen}** "
        "(the sliders above): Keras ids start with `1` (start), words outside the vocabulary become `2` (OOV, "
        "red), and truncation drops the greyed-out tokens. Short reviews are padded with zeros instead."
    )

    pick, index_box, side, random_box = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
    with pick:
        split_name = st.segmented_control(
            "Split", ["train", "test"], key=state.EXPLORE_SPLIT_KEY, persist_state="session"
        )
    split_name = split_name or "test"
    split = data.split(split_name)
    with index_box:
        # No min/max in the box: the browser would keep an out-of-range number to itself (a red box)
        # and show the old review; here it arrives, and the page says which review it shows instead.
        asked = st.number_input(
            f"Review index (0 to {len(split) - 1:,})", step=1, key=state.EXPLORE_INDEX_KEY, persist_state="session"
        )
    index = min(max(int(asked), 0), len(split) - 1)
    if index != asked:
        st.caption(f":orange[There is no review {int(asked):,} in the {split_name} split: showing review {index:,}.]")
    with side:
        truncating = widgets.field_choice("truncating", "Truncating", state.EXPLORE_TRUNCATING_KEY) or "pre"
    with random_box:
        st.button("Random review", icon=":material/shuffle:", on_click=_random_review, args=(len(split),))
    return split_name, split, index, truncating


def review_header(split_name: str, split, index: int) -> str:
    """The review's label, file and stars above its text; returns the text."""
    text = split.texts[index]
    label = label_name(split.labels[index] == 1)
    rating = int(split.ratings[index])
    file_name = f" · file `{label[:3]}/{int(split.review_ids[index])}_{rating}.txt`" if rating > 0 else ""
    st.markdown(
        f"**Review {index:,}** of the {split_name} split{file_name} · label **{label}** · "
        f":{'green' if label == POSITIVE else 'red'}-badge[:material/star: {wording.star_rating(rating)}]"
    )
    st.caption(
        "IMDB labels a review of 7 to 10 stars positive and one of 1 to 4 negative (neutral ones are not in the data)."
        if rating > 0
        else "This copy of the data (Keras's pre-tokenized one) has no star ratings."
    )
    with st.expander("Raw text, as in the file", expanded=True):
        st.text(text)
    return text


def encoded_review(data, split, index: int, text: str, maxlen: int, num_words: int, truncating: str) -> None:
    """The review as ids: the start id, OOV words, what truncation cuts, the padding."""
    ranks = split.review_ranks(index)
    words = tokenizer.tokenize(text)
    if len(words) != len(ranks):  # should not happen: the corpus was built with the same tokenizer
        words = [data.vocabulary.word(int(r)) or "<unseen>" for r in ranks]
    encoded = encode_review(words, ranks, num_words=num_words, maxlen=maxlen, truncating=truncating)
    st.markdown(
        f"{len(words):,} tokens → {len(encoded.tokens):,} ids with the start id · "
        f":red[**{encoded.oov}** OOV] · :gray[**{encoded.cut}** cut by truncation] · "
        f"{encoded.padding:,} padding zeros"
    )
    st.html(html.tokens_html(encoded, padding_side="pre"))
    if not encoded.cut:
        st.caption(
            f"This review fits in {maxlen} tokens. Lower maxlen above, or press Random review, to see what truncation cuts."
        )
    st.caption("The model's input row (padding on the left, the `pad_sequences` default):")
    st.code(abbreviate_ids(encoded.model_input, encoded.padding, "pre"), language=None, wrap_lines=True)


def label_counts(data) -> None:
    """4. Label balance and counts per split."""
    st.header("4. Label balance and counts", divider="gray")
    counts = tables.split_counts(resources.dataset_summary(data))
    number = st.column_config.NumberColumn
    st.dataframe(
        counts,
        hide_index=True,
        width="content",
        column_config={
            **{name: number(format="localized") for name in ("reviews", "positive", "negative", "longest")},
            "positive share": number(format="percent"),
            "mean tokens": number(format="%.0f"),
            "median tokens": number(format="%.0f"),
        },
    )
    st.caption(
        'Both splits are balanced, so a model that always says "positive" scores 50%: that is the floor '
        "every accuracy on the Train page should beat. Train and test reviews come from different movies."
    )


# ---------------------------------------------------------------- the page

intro()
data = frame.require_data()
maxlen = review_lengths(data, resources.review_lengths(data))
num_words = vocabulary(data)
widgets.use_for_training_box(maxlen, num_words)
split_name, split, index, truncating = pick_review(data, maxlen, num_words)
text = review_header(split_name, split, index)
encoded_review(data, split, index, text, maxlen, num_words, truncating)
label_counts(data)
