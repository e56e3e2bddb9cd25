"""The Train page's knobs, in one table: each config field's label, its group, and whether it shows up front.

Pure: no Streamlit. The widget itself follows the field's rule in
:data:`core.config.FIELDS` (range, step, choices, help); this table adds only what the
page needs to place it. ``tests/ui/test_knobs.py`` checks that it covers every field of
``FIELDS`` and :class:`core.config.TrainConfig` exactly once (or names it test-only), so a
new field cannot be forgotten or listed twice.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Knob:
    """One config field on the Train page: ``main`` knobs sit in the three columns, the rest under "More settings"."""

    field: str
    label: str
    group: str
    main: bool = False


KNOBS = (
    Knob("units", "Units per layer", "Model", main=True),
    Knob("layers", "Stacked layers", "Model", main=True),
    Knob("embedding_dim", "Embedding size", "Model", main=True),
    Knob("dropout", "Dropout", "Model", main=True),
    Knob("recurrent_dropout", "Recurrent dropout", "Model", main=True),
    Knob("maxlen", "maxlen (tokens per review)", "Input", main=True),
    Knob("num_words", "num_words (vocabulary)", "Input", main=True),
    Knob("epochs", "Epochs (at most)", "Fitting", main=True),
    Knob("batch_size", "Batch size", "Fitting", main=True),
    Knob("learning_rate", "Learning rate", "Fitting", main=True),
    Knob("embeddings", "Starting word vectors (GloVe or learned)", "Model"),
    Knob("embeddings_trainable", "Fine-tune the word vectors", "Model"),
    Knob("cell", "Recurrent cell", "Model"),
    Knob("bidirectional", "Bidirectional", "Model"),
    Knob("conv_pool", "Conv + max-pool front end (k-fold shorter)", "Model"),
    Knob("conv_stride", "Conv stride (window: 2 x stride)", "Model"),
    Knob("pooling", "Classifier reads", "Model"),
    Knob("mask_zero", "Mask the padding (mask_zero)", "Model"),
    Knob("dense_dropout", "Dropout before the output", "Model"),
    Knob("word_dropout", "Word dropout (whole words, while training)", "Model"),
    Knob("task", "What it learns from (IMDB or the glass-box task)", "Input"),
    Knob("truncating", "Truncating", "Input"),
    Knob("padding", "Padding", "Input"),
    Knob("bucketing", "Length bucketing", "Input"),
    Knob("keras_maxlen_filter", "Drop reviews of maxlen or more (Keras's filter)", "Input"),
    Knob("optimizer", "Optimizer", "Optimisation"),
    Knob("schedule", "Learning-rate schedule", "Optimisation"),
    Knob("warmup", "Learning-rate warm-up (share of all steps)", "Optimisation"),
    Knob("clipnorm", "Gradient clipping (norm; 0: off)", "Optimisation"),
    Knob("average_weights", "Average the weights (EMA)", "Optimisation"),
    Knob("seed", "Seed", "Optimisation"),
    Knob("validation_fraction", "Validation share of the training split", "Evaluation"),
    Knob("patience", "Early-stopping patience", "Evaluation"),
)
#: Test-only fields: set from ``IMDB_LAB_TEST_SLICE`` by the Train page, never by a widget.
TEST_ONLY_FIELDS = ("train_limit", "test_limit")
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

_BY_FIELD = {knob.field: knob for knob in KNOBS}
#: The knobs up front, and those under "More settings", by config field name.
MAIN = tuple(knob.field for knob in KNOBS if knob.main)
MORE = tuple(knob.field for knob in KNOBS if not knob.main)


def label(field: str) -> str:
    """The Train page's label of config field ``field`` (its name, for a field the page does not show)."""
    knob = _BY_FIELD.get(field)
    return knob.label if knob else field.replace("_", " ").capitalize()


def groups(main: bool) -> dict[str, tuple[str, ...]]:
    """Group title -> the fields in it, in the table's order: the main columns, or "More settings"."""
    out: dict[str, tuple[str, ...]] = {}
    for knob in KNOBS:
        if knob.main == main:
            out[knob.group] = (*out.get(knob.group, ()), knob.field)
    return out
