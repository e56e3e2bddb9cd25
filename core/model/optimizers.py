"""Keras's Adam, with the embedding's update compiled by XLA: the largest single op of a ``conv-lstm`` batch.

The embedding's gradient reaches the optimizer as ``tf.IndexedSlices``, one row per word a
batch read (64 reviews x up to 300 words). Keras's Adam adds those rows into a dense table
with TensorFlow's ``UnsortedSegmentSum`` and then updates the whole 20,000-row table op by op.
On the 2-core Zen 4 that kernel alone was 12% of a ``conv-lstm`` (then ``fast``) epoch's CPU samples (``perf``), the
largest of any op (``docs/training-speed.md``). Compiled by XLA (``tf.function(jit_compile=True)``),
the same sums and Keras's own update (``keras.optimizers.Adam.update_step``, not rewritten,
so the numbers are Keras's) run as a few fused loops. XLA compiles once per input shape, so
the rows are padded to a fixed count (``max_rows``: batch size x length, the most a training
batch can read); a padded row adds zeros to row 0. Dense gradients (every other weight) take
Keras's path unchanged.

Hand-written only as this thin subclass: Keras has no sparse or compiled option for a single
variable's update, and compiling the whole training step instead would recompile for every
bucketed batch length.
"""

from __future__ import annotations

import functools

from core.backend import import_keras

#: Below this many embedding weights Keras's own update is cheap, and XLA's compile (about 0.4 s,
#: once per training) would cost more than it saves: the tests' tiny models keep Keras's Adam.
COMPILE_FROM_WEIGHTS = 500_000


def adam(embedding_weights: int, max_rows: int, **kwargs):
    """Adam for a model with an embedding of ``embedding_weights``; ``kwargs`` go to Keras's Adam.

    ``max_rows``: the most embedding rows one batch reads (batch size x length).
    """
    if embedding_weights < COMPILE_FROM_WEIGHTS:
        return import_keras().optimizers.Adam(**kwargs)
    return _adam_class()(max_rows=max_rows, **kwargs)


@functools.cache
def _adam_class():
    keras = import_keras()
    import tensorflow as tf

    @keras.saving.register_keras_serializable(package="imdb_lab")
    class CompiledSparseAdam(keras.optimizers.Adam):
        """Adam; an ``IndexedSlices`` gradient is summed and applied in one XLA-compiled function."""

        def __init__(self, max_rows: int, **kwargs):
            super().__init__(**kwargs)
            self.max_rows = int(max_rows)
            self._compiled_updates = {}

        def update_step(self, gradient, variable, learning_rate):
            if not isinstance(gradient, tf.IndexedSlices):
                return super().update_step(gradient, variable, learning_rate)
            rows = tf.shape(gradient.indices)[0]
            check = tf.debugging.assert_less_equal(
                rows, self.max_rows, message="a batch read more words than batch size x length"
            )
            with tf.control_dependencies([check]):
                pad = self.max_rows - rows
            values = tf.ensure_shape(tf.pad(gradient.values, [[0, pad], [0, 0]]), [self.max_rows, None])
            indices = tf.ensure_shape(tf.pad(gradient.indices, [[0, pad]]), [self.max_rows])
            return self._compiled_update(variable)(values, indices, learning_rate)

        def _compiled_update(self, variable):
            key = self._var_key(variable)  # Keras's own key (the TF backend passes the tf.Variable)
            if key not in self._compiled_updates:

                def update(values, indices, learning_rate):
                    # Keras's update on the slices themselves, so its numbers stay Keras's: it squares
                    # each row before summing a word's repeats (so does this), then densifies.
                    gradient = tf.IndexedSlices(values, indices, tf.constant(variable.shape.as_list(), tf.int64))
                    keras.optimizers.Adam.update_step(self, gradient, variable, learning_rate)

                self._compiled_updates[key] = tf.function(update, jit_compile=True)
            return self._compiled_updates[key]

        def get_config(self):
            return {**super().get_config(), "max_rows": self.max_rows}

    return CompiledSparseAdam
