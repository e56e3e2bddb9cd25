"""The compiled embedding update: the same numbers as Keras's Adam, only for large tables, and models still save."""

from __future__ import annotations

import numpy as np
import pytest

from core.backend import import_keras
from core.config import TrainConfig
from core.model import optimizers
from core.model.architecture import build_model

ROWS, DIM = 1000, 8


def _run(optimizer, gradients):
    """Apply ``gradients`` (IndexedSlices or dense) to one (ROWS, DIM) weight; its final value."""
    keras = import_keras()
    weight = keras.Variable(np.linspace(-1, 1, ROWS * DIM, dtype="float32").reshape(ROWS, DIM))
    for gradient in gradients:
        optimizer.apply([gradient], [weight])
    return np.asarray(weight)


def _slices(rng, rows):
    import tensorflow as tf

    indices = rng.integers(0, ROWS, rows).astype("int32")  # repeats: the rows must be summed
    return tf.IndexedSlices(tf.constant(rng.normal(size=(rows, DIM)).astype("float32")), indices, (ROWS, DIM))


def test_compiled_sparse_update_matches_keras_adam():
    keras = import_keras()
    rng = np.random.default_rng(0)
    gradients = [_slices(rng, rows) for rows in (50, 200, 120)]  # three batch lengths, one compile
    compiled = optimizers.adam(optimizers.COMPILE_FROM_WEIGHTS, max_rows=200, learning_rate=0.01)
    assert type(compiled) is not keras.optimizers.Adam
    expected = _run(keras.optimizers.Adam(learning_rate=0.01), gradients)
    np.testing.assert_allclose(_run(compiled, gradients), expected, rtol=1e-5, atol=1e-7)
    assert not np.allclose(expected, _run(keras.optimizers.Adam(learning_rate=0.01), gradients[:1]))


def test_dense_gradients_and_small_tables_keep_keras_adam():
    keras = import_keras()
    rng = np.random.default_rng(1)
    dense = [rng.normal(size=(ROWS, DIM)).astype("float32") for _ in range(2)]
    compiled = optimizers.adam(optimizers.COMPILE_FROM_WEIGHTS, max_rows=10)
    np.testing.assert_allclose(_run(compiled, dense), _run(keras.optimizers.Adam(), dense), rtol=1e-6)
    assert type(optimizers.adam(optimizers.COMPILE_FROM_WEIGHTS - 1, max_rows=10)) is keras.optimizers.Adam


def test_more_rows_than_planned_is_an_error_not_a_silent_cut():
    import tensorflow as tf

    compiled = optimizers.adam(optimizers.COMPILE_FROM_WEIGHTS, max_rows=10)
    with pytest.raises(tf.errors.InvalidArgumentError, match="more words than batch size x length"):
        _run(compiled, [_slices(np.random.default_rng(2), 11)])


def test_a_model_with_the_compiled_adam_saves_and_loads(tmp_path):
    keras = import_keras()
    config = TrainConfig()  # lstm: a 20,000 x 32 table takes the compiled update
    assert config.num_words * config.embedding_dim >= optimizers.COMPILE_FROM_WEIGHTS
    model = build_model(config)
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras", compile=False, safe_mode=True)
    assert loaded.count_params() == model.count_params()
