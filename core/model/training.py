"""Building and training the models: one function, :func:`train`, for jobs, CLI and bench.

The model is ``Embedding -> [Bi](LSTM|GRU) x layers -> Dropout -> Dense(1, sigmoid)``
with an input of any length (``shape=(None,)``), so length-bucketed batches never
force a recompile. Progress is reported per batch through a :class:`Reporter`, whose
``should_stop`` is checked after every batch (cancel stops within one batch).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from core.encoding import arrays
from core.config import TrainConfig
from core.model.metrics import binary_metrics

class Reporter:
    """Receives progress; the default ignores it and never asks to stop."""

    def phase(self, name: str) -> None: ...

    def model_ready(self, model) -> None:
        """The compiled model, before training (benchmarks evaluate it between epochs)."""

    def started(self, epochs: int, batches_per_epoch: int, train_samples: int) -> None: ...

    def batch(self, epoch: int, batch: int, loss: float, accuracy: float, samples: int) -> None: ...

    def epoch(self, epoch: int, logs: dict) -> None: ...

    def should_stop(self) -> bool:
        return False

    def wants_partial(self) -> bool:
        """After a cancel: evaluate what was learned (True) or skip straight to the end."""
        return True


class _Cancelled(Exception):
    """Raised from the progress callback to leave ``model.fit`` at once (no validation pass)."""


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


def build_model(config: TrainConfig, steps_per_epoch: int = 1):
    """The Keras model for ``config`` (compiled; the schedule needs the steps per epoch)."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(config.seed)
    inputs = keras.Input(shape=(None,), dtype="int32", name="word_ids")
    x = layers.Embedding(config.num_words, config.embedding_dim, mask_zero=config.mask_zero, name="embedding")(inputs)
    if config.conv_pool > 1:
        # Local word features, then every k steps pooled into one: the LSTM loops k times less.
        x = layers.Conv1D(config.embedding_dim, 5, padding="same", activation="relu", name="conv")(x)
        x = layers.MaxPooling1D(config.conv_pool, padding="same", name="conv_pool")(x)
    cell = {"lstm": layers.LSTM, "gru": layers.GRU}[config.cell]
    for i in range(config.layers):
        last = i == config.layers - 1
        recurrent = cell(config.units, dropout=config.dropout, recurrent_dropout=config.recurrent_dropout,
                         return_sequences=not last or config.pooling == "max", name=f"{config.cell}_{i + 1}")
        x = layers.Bidirectional(recurrent, name=f"bidirectional_{i + 1}")(x) if config.bidirectional else recurrent(x)
    if config.pooling == "max":
        # Every step's output reaches the classifier directly: gradients need not flow back
        # through hundreds of steps, so the LSTM learns in fewer epochs.
        x = layers.GlobalMaxPooling1D(name="max_over_steps")(x)
    if config.dense_dropout:
        x = layers.Dropout(config.dense_dropout, name="dense_dropout")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="positive")(x)
    model = keras.Model(inputs, outputs, name="imdb_sentiment")
    optimizer = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}[config.optimizer]
    learning_rate = config.learning_rate
    if config.schedule == "cosine":
        learning_rate = keras.optimizers.schedules.CosineDecay(config.learning_rate,
                                                               decay_steps=config.epochs * steps_per_epoch)
    model.compile(optimizer=optimizer(learning_rate=learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def _dataset(sequences, labels, config: TrainConfig, *, shuffle: bool, epoch_seed: list[int]):
    """A tf.data pipeline over padded batches of varying length (reshuffled every epoch)."""
    import tensorflow as tf

    def generate():
        epoch_seed[0] += 1
        yield from arrays.batches(sequences, labels, config, shuffle=shuffle, seed=config.seed * 1000 + epoch_seed[0])

    signature = (tf.TensorSpec((None, None), tf.int32), tf.TensorSpec((None,), tf.float32))
    n_batches = -(-len(sequences) // config.batch_size)
    dataset = tf.data.Dataset.from_generator(generate, output_signature=signature)
    # A known length lets Keras end each epoch cleanly (no "ran out of data" warning).
    return dataset.apply(tf.data.experimental.assert_cardinality(n_batches)).prefetch(2)


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


def predict_sequences(model, sequences: list[np.ndarray], config: TrainConfig, batch_size: int = 256,
                      infer=None) -> np.ndarray:
    """Probabilities for ragged sequences, in their order, padded the way the model was trained."""
    infer = infer or inference_function(model)
    probabilities = np.zeros(len(sequences), dtype=np.float32)
    eval_config = config.replace(batch_size=min(1024, max(batch_size, config.batch_size)))
    for idx, x in arrays.batches(sequences, None, eval_config, shuffle=False):
        probabilities[idx] = infer(x).numpy()
    return probabilities


def _progress_callback(reporter: Reporter, batch_sizes: list[int]):
    """A Keras callback: raw per-batch loss/accuracy, epoch logs, cancel within one batch.

    Defined on first use so that importing this module does not import Keras.
    """
    import keras

    class Callback(keras.callbacks.Callback):
        def __init__(self, reporter: Reporter, batch_sizes: list[int]):
            super().__init__()
            self.reporter, self.batch_sizes = reporter, batch_sizes
            self.batch_history: list[dict] = []
            self.epoch_history: list[dict] = []
            self.cancelled = False
            self._epoch = 0
            self._samples_total = 0

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch, self._seen, self._sum_loss, self._sum_correct = epoch + 1, 0, 0.0, 0.0

        def on_train_batch_end(self, batch, logs=None):
            # Keras 3 logs running means over the epoch, weighted by batch size;
            # recover this batch's own values from the change in the running sums.
            n = self.batch_sizes[batch] if batch < len(self.batch_sizes) else self.batch_sizes[-1]
            seen = self._seen + n
            loss_sum, correct_sum = logs["loss"] * seen, logs["accuracy"] * seen
            loss, accuracy = (loss_sum - self._sum_loss) / n, (correct_sum - self._sum_correct) / n
            self._seen, self._sum_loss, self._sum_correct = seen, loss_sum, correct_sum
            self._samples_total += n
            row = {"step": len(self.batch_history) + 1, "epoch": self._epoch, "batch": batch + 1,
                   "loss": float(loss), "accuracy": float(min(1.0, max(0.0, accuracy)))}
            self.batch_history.append(row)
            self.reporter.batch(self._epoch, batch + 1, row["loss"], row["accuracy"], self._samples_total)
            if not math.isfinite(row["loss"]):
                self.model.stop_training = True
            if self.reporter.should_stop():
                self.cancelled = True
                raise _Cancelled  # stop_training would still run a whole validation pass

        def on_epoch_end(self, epoch, logs=None):
            row = {"epoch": epoch + 1, **{k: float(v) for k, v in (logs or {}).items()
                                          if k in ("loss", "accuracy", "val_loss", "val_accuracy")}}
            self.epoch_history.append(row)
            self.reporter.epoch(epoch + 1, row)

    return Callback(reporter, batch_sizes)


def train(config: TrainConfig, data, reporter: Reporter | None = None) -> TrainResult:
    """Train ``config`` on ``data`` (an :class:`core.data.dataset.ImdbData`), evaluate on the test set."""
    import keras

    reporter = reporter or Reporter()
    reporter.phase("preparing data")
    started = time.perf_counter()
    prepared = arrays.prepare(data, config)
    prepare_seconds = time.perf_counter() - started
    lengths = np.array([len(s) for s in prepared.x_train])
    batch_sizes = [len(b) for b in arrays.batch_order(lengths, config.batch_size, bucketing=False, shuffle=False, rng=None)]
    model = build_model(config, steps_per_epoch=len(batch_sizes))
    reporter.model_ready(model)
    progress = _progress_callback(reporter, batch_sizes)
    callbacks = [progress]
    if config.patience:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max", patience=config.patience,
                                                       restore_best_weights=True))
    epoch_seed = [0]
    train_ds = _dataset(prepared.x_train, prepared.y_train, config, shuffle=True, epoch_seed=epoch_seed)
    val_ds = _dataset(prepared.x_val, prepared.y_val, config, shuffle=False, epoch_seed=[0])
    reporter.started(config.epochs, len(batch_sizes), len(prepared.x_train))
    reporter.phase("training")
    fit_started = time.perf_counter()
    try:
        model.fit(train_ds, validation_data=val_ds, epochs=config.epochs, callbacks=callbacks, verbose=0,
                  shuffle=False)  # batches are shuffled by arrays.batches
    except _Cancelled:
        pass  # the weights are those after the last finished batch
    train_seconds = time.perf_counter() - fit_started

    eval_started = time.perf_counter()
    if progress.cancelled and not reporter.wants_partial():  # discarded: not worth evaluating
        probabilities = np.full(len(prepared.x_test), np.nan, dtype=np.float32)
        test_metrics = {"accuracy": float("nan"), "loss": float("nan"), "count": 0}
    else:
        reporter.phase("evaluating on the test set")
        probabilities = predict_sequences(model, prepared.x_test, config)
        test_metrics = binary_metrics(probabilities, prepared.y_test)
    eval_seconds = time.perf_counter() - eval_started
    early = callbacks[-1] if config.patience else None
    best_epoch = (early.best_epoch + 1) if early is not None and early.best_weights is not None else None
    notes = []
    if prepared.dropped_long:
        notes.append(f"{prepared.dropped_long} training reviews of {config.maxlen} or more ids were dropped "
                     f"(keras_maxlen_filter, as keras.datasets.imdb does)")
    return TrainResult(
        model=model, batch_history=progress.batch_history, epoch_history=progress.epoch_history,
        test_metrics=test_metrics, test_probabilities=probabilities,
        test_indices=prepared.test_indices, train_seconds=train_seconds, eval_seconds=eval_seconds,
        prepare_seconds=prepare_seconds,
        stopped_early=bool(early is not None and early.stopped_epoch > 0), cancelled=progress.cancelled,
        best_epoch=best_epoch, samples_per_second=progress._samples_total / max(train_seconds, 1e-9), notes=notes,
    )
