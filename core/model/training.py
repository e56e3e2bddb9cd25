"""Training: one function, :func:`train`, for jobs, the CLI and the benchmarks.

Data flows in the order of this file: prepare the arrays (validation from the training
split), build the model, fit with per-batch progress and cancel, then score the test set
once. NaN losses stop training through Keras's own ``TerminateOnNaN``.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field

import numpy as np

from core.backend import import_keras
from core.config import TrainConfig
from core.encoding import arrays
from core.model.architecture import build_model
from core.model.inference import predict_sequences, scoring_config
from core.model.metrics import binary_metrics
from core.model.progress import (
    PHASE_SCORING,
    PHASE_SCORING_PARTIAL,
    PHASE_TRAINING,
    Cancelled,
    Reporter,
)
from core.model.snapshots import WeightSnapshots, new_snapshots
from core.model.word_vectors import aligned_vectors


@dataclass
class TrainResult:
    """What a finished (or cancelled) training produced."""

    model: object
    batch_history: list[dict]
    epoch_history: list[dict]
    test_metrics: dict
    test_probabilities: np.ndarray
    test_indices: np.ndarray
    train_seconds: float
    eval_seconds: float
    prepare_seconds: float
    stopped_early: bool
    cancelled: bool
    best_epoch: int | None
    samples_per_second: float
    notes: list[str] = field(default_factory=list)
    steady_samples_per_second: float = 0.0  # after the first (tracing) batch: what calibrates estimates
    snapshots: WeightSnapshots | None = None  # the weights along the way (core.model.snapshots)
    embeddings_note: str | None = None  # pretrained vectors: "GloVe 6B 50d: 19,248 of 20,000 words found, ..."


def _dataset(sequences, labels, config: TrainConfig, *, shuffle: bool, epoch_seed: list[int], epochs: int = 1):
    """A tf.data pipeline over padded batches of varying length (reshuffled every epoch).

    ``epochs`` > 1: one pipeline that runs through all epochs (``fit`` then needs ``steps_per_epoch``),
    so Keras keeps one iterator instead of tearing one down and building the next between epochs:
    that hand-over stalled the first batch of an epoch for up to 8 s in some runs. It ends with the
    last epoch: an endless one kept its generator busy past the end and ``fit`` took 16 s to return
    (docs/training-speed.md).
    """
    import tensorflow as tf

    def generate():
        epoch_seed[0] += 1
        yield from arrays.batches(sequences, labels, config, shuffle=shuffle, seed=config.seed * 1000 + epoch_seed[0])

    signature = (tf.TensorSpec((None, None), tf.int32), tf.TensorSpec((None,), tf.float32))
    n_batches = -(-len(sequences) // config.batch_size)
    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
    # A known length lets Keras end each epoch cleanly (no "ran out of data" warning).
    dataset = dataset.apply(tf.data.experimental.assert_cardinality(n_batches))
    return (dataset.repeat(epochs) if epochs > 1 else dataset).prefetch(2)


def train(config: TrainConfig, data, reporter: Reporter | None = None) -> TrainResult:
    """Train ``config`` on ``data`` and score the test set once.

    Long because it is the pipeline in order (encode, batch, build, fit, restore, score),
    each phase reported as it starts; its parts live in their own modules already.

    Args:
        config: the validated training configuration.
        data: an :class:`core.data.dataset.ImdbData`; validation comes from its training split.
        reporter: receives phases and per-batch progress and may ask to stop (default: silent).

    Returns:
        The model, its batch and epoch history and its test metrics (NaN when a
        cancelled run is discarded and so not worth scoring).
    """
    reporter = reporter or Reporter()
    reporter.phase("preparing data")
    started = time.perf_counter()
    prepared = arrays.prepare(data, config)
    prepare_seconds = time.perf_counter() - started
    batch_sizes = _batch_sizes(prepared, config)
    vectors = aligned_vectors(config, data.vocabulary)
    model = build_model(config, len(batch_sizes), None if vectors is None else vectors.matrix)
    reporter.model_ready(model)
    from core.model.callbacks import ProgressCallback, SnapshotCallback  # subclasses of Keras's: imported here

    progress = ProgressCallback(reporter, batch_sizes)
    early = _early_stopping(config)
    snapshots = new_snapshots(model, len(batch_sizes), config.epochs)
    snapshotter = SnapshotCallback(snapshots, batch_sizes)
    train_ds = _dataset(prepared.x_train, prepared.y_train, config, shuffle=True, epoch_seed=[0], epochs=config.epochs)
    # Validation in sorted batches of 256 (fewer, larger batches than training's: a shorter pass).
    val_ds = _dataset(prepared.x_val, prepared.y_val, scoring_config(config), shuffle=False, epoch_seed=[0])
    reporter.started(config.epochs, len(batch_sizes), len(prepared.x_train))
    reporter.phase(PHASE_TRAINING)
    fit_started = time.perf_counter()
    with contextlib.suppress(Cancelled):  # a cancel keeps the weights after the last finished batch
        model.fit(
            train_ds,
            validation_data=val_ds,
            epochs=config.epochs,
            steps_per_epoch=len(batch_sizes),
            callbacks=_callbacks(progress, snapshotter, early, config.average_weights),
            verbose=0,
            shuffle=False,  # batches are shuffled by arrays.batches
        )
    train_seconds = time.perf_counter() - fit_started
    restored = early is not None and early.best_weights is not None and not progress.cancelled
    snapshotter.finish(model, early.best_epoch + 1 if restored else None, progress.epoch_history)
    steady = progress.steady_samples_per_second()
    eval_started = time.perf_counter()
    probabilities, test_metrics = _score_test_set(model, prepared, config, reporter, progress.cancelled)
    return TrainResult(
        model=model,
        batch_history=progress.batch_history,
        epoch_history=progress.epoch_history,
        test_metrics=test_metrics,
        test_probabilities=probabilities,
        test_indices=prepared.test_indices,
        train_seconds=train_seconds,
        eval_seconds=time.perf_counter() - eval_started,
        prepare_seconds=prepare_seconds,
        stopped_early=bool(early is not None and early.stopped_epoch > 0),
        cancelled=progress.cancelled,
        best_epoch=(early.best_epoch + 1) if early is not None and early.best_weights is not None else None,
        samples_per_second=progress.samples_total / max(train_seconds, 1e-9),
        notes=_notes(prepared, config),
        steady_samples_per_second=steady,
        snapshots=snapshots,
        embeddings_note=None if vectors is None else vectors.describe(config.embeddings_trainable),
    )


def _notes(prepared, config: TrainConfig) -> list[str]:
    """What a user should know about this run's data (stored with the run)."""
    if not prepared.dropped_long:
        return []
    return [
        f"{prepared.dropped_long} training reviews of {config.maxlen} or more ids were dropped "
        f"(keras_maxlen_filter, as keras.datasets.imdb does)"
    ]


