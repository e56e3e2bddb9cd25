"""Widgets more than one place uses: a config field's control, and the stored-run picker.

A knob's range, step, choices and help text come from :data:`core.config.FIELDS`, so
the Explore sliders, the Train knobs and the validation can never disagree. A run
picker lists the stored runs best first and keeps its choice across pages, even when
the chosen run disappears. Every widget here keeps its value for the session
(``persist_state="session"``).
"""

from __future__ import annotations

import streamlit as st

from core.config import CUSTOM, FIELDS
from core.runs.store import RunInfo, best_run
from ui.shared import state

#: The learning rates the Train page offers (those inside the field's range).
LEARNING_RATES = (
    1e-5,
    2e-5,
    5e-5,
    1e-4,
    2e-4,
    3e-4,
    5e-4,
    1e-3,
    2e-3,
    3e-3,
    5e-3,
    1e-2,
    2e-2,
    5e-2,
    0.1,
    0.2,
    0.5,
    1.0,
)
#: Train knob labels; a field without one is labelled by its name.
KNOB_LABELS = {
    "units": "Units per layer",
    "layers": "Stacked layers",
    "embedding_dim": "Embedding size",
    "dropout": "Dropout",
    "recurrent_dropout": "Recurrent dropout",
    "maxlen": "maxlen (tokens per review)",
    "num_words": "num_words (vocabulary)",
    "epochs": "Epochs (at most)",
    "batch_size": "Batch size",
    "learning_rate": "Learning rate",
    "cell": "Recurrent cell",
    "bidirectional": "Bidirectional",
    "mask_zero": "Mask the padding (mask_zero)",
    "bucketing": "Length bucketing",
    "truncating": "Truncating",
    "padding": "Padding",
    "keras_maxlen_filter": "Drop reviews of maxlen or more (Keras's filter)",
    "optimizer": "Optimizer",
    "dense_dropout": "Dropout before the output",
    "patience": "Early-stopping patience",
    "validation_fraction": "Validation share of the training split",
    "seed": "Seed",
    "conv_pool": "Conv + max-pool front end (k-fold shorter)",
    "conv_stride": "Conv stride (window: 2 x stride)",
    "pooling": "Classifier reads",
    "schedule": "Learning-rate schedule",
    "average_weights": "Average the weights (EMA)",
}
#: The "More settings" of the Train page, by what they change; a field in none of them goes under "Other".
MORE_KNOB_GROUPS = {
    "Model": ("cell", "bidirectional", "conv_pool", "conv_stride", "pooling", "mask_zero", "dense_dropout"),
    "Input": ("truncating", "padding", "bucketing", "keras_maxlen_filter"),
    "Optimisation": ("optimizer", "schedule", "average_weights", "seed"),
    "Evaluation": ("validation_fraction", "patience"),
}
#: The "no second run" option of an optional run picker (run ids are never empty).
NO_RUN = ""


def knob_label(name: str) -> str:
    """The Train page's label of config field ``name``."""
    return KNOB_LABELS.get(name) or name.replace("_", " ").capitalize()


def field_range(name: str) -> tuple:
    """(low, high, step) of a numeric :data:`core.config.FIELDS` entry, ints where the step is whole."""
    rule = FIELDS[name]
    if rule.step is not None and float(rule.step).is_integer():
        return int(rule.low), int(rule.high), int(rule.step)
    return float(rule.low), float(rule.high), rule.step


def field_slider(name: str, label: str, key: str, container=st, **kwargs):
    """A slider over config field ``name``'s range, with its help text."""
    low, high, step = field_range(name)
    return container.slider(
        label, low, high, step=step, key=key, help=FIELDS[name].help, persist_state="session", **kwargs
    )


def field_choice(name: str, label: str, key: str) -> str | None:
    """Segmented buttons over config field ``name``'s choices, with its help text."""
    return st.segmented_control(
        label, list(FIELDS[name].choices), key=key, help=FIELDS[name].help, persist_state="session"
    )


