"""The cost model: what each knob costs on a 2-core CPU, and the time estimate built from it.

One home for these figures (shared/notes/keras-on-cpu.md): :func:`relative_cost` (the
time estimate and the job manager's time budget) and :func:`slow_setting_warnings` (the
Train page's warnings) read the same constants, so a warning can never quote another
factor than the estimate uses. These are the figures measured on the machine named in the
notes; :mod:`core.runs.calibration` rescales them to the machine the app runs on.
"""

from __future__ import annotations

import numpy as np

from core.config import TrainConfig

#: Seconds per (sample x token step x cost unit), measured on these 2-core machines for
#: Embedding(5000,128)+LSTM(64), length 200, batch 128, no mask: about 23 s per 25,000 reviews.
SECONDS_PER_SAMPLE_STEP = 23.0 / (25_000 * 200)
#: ``mask_zero=True`` adds work on every step (+11 to 35%).
MASK_FACTOR = 1.25
#: ``recurrent_dropout > 0`` switches to a slower cell: (batch <= 32, larger batches).
RECURRENT_DROPOUT_FACTOR = (2.0, 1.5)
#: Each stacked layer after the first adds this share.
EXTRA_LAYER_SHARE = 0.7
#: Bidirectional reads every review twice (measured 1.4-1.9x).
BIDIRECTIONAL_FACTOR = 1.6
BIDIRECTIONAL_RANGE = "1.4-1.9x"
GRU_FACTOR = 0.95
#: batch 32 -> 128: about 1.7x more samples per second.
BATCH_EXPONENT = 0.45
#: A conv front end shortening the loop k-fold (stride x pool) makes the LSTM loop k times less; the conv is not free.
CONV_POOL_EXPONENT = 0.6
#: Bucketed batches still pad to their longest review: about 10% more steps than the mean length.
BUCKET_PADDING = 1.1
#: Seconds per embedding weight per batch of Adam's update (it touches the whole table every
#: batch, :mod:`core.model.optimizers`): measured 2026-12-07 on the 2-core Xeon (AVX-512) with the
#: ``lstm`` network at length 20, batch 128: 0.029 s a batch at 20,000 x 32, 0.114 s at
#: 100,000 x 128, 0.433 s at 100,000 x 512 (about 8 ns a weight). Counted beyond the reference
#: network's own table (5,000 x 128), whose update is inside SECONDS_PER_SAMPLE_STEP already.
SECONDS_PER_EMBEDDING_WEIGHT = 8e-9
REFERENCE_EMBEDDING_WEIGHTS = 5_000 * 128
#: Floats one recurrent step keeps for the backward pass, per unit and direction (gates, cell, state, inputs).
STEP_FLOATS_PER_UNIT = {"lstm": 10, "gru": 8}
#: The backward pass holds its own temporaries beside what the forward pass kept.
BACKWARD_FACTOR = 2.0
#: Copies of every weight while training: the weight, its gradient and the optimizer's slots.
WEIGHT_COPIES = {"adam": 4, "rmsprop": 3}
#: Mean tokens per IMDB review, used when the lengths are not known yet.
MEAN_REVIEW_TOKENS = 230.0
#: Above this ``maxlen`` the Train page warns that time grows with length.
LONG_MAXLEN = 400


def relative_cost(config: TrainConfig) -> float:
    """Cost per sample-step relative to Embedding(128)+LSTM(64), batch 128, no mask."""
    width = config.units * (config.units + config.embedding_dim) / (64 * (64 + 128))
    cost = 0.5 + 0.5 * width
    cost *= MASK_FACTOR if config.mask_zero else 1.0
    if config.recurrent_dropout:
        small_batch, large_batch = RECURRENT_DROPOUT_FACTOR
        cost *= small_batch if config.batch_size <= 32 else large_batch
    cost *= 1.0 + EXTRA_LAYER_SHARE * (config.layers - 1)
    cost *= BIDIRECTIONAL_FACTOR if config.bidirectional else 1.0
    cost *= 1.0 if config.cell == "lstm" else GRU_FACTOR
    cost *= (128 / config.batch_size) ** BATCH_EXPONENT
    cost /= config.shortening**CONV_POOL_EXPONENT
    return cost


def epoch_samples(config: TrainConfig, lengths: np.ndarray | None = None, train_reviews: int = 25_000) -> float:
    """Reviews one epoch trains on: the training split (or ``train_limit``) less validation and filtered reviews."""
    kept = 1.0
    if lengths is not None and len(lengths) and config.keras_maxlen_filter:
        kept = float((np.asarray(lengths) + 1 < config.maxlen).mean())
    return min(config.train_limit or train_reviews, train_reviews) * kept * (1 - config.validation_fraction)