def _batch_sizes(prepared, config: TrainConfig) -> list[int]:
    """Reviews in each training batch of an epoch (the progress callback needs them; the last batch is short)."""
    lengths = np.array([len(s) for s in prepared.x_train])
    return [len(b) for b in arrays.batch_order(lengths, config.batch_size, bucketing=False, shuffle=False, rng=None)]


def _early_stopping(config: TrainConfig):
    """Keras's EarlyStopping on validation accuracy, keeping the best epoch's weights (None: patience 0)."""
    if not config.patience:
        return None
    keras = import_keras()

    return keras.callbacks.EarlyStopping(
        monitor="val_accuracy", mode="max", patience=config.patience, restore_best_weights=True
    )


def _callbacks(progress, snapshotter, early, average_weights: bool) -> list:
    """The snapshots, then progress (its cancel leaves ``fit`` at once; a NaN batch is still recorded), then
    Keras's NaN stop, then with ``average_weights`` Keras's swap to the averaged weights for validation and
    at each epoch's end, then early stopping (it keeps and restores the best epoch's weights: the average)."""
    keras = import_keras()

    swap = [keras.callbacks.SwapEMAWeights(swap_on_epoch=True)] if average_weights else []
    return [snapshotter, progress, keras.callbacks.TerminateOnNaN(), *swap, *([early] if early is not None else [])]


def _score_test_set(model, prepared, config: TrainConfig, reporter: Reporter, cancelled: bool):
    """Test probabilities and metrics, measured once, at the end; skipped for a discarded cancelled run.

    A cancelled run kept as partial is scored in its own phase, and a second cancel
    (``wants_partial`` turning False) stops that scoring between two batches.
    """
    nan = {"accuracy": float("nan"), "loss": float("nan"), "count": 0}
    skipped = np.full(len(prepared.x_test), np.nan, dtype=np.float32), nan
    if cancelled and not reporter.wants_partial():
        return skipped
    reporter.phase(PHASE_SCORING_PARTIAL if cancelled else PHASE_SCORING)
    stop = (lambda: not reporter.wants_partial()) if cancelled else None
    probabilities = predict_sequences(model, prepared.x_test, config, stop=stop)
    if probabilities is None:
        return skipped
    return probabilities, binary_metrics(probabilities, prepared.y_test)