def knob(name: str, container=st) -> None:
    """The Train page's widget for one config field; moving it may turn the preset into custom."""
    rule, key = FIELDS[name], state.knob_key(name)
    label = knob_label(name)
    if rule.choices is None and rule.step is not None and (rule.high - rule.low) / rule.step <= 1000:
        field_slider(name, label, key, container, on_change=state.knob_changed)
        return
    kwargs = dict(key=key, help=rule.help, on_change=state.knob_changed, persist_state="session")
    if name == "learning_rate":
        options = sorted({*[v for v in LEARNING_RATES if rule.low <= v <= rule.high], st.session_state[key]})
        container.select_slider(label, options=options, format_func=lambda v: f"{v:g}", **kwargs)
    elif rule.choices is not None and isinstance(rule.choices[0], bool):
        container.toggle(label, **kwargs)
    elif rule.choices is not None:
        container.selectbox(label, list(rule.choices), **kwargs)
    else:  # e.g. the seed: a slider over 2**31 values would be useless
        # No min/max in the box: the browser would keep an out-of-range value to itself (a red box)
        # while Train used the old one. The value reaches the config instead, which names the problem.
        low, high, step = field_range(name)
        kwargs["help"] = f"{rule.help} ({low:,} to {high:,})" if rule.step else f"{rule.help} ({low:g} to {high:g})"
        if rule.step is None:
            container.number_input(label, format="%g", **kwargs)
        else:
            container.number_input(label, step=step, **kwargs)


def more_settings() -> None:
    """The Train page's "More settings": every other knob, in titled groups side by side, labels in full."""
    grouped = {title: [n for n in names if n in state.TRAIN_MORE_KNOBS] for title, names in MORE_KNOB_GROUPS.items()}
    listed = {n for names in grouped.values() for n in names}
    other = [n for n in state.TRAIN_MORE_KNOBS if n not in listed]
    if other:
        grouped["Other"] = other
    columns = st.columns(2, gap="medium")  # two wide columns: every label fits on its line
    for i, (title, names) in enumerate(grouped.items()):
        with columns[i % 2].container(border=True):
            st.markdown(f"**{title}**")
            for name in names:
                knob(name)


def use_for_training_box(maxlen: int, num_words: int) -> None:
    """Explore's "Use these settings for training": carries its maxlen and num_words to the Train knobs."""
    differs = state.explore_differs_from_train()
    with st.container(border=True):
        if differs:
            train = {field: pair[1] for field, pair in differs.items()}
            st.markdown(
                "The Train page is set to "
                + " and ".join(f"**{field} = {value:,}**" for field, value in train.items())
                + f". Train with your choice here (maxlen = {maxlen:,}, num_words = {num_words:,}) instead?"
            )
        else:
            st.markdown(f"maxlen = {maxlen:,} and num_words = {num_words:,} are the Train page's settings too.")
        if st.button(
            "Use these settings for training",
            icon=":material/model_training:",
            key="explore_use_for_training",
            on_click=state.use_explore_settings_for_training,
            help="Sets the Train page's maxlen and num_words to these values and opens it.",
        ):
            st.switch_page("pages/train.py")


def runs_best_first(runs: list[RunInfo]) -> list[RunInfo]:
    """The best run (by test accuracy; else the newest) first, then the others newest first."""
    best = best_run(runs) or runs[0]
    return sorted(runs, key=lambda run: (run.run_id != best.run_id, -run.created))


def run_picker(label: str, key: str, runs: list[RunInfo], *, optional: bool = False, help: str | None = None):
    """A selectbox of ``runs`` (best first); returns the chosen :class:`RunInfo`, or None for "one run only".

    It starts at the best run (an optional picker at "one run only"), and goes back there
    when the chosen run is no longer stored.
    """
    by_id = {run.run_id: run for run in runs_best_first(runs)}
    options = ([NO_RUN] if optional else []) + list(by_id)
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
    chosen = st.selectbox(
        label,
        options,
        key=key,
        help=help,
        persist_state="session",
        format_func=lambda r: (
            "No, one run only" if r == NO_RUN else f"{by_id[r].label()} · {by_id[r].preset or CUSTOM}"
        ),
    )
    return by_id.get(chosen)
