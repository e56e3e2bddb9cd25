"""Scoring padded batches with a trained model: one traced function for every batch shape."""

from __future__ import annotations

import numpy as np

from core.config import TrainConfig
from core.encoding import arrays


def inference_function(model):
    """The model as a ``tf.function`` over int32 batches of any shape: traced once.

    ``predict_on_batch`` retraces for new shapes, and length-bucketed batches all have
    different shapes; ``model.predict`` costs ~100 ms per call (shared notes).
    """
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec((None, None), tf.int32)])
    def infer(word_ids):
        return tf.reshape(model(word_ids, training=False), (-1,))

    return infer


#: Reviews per scoring batch: more than training's, so fewer calls.
SCORING_BATCH_SIZE = 256


def scoring_config(config: TrainConfig, batch_size: int = SCORING_BATCH_SIZE) -> TrainConfig:
    """``config`` with validation's batch size: sorted batches of 256, padded to their longest review.

    Validation only ranks epochs of one run, so it takes the few large batches; the test set and
    every prediction are scored batch-invariantly instead (:func:`predict_sequences`).
    """
    return config.replace(batch_size=min(1024, max(batch_size, config.batch_size)))


def predict_sequences(
    model, sequences: list[np.ndarray], config: TrainConfig, batch_size: int = SCORING_BATCH_SIZE, infer=None, stop=None
) -> np.ndarray | None:
    """Probabilities for ragged sequences, in their order, each padded as it would be alone.

    The same text gets the same probability whatever it is scored with (:func:`arrays.scoring_batches`).
    ``stop``, if given, is asked before every batch; when it says True the scoring ends and None is returned.
    """
    infer = infer or inference_function(model)
    probabilities = np.zeros(len(sequences), dtype=np.float32)
    for idx, x in arrays.scoring_batches(sequences, config, batch_size):
        if stop is not None and stop():
            return None
        probabilities[idx] = infer(x).numpy()
    return probabilities