def seconds_per_sample(config: TrainConfig, lengths: np.ndarray | None = None) -> float:
    """The cost model's training seconds per review on the reference machine (the notes' figures)."""
    if lengths is None or not len(lengths):
        mean_steps = min(config.maxlen, MEAN_REVIEW_TOKENS * BUCKET_PADDING)
    else:
        lengths = np.asarray(lengths) + 1  # the start character
        if config.keras_maxlen_filter:
            lengths = lengths[lengths < config.maxlen]
        mean_steps = float(np.minimum(lengths, config.maxlen).mean()) * BUCKET_PADDING if len(lengths) else 0.0
    steps = mean_steps if config.bucketing else config.maxlen
    return (
        steps * SECONDS_PER_SAMPLE_STEP * relative_cost(config) + embedding_update_seconds(config) / config.batch_size
    )


def embedding_update_seconds(config: TrainConfig) -> float:
    """Seconds per batch the optimizer spends on an embedding table larger than the reference network's.

    Adam updates every row every batch, whatever the batch read: a 100,000 x 512 table
    costs about 0.4 s a batch here, which at batch 8 is half an hour an epoch.
    """
    trainable = config.embeddings_trainable  # a frozen table is not updated
    extra = config.num_words * config.embedding_dim - REFERENCE_EMBEDDING_WEIGHTS
    return max(0, extra) * SECONDS_PER_EMBEDDING_WEIGHT if trainable else 0.0


def parameter_count(config: TrainConfig) -> int:
    """The model's weights, counted as :func:`core.model.architecture.build_model` makes them (exactly)."""
    width = config.embedding_dim
    count = config.num_words * width
    if config.conv_pool > 1:
        count += config.conv_kernel * width * width + width
    directions = 2 if config.bidirectional else 1
    gates, biases = (4, 1) if config.cell == "lstm" else (3, 2)  # Keras's GRU keeps two biases (reset_after)
    for _ in range(config.layers):
        count += directions * gates * config.units * (width + config.units + biases)
        width = directions * config.units
    features = width * (2 if config.pooling == "max-mean" else 1)
    return count + features + 1


def peak_memory_bytes(config: TrainConfig) -> int:
    """An estimate of the memory one training batch needs beyond TensorFlow's own: weights, then activations.

    Weights: :data:`WEIGHT_COPIES` float32 copies. Activations: a batch padded to
    ``maxlen`` (the worst bucket) keeps, for every step, the embedding's output and each
    recurrent layer's :data:`STEP_FLOATS_PER_UNIT`, and the backward pass as much again.
    The job manager refuses configs above :func:`core.settings.max_job_memory_bytes`.
    """
    weights = parameter_count(config) * 4 * WEIGHT_COPIES.get(config.optimizer, 4)
    directions = 2 if config.bidirectional else 1
    steps = -(-config.maxlen // config.shortening)
    per_step = config.layers * directions * STEP_FLOATS_PER_UNIT[config.cell] * config.units
    floats = config.batch_size * (config.maxlen * config.embedding_dim + steps * per_step)
    return int(weights + floats * 4 * BACKWARD_FACTOR)


def estimate_epoch_seconds(
    config: TrainConfig, lengths: np.ndarray | None = None, train_reviews: int = 25_000
) -> float:
    """Rough seconds per epoch on the reference 2-core CPU, before any training (uncalibrated).

    :mod:`core.runs.calibration` scales it by what this server's stored runs measured;
    the app and the job manager's time budget use that calibrated figure.

    Args:
        config: the training configuration.
        lengths: tokens per training review; refines the estimate, since bucketed batches
            loop over the reviews' own lengths and ``keras_maxlen_filter`` drops the long ones.
        train_reviews: reviews in the training split.

    Returns:
        Seconds for one epoch over the training share (validation held out).
    """
    return epoch_samples(config, lengths, train_reviews) * seconds_per_sample(config, lengths)


def slow_setting_warnings(config: TrainConfig) -> list[str]:
    """Why these settings will be slow on a 2-core CPU, quoting the factors :func:`relative_cost` uses."""
    warnings = []
    if config.recurrent_dropout > 0:
        small_batch, large_batch = RECURRENT_DROPOUT_FACTOR
        warnings.append(
            "Recurrent dropout > 0 switches the LSTM to a slower implementation: "
            f"about {large_batch:g}x slower at batch 128, {small_batch:g}x at batch 32."
        )
    if config.maxlen > LONG_MAXLEN:
        warnings.append(
            f"maxlen {config.maxlen}: the LSTM takes one step per token, so time grows with length"
            + ("" if config.bucketing else ", and without bucketing every batch is padded to it")
            + "."
        )
    if config.layers > 1:
        warnings.append(
            f"{config.layers} stacked layers: each extra layer adds about {EXTRA_LAYER_SHARE:.0%} to the time."
        )
    if config.bidirectional:
        warnings.append(f"Bidirectional reads every review twice: {BIDIRECTIONAL_RANGE} slower.")
    return warnings
