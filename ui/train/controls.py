"""The Train page's knobs drawn (Streamlit edge): one widget per config field, up front or under "More settings".

Which fields, their labels and groups: :mod:`ui.train.knobs`. Each widget follows its
field's rule in :data:`core.config.FIELDS`; moving one may turn the preset into custom
(:func:`ui.shared.state.knob_changed`).
"""

from __future__ import annotations

import streamlit as st

from core.config import FIELDS, GLOVE_DIMENSIONS
from ui.shared import state, widgets
from ui.train import knobs


def knob(name: str, container=st) -> None:
    """The Train page's widget for one config field; moving it may turn the preset into custom."""
    rule, key = FIELDS[name], state.knob_key(name)
    label = knobs.label(name)
    glove = (
        GLOVE_DIMENSIONS.get(st.session_state.get(state.knob_key("embeddings"))) if name == "embedding_dim" else None
    )
    if glove is not None:  # GloVe's vectors have one size, and the config takes it (core.config.TrainConfig)
        st.session_state[key] = glove
        widgets.field_slider(name, f"{label} (the GloVe vectors' size)", key, container, disabled=True)
        return
    if rule.choices is None and rule.step is not None and (rule.high - rule.low) / rule.step <= 1000:
        widgets.field_slider(name, label, key, container, on_change=state.knob_changed)
        return
    kwargs = dict(key=key, help=rule.help, on_change=state.knob_changed, persist_state="session")
    if name == "learning_rate":
        options = sorted({*[v for v in knobs.LEARNING_RATES if rule.low <= v <= rule.high], st.session_state[key]})
        container.select_slider(label, options=options, format_func=lambda v: f"{v:g}", **kwargs)
    elif rule.choices is not None and isinstance(rule.choices[0], bool):
        container.toggle(label, **kwargs)
    elif rule.choices is not None:
        container.selectbox(label, list(rule.choices), **kwargs)
    else:  # e.g. the seed: a slider over 2**31 values would be useless
        # No min/max in the box: the browser would keep an out-of-range value to itself (a red box)
        # while Train used the old one. The value reaches the config instead, which names the problem.
        low, high, step = widgets.field_range(name)
        kwargs["help"] = f"{rule.help} ({low:,} to {high:,})" if rule.step else f"{rule.help} ({low:g} to {high:g})"
        if rule.step is None:
            container.number_input(label, format="%g", **kwargs)
        else:
            container.number_input(label, step=step, **kwargs)


def main_knobs(container) -> dict:
    """The Train page's knobs up front, one column per group; returns group title -> its column."""
    grouped = knobs.groups(main=True)
    columns = container.columns(len(grouped), gap="large")
    for column, (title, names) in zip(columns, grouped.items(), strict=True):
        column.markdown(f"**{title}**")
        for name in names:
            knob(name, column)
    return dict(zip(grouped, columns, strict=True))


def more_settings() -> None:
    """The Train page's "More settings": every other knob, in titled groups side by side, labels in full."""
    columns = st.columns(2, gap="medium")  # two wide columns: every label fits on its line
    for i, (title, names) in enumerate(knobs.groups(main=False).items()):
        with columns[i % 2].container(border=True):
            st.markdown(f"**{title}**")
            for name in names:
                knob(name)
