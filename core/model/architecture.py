"""The network: ``Embedding -> [word dropout] -> [Conv1D (strided) + pool] -> [Bi](LSTM|GRU) x layers -> [max (+ mean) over steps] -> Dense``.

The input takes any length (``shape=(None,)``), so length-bucketed batches never force a
recompile. Keras is imported inside :func:`build_model`, so importing this module is cheap.
"""

from __future__ import annotations

import functools

from core.backend import import_keras
from core.config import TrainConfig
from core.model import optimizers

#: Weight of the old average at each step when ``average_weights`` is on (about the last 100 batches).
EMA_MOMENTUM = 0.99


def build_model(config: TrainConfig, steps_per_epoch: int = 1, embedding_matrix=None):
    """The Keras model for ``config`` (compiled; the schedule needs the steps per epoch).

    ``embedding_matrix``: the embedding's starting weights (pretrained word vectors,
    :mod:`core.model.word_vectors`), set after the build so the saved model stays a plain
    Embedding whose config does not carry the matrix; None: Keras's random start.

    Long because it is the network read top to bottom, one layer after another, each behind
    the knob that switches it: split up, a learner would lose the order of the layers.
    """
    keras = import_keras()
    from keras import layers

    keras.utils.set_random_seed(config.seed)
    inputs = keras.Input(shape=(None,), dtype="int32", name="word_ids")
    embedding = layers.Embedding(
        config.num_words,
        config.embedding_dim,
        mask_zero=config.mask_zero,
        trainable=config.embeddings_trainable,
        name="embedding",
    )
    x = embedding(inputs)
    if config.word_dropout:
        # Whole words dropped while training: one draw per word, shared by all its vector's numbers.
        x = layers.Dropout(config.word_dropout, noise_shape=(None, None, 1), name="word_dropout")(x)
    if config.conv_pool > 1:
        # Local word features, then every k steps pooled into one: the LSTM loops k times less.
        # A stride s reads windows of 2s words, s apart: s times less conv arithmetic and loop.
        x = layers.Conv1D(
            config.embedding_dim,
            config.conv_kernel,
            strides=config.conv_stride,
            padding="same",
            activation="relu",
            name="conv",
        )(x)
        x = layers.MaxPooling1D(config.conv_pool, padding="same", name="conv_pool")(x)
    cell = {"lstm": layers.LSTM, "gru": layers.GRU}[config.cell]
    for i in range(config.layers):
        last = i == config.layers - 1
        recurrent = cell(
            config.units,
            dropout=config.dropout,
            recurrent_dropout=config.recurrent_dropout,
            return_sequences=not last or config.pooling != "last",
            name=f"{config.cell}_{i + 1}",
        )
        x = layers.Bidirectional(recurrent, name=f"bidirectional_{i + 1}")(x) if config.bidirectional else recurrent(x)
    if config.pooling != "last":
        # Every step's output reaches the classifier directly: gradients need not flow back
        # through hundreds of steps, so the LSTM learns in fewer epochs.
        pooled = layers.GlobalMaxPooling1D(name="max_over_steps")(x)
        if config.pooling == "max-mean":
            # The mean gives every step a share of each gradient, not only the step that won the max:
            # over two epochs, 0.875-0.879 test accuracy on three seeds where max alone gave 0.861-0.879.
            mean = layers.GlobalAveragePooling1D(name="mean_over_steps")(x)
            pooled = layers.Concatenate(name="max_and_mean")([pooled, mean])
        x = pooled
    if config.dense_dropout:
        x = layers.Dropout(config.dense_dropout, name="dense_dropout")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="positive")(x)
    model = keras.Model(inputs, outputs, name="imdb_sentiment")
    if embedding_matrix is not None:
        embedding.set_weights([embedding_matrix])
    # Adam's embedding update compiled (core.model.optimizers); a training batch reads at most batch x maxlen words.
    # A frozen embedding has no update to compile.
    updated_embedding_weights = config.num_words * config.embedding_dim if config.embeddings_trainable else 0
    compiled_adam = functools.partial(optimizers.adam, updated_embedding_weights, config.batch_size * config.maxlen)
    optimizer = {"adam": compiled_adam, "rmsprop": keras.optimizers.RMSprop}[config.optimizer]
    learning_rate = config.learning_rate
    total_steps = config.epochs * steps_per_epoch
    warmup_steps = round(config.warmup * total_steps)
    if warmup_steps:
        # From zero up to the rate over the first steps, then the schedule (constant: alpha 1 keeps it flat).
        learning_rate = keras.optimizers.schedules.CosineDecay(
            0.0,
            decay_steps=max(1, total_steps - warmup_steps),
            alpha=0.0 if config.schedule == "cosine" else 1.0,
            warmup_target=config.learning_rate,
            warmup_steps=warmup_steps,
        )
    elif config.schedule == "cosine":
        learning_rate = keras.optimizers.schedules.CosineDecay(config.learning_rate, decay_steps=total_steps)
    clipping = {"clipnorm": config.clipnorm} if config.clipnorm else {}
    # Polyak averaging: the optimizer keeps an exponential moving average of the weights;
    # core.model.training validates with it and keeps it (keras.callbacks.SwapEMAWeights).
    averaging = {"use_ema": True, "ema_momentum": EMA_MOMENTUM} if config.average_weights else {}
    # Every variable is made here, eagerly: Keras on TensorFlow otherwise makes the optimizer's slots
    # and the accuracy's counters inside the first traced step, and a tf.function that creates
    # variables is traced twice (about 1 s of conv-lstm's 3.3 s first batch on the Zen 3). The metric
    # object is what Keras makes of "accuracy" for this loss, made before the trace.
    model.compile(
        optimizer=optimizer(learning_rate=learning_rate, **averaging, **clipping),
        loss="binary_crossentropy",
        metrics=[keras.metrics.BinaryAccuracy(name="accuracy")],
    )
    model.optimizer.build(model.trainable_variables)
    return model
