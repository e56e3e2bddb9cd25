"""Training engine on tiny slices: configs, presets, masks and cuDNN's padding rule."""

from __future__ import annotations

import pytest

from core.config import FIELDS, PRESETS, TrainConfig, preset
from core.errors import ConfigError

# ---------------------------------------------------------------- configs


@pytest.mark.parametrize(
    "field, value, fragment",
    [
        ("units", 0, "units: 0 is outside the allowed range 2 to 512"),
        ("dropout", 1.5, "dropout: 1.5 is outside"),
        ("learning_rate", float("nan"), "learning_rate: nan is outside"),
        ("layers", 2.5, "layers: 2.5 is not an integer"),
        ("cell", "rnn", "cell: 'rnn' is not one of 'lstm', 'gru'"),
        ("batch_size", True, "batch_size: True is not an integer"),
        ("epochs", "3", "epochs: '3' is not an integer"),
    ],
)
def test_invalid_configs_name_the_field_and_range(field, value, fragment):
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        TrainConfig(**{field: value})


def test_unknown_setting_is_refused():
    with pytest.raises(ConfigError, match="unknown setting"):
        TrainConfig.from_dict({"unit": 3})


def test_presets_are_the_tutorial_networks():
    v1, final = preset("tutorial-v1"), preset("tutorial-final")
    assert (
        v1.num_words,
        v1.maxlen,
        v1.embedding_dim,
        v1.units,
        v1.layers,
        v1.mask_zero,
        v1.optimizer,
        v1.batch_size,
    ) == (5000, 800, 64, 30, 1, True, "rmsprop", 128)
    assert (
        final.maxlen,
        final.keras_maxlen_filter,
        final.embedding_dim,
        final.units,
        final.layers,
        final.dropout,
        final.recurrent_dropout,
        final.batch_size,
    ) == (200, True, 128, 64, 2, 0.1, 0.1, 32)
    assert set(PRESETS) == {
        "lstm",
        "conv-lstm",
        "bilstm",
        "glove-bilstm",
        "overfit-demo",
        "tutorial-v1",
        "tutorial-final",
        "glassbox",
    }
    assert all(name in FIELDS for name in TrainConfig().to_dict())


def test_masked_models_are_right_padded_for_cudnn():
    from core.model.architecture import build_model

    masked = preset("tutorial-final")
    assert masked.effective_padding == "post"
    model = build_model(masked.replace(units=4, embedding_dim=4))
    assert model.get_layer("embedding").mask_zero


def test_masked_batches_pass_kerass_cudnn_mask_check(imdb):
    """Keras 3 on a GPU asserts right-padded masks before cuDNN; run that same check here.

    With the tutorial's pre-padding it fails (negative control), with our padding it passes.
    """
    import tensorflow as tf
    from keras.src.backend.tensorflow.rnn import _assert_valid_mask

    from core.encoding import arrays

    config = preset("tutorial-v1").replace(train_limit=400, test_limit=100, maxlen=120)
    prepared = arrays.prepare(imdb, config)
    checked = 0
    for x, _ in arrays.batches(prepared.x_train, prepared.y_train, config, shuffle=True):
        _assert_valid_mask(tf.not_equal(x, 0))
        checked += 1
    assert checked == -(-len(prepared.x_train) // config.batch_size)
    pre_padded = arrays.pad_batch(prepared.x_train[:64], "pre", config.maxlen)
    with pytest.raises(tf.errors.InvalidArgumentError, match="right-padded"):
        _assert_valid_mask(tf.not_equal(pre_padded, 0))


def test_averaged_weights_are_what_validation_saw_and_what_the_run_keeps(imdb):
    """average_weights: Keras's EMA of the weights is validated, kept by early stopping and is the final model."""
    import numpy as np

    from core.encoding import arrays
    from core.model import inference
    from core.model.training import train
    from tests.conftest import TINY

    config = TINY.replace(average_weights=True, epochs=2, patience=1)
    assert config.fingerprint() != TINY.fingerprint() and "weight average" in config.summary()
    assert TINY.replace(average_weights=False).fingerprint() == TINY.fingerprint()
    result = train(config, imdb)
    assert result.model.optimizer.use_ema
    prepared = arrays.prepare(imdb, config)
    again = inference.predict_sequences(result.model, prepared.x_val, config)
    accuracy = float(np.mean((again >= 0.5) == (prepared.y_val >= 0.5)))
    best = max(row["val_accuracy"] for row in result.epoch_history)
    assert abs(accuracy - best) < 1e-6  # validation scored these very weights


def test_the_training_step_creates_no_variables_so_it_is_traced_once(imdb):
    """Variables made inside a tf.function make TensorFlow trace it twice (about 1 s of conv-lstm's first batch)."""
    import tensorflow as tf

    from core.model.training import train
    from tests.conftest import TINY

    made_while_tracing = []

    def creator(next_creator, **kwargs):
        if not tf.executing_eagerly():
            made_while_tracing.append(kwargs.get("name"))
        return next_creator(**kwargs)

    with tf.variable_creator_scope(creator):
        result = train(TINY.replace(epochs=1), imdb)
    assert result.model.optimizer.built and made_while_tracing == []
