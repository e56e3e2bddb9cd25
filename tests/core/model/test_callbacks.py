"""The Keras callbacks of training, each on its own: hooks called by hand with set logs, and a tiny ``fit``.

:class:`ProgressCallback` must turn Keras's running means back into each batch's own
values, report them and cancel within one batch; :class:`SnapshotCallback` must copy the
weights at exactly the planned steps and put the final snapshot where the run ends.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.model.progress import Reporter
from core.model.snapshots import SnapshotPoint, WeightSnapshots


@pytest.fixture(scope="module")
def callbacks():
    from core.model import callbacks  # imports Keras

    return callbacks


class _Recorder(Reporter):
    """Keeps every batch and epoch it is told about; asks to stop once ``stop_after`` batches were reported."""

    def __init__(self, stop_after: int | None = None):
        self.batches: list[tuple] = []
        self.epochs: list[tuple] = []
        self.stop_after = stop_after

    def batch(self, epoch, batch, loss, accuracy, samples):
        self.batches.append((epoch, batch, loss, accuracy, samples))

    def epoch(self, epoch, logs):
        self.epochs.append((epoch, logs))

    def should_stop(self):
        return self.stop_after is not None and len(self.batches) >= self.stop_after


def _running_means(values, sizes):
    """What Keras 3 logs after each batch: the size-weighted mean over the epoch so far."""
    sums = np.cumsum(np.multiply(values, sizes))
    return list(sums / np.cumsum(sizes))


def _tiny_model(seed: int = 0):
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _tiny_data(n: int = 10, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x[:, 0] > 0).astype("float32")


class _CountingModel:
    """Stands in for a Keras model: its one weight holds the number of batches trained so far."""

    def __init__(self):
        self.value = 0.0

    def get_weights(self):
        return [np.full((2, 3), self.value, dtype=np.float32)]


# ---------------------------------------------------------------- ProgressCallback


def test_progress_recovers_each_batchs_own_values_from_kerass_running_means(callbacks):
    sizes = [4, 4, 2]
    losses, accuracies = [0.9, 0.5, 0.2], [0.25, 0.75, 1.0]
    reporter = _Recorder()
    progress = callbacks.ProgressCallback(reporter, sizes)
    for epoch in range(2):
        progress.on_epoch_begin(epoch)
        for batch, (loss, accuracy) in enumerate(
            zip(_running_means(losses, sizes), _running_means(accuracies, sizes), strict=True)
        ):
            progress.on_train_batch_end(batch, {"loss": loss, "accuracy": accuracy})
        progress.on_epoch_end(epoch, {"loss": 0.6, "accuracy": 0.6, "val_loss": 0.7, "learning_rate": 0.01})

    assert [(row["step"], row["epoch"], row["batch"]) for row in progress.batch_history] == [
        (1, 1, 1),
        (2, 1, 2),
        (3, 1, 3),
        (4, 2, 1),
        (5, 2, 2),
        (6, 2, 3),
    ]
    assert [row["loss"] for row in progress.batch_history] == pytest.approx(losses * 2)
    assert [row["accuracy"] for row in progress.batch_history] == pytest.approx(accuracies * 2)
    # The reporter hears every batch with the reviews trained on so far (both epochs count).
    assert [(e, b, s) for e, b, _, _, s in reporter.batches] == [
        (1, 1, 4),
        (1, 2, 8),
        (1, 3, 10),
        (2, 1, 14),
        (2, 2, 18),
        (2, 3, 20),
    ]
    assert [r[2] for r in reporter.batches] == pytest.approx(losses * 2)
    assert progress.samples_total == 20 and not progress.cancelled
    # Epoch rows keep the four curves Keras logs and drop everything else (the learning rate).
    expected = {"epoch": 1, "loss": 0.6, "accuracy": 0.6, "val_loss": 0.7}
    assert progress.epoch_history[0] == expected
    assert reporter.epochs[0] == (1, expected) and reporter.epochs[1][0] == 2


def test_progress_uses_the_last_batch_size_past_the_list_and_clamps_accuracy(callbacks):
    progress = callbacks.ProgressCallback(_Recorder(), [8])
    progress.on_epoch_begin(0)
    progress.on_train_batch_end(0, {"loss": 0.5, "accuracy": 1.0})
    # Batch 2 is past the list: it counts 8 reviews; a running mean a float32 hair above 1 stays at 1.
    progress.on_train_batch_end(1, {"loss": 0.25, "accuracy": 1.0000001})
    assert progress.samples_total == 16
    assert progress.batch_history[1]["loss"] == pytest.approx(0.0)
    assert progress.batch_history[1]["accuracy"] == 1.0


def test_progress_cancels_within_one_batch_and_records_it_first(callbacks):
    from core.model.progress import Cancelled

    reporter = _Recorder(stop_after=2)
    progress = callbacks.ProgressCallback(reporter, [4, 4, 4])
    progress.on_epoch_begin(0)
    progress.on_train_batch_end(0, {"loss": 0.5, "accuracy": 0.5})
    assert not progress.cancelled
    with pytest.raises(Cancelled):
        progress.on_train_batch_end(1, {"loss": 0.5, "accuracy": 0.5})
    assert progress.cancelled and len(progress.batch_history) == len(reporter.batches) == 2


def test_progress_in_a_real_fit_matches_the_epoch_means_keras_logs(callbacks):
    sizes = [4, 4, 2]
    x, y = _tiny_data(10)
    reporter = _Recorder()
    progress = callbacks.ProgressCallback(reporter, sizes)
    assert progress.steady_samples_per_second() == 0.0  # nothing trained yet
    _tiny_model().fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0, callbacks=[progress])

    assert len(progress.batch_history) == 6 and progress.samples_total == 20
    assert [logs["epoch"] for logs in progress.epoch_history] == [1, 2]
    for logs in progress.epoch_history:
        rows = [row for row in progress.batch_history if row["epoch"] == logs["epoch"]]
        # Each batch's own loss and accuracy, weighted by its size, average back to Keras's epoch figures.
        assert np.average([r["loss"] for r in rows], weights=sizes) == pytest.approx(logs["loss"], rel=1e-4)
        assert np.average([r["accuracy"] for r in rows], weights=sizes) == pytest.approx(logs["accuracy"], abs=1e-5)
        assert all(0.0 <= r["accuracy"] <= 1.0 and math.isfinite(r["loss"]) for r in rows)
    assert [e for e, _ in reporter.epochs] == [1, 2]
    assert progress.steady_samples_per_second() > 0.0  # every batch after the first counts


def test_progress_cancel_leaves_a_real_fit_at_once(callbacks):
    from core.model.progress import Cancelled

    x, y = _tiny_data(12)
    progress = callbacks.ProgressCallback(_Recorder(stop_after=2), [4, 4, 4])
    with pytest.raises(Cancelled):
        _tiny_model().fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0, callbacks=[progress])
    assert progress.cancelled and len(progress.batch_history) == 2 and progress.epoch_history == []


# ---------------------------------------------------------------- SnapshotCallback


def _counting_run(callbacks, planned, *, per_epoch=3, epochs=2, sizes=(32, 32, 16), losses=None):
    """Drive a SnapshotCallback over ``epochs`` x ``per_epoch`` batches of a model that counts its steps."""
    model = _CountingModel()
    taken = WeightSnapshots(["dense/kernel"], [(2, 3)], per_epoch, planned)
    snapshotter = callbacks.SnapshotCallback(taken, list(sizes))
    snapshotter.set_model(model)
    snapshotter.on_train_begin()
    for epoch in range(epochs):
        snapshotter.on_epoch_begin(epoch)
        for batch in range(per_epoch):
            model.value += 1
            loss = losses[int(model.value) - 1] if losses else 0.5
            snapshotter.on_train_batch_end(batch, {"loss": loss, "accuracy": 0.75})
    return model, taken, snapshotter


def test_snapshots_are_taken_at_exactly_the_planned_steps(callbacks):
    _, taken, _ = _counting_run(callbacks, [0, 2, 5])
    assert [p.step for p in taken.points] == [0, 2, 5]
    # Each copy holds the weights as they were after that step (the model counts its steps), in float16.
    assert [w[0][0, 0] for w in taken.weights] == [0, 2, 5]
    assert {w[0].dtype for w in taken.weights} == {np.dtype(np.float16)}
    start, second, fifth = taken.points
    assert start == SnapshotPoint(0, 0, 0, 0, None, None, 0.0)
    assert (second.epoch, second.batch, second.samples, second.loss, second.accuracy) == (1, 2, 64, 0.5, 0.75)
    assert second.at_epoch == pytest.approx(2 / 3)
    assert (fifth.epoch, fifth.batch, fifth.samples) == (2, 2, 80 + 64)
    assert fifth.at_epoch == pytest.approx(1 + 2 / 3) and not fifth.final


def test_snapshots_without_step_0_in_the_plan_skip_the_untrained_model(callbacks):
    _, taken, _ = _counting_run(callbacks, [3])
    assert [p.step for p in taken.points] == [3] and taken.weights[0][0][0, 0] == 3


def test_the_final_snapshot_is_where_training_stopped_without_early_stopping(callbacks):
    model, taken, snapshotter = _counting_run(callbacks, [0], losses=[0.9, 0.8, 0.7, 0.6, 0.5, float("nan")])
    snapshotter.finish(model, None, [{"epoch": 1, "loss": 0.7}, {"epoch": 2, "loss": 0.6}])
    final = taken.points[-1]
    assert [p.step for p in taken.points] == [0, 6] and final.final
    assert (final.epoch, final.batch, final.samples, final.at_epoch) == (2, 3, 160, 2.0)
    assert final.loss is None and final.accuracy == 0.75  # a NaN running loss is stored as no value
    assert taken.weights[-1][0][0, 0] == 6


def test_the_final_snapshot_after_early_stopping_sits_at_the_restored_epoch(callbacks):
    model, taken, snapshotter = _counting_run(callbacks, [0])
    model.value = 3  # what EarlyStopping restores: the end of epoch 1
    snapshotter.finish(model, 1, [{"epoch": 1, "loss": 0.6, "accuracy": 0.65}, {"epoch": 2, "loss": 0.4}])
    final = taken.points[-1]
    assert final == SnapshotPoint(3, 1, 3, 80, 0.6, 0.65, 1.0, final=True)
    assert taken.weights[-1][0][0, 0] == 3
    # A restored epoch the history never logged keeps its place but has no loss to show.
    model2, taken2, snapshotter2 = _counting_run(callbacks, [0])
    snapshotter2.finish(model2, 2, [])
    assert taken2.points[-1] == SnapshotPoint(6, 2, 3, 160, None, None, 2.0, final=True)


def test_a_model_too_big_for_snapshots_gets_none(callbacks):
    model = _CountingModel()
    taken = WeightSnapshots(["dense/kernel"], [(2, 3)], 3, [0, 1, 2], skipped="too large")
    snapshotter = callbacks.SnapshotCallback(taken, [4])
    snapshotter.set_model(model)
    snapshotter.on_train_begin()
    snapshotter.on_epoch_begin(0)
    for batch in range(3):
        snapshotter.on_train_batch_end(batch, {"loss": 0.5, "accuracy": 0.5})
    snapshotter.finish(model, None, [])
    assert taken.points == [] and taken.weights == []


def test_snapshots_in_a_real_fit_copy_the_weights_of_the_planned_steps(callbacks):
    import keras

    from core.model.snapshots import new_snapshots

    class _Weights(keras.callbacks.Callback):
        """Keeps the model's weights after every batch, to compare the snapshots with."""

        def __init__(self):
            super().__init__()
            self.after: list[list[np.ndarray]] = []

        def on_train_batch_end(self, batch, logs=None):
            self.after.append([np.array(w) for w in self.model.get_weights()])

    x, y = _tiny_data(10)
    model = _tiny_model()
    untrained = [np.array(w) for w in model.get_weights()]
    taken = new_snapshots(model, 3, 2)
    taken.planned_steps = [0, 1, 4]
    snapshotter, weights = callbacks.SnapshotCallback(taken, [4, 4, 2]), _Weights()
    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0, callbacks=[snapshotter, weights])
    snapshotter.finish(model, None, [])

    assert [p.step for p in taken.points] == [0, 1, 4, 6] and taken.points[-1].final
    assert [(p.epoch, p.batch, p.samples) for p in taken.points] == [(0, 0, 0), (1, 1, 4), (2, 1, 14), (2, 3, 20)]
    expected = [untrained, weights.after[0], weights.after[3], [np.array(w) for w in model.get_weights()]]
    assert not np.allclose(untrained[0], weights.after[3][0])  # training moved the weights in between
    for stored, wanted in zip(taken.weights, expected, strict=True):
        for a, b in zip(stored, wanted, strict=True):
            np.testing.assert_array_equal(a, b.astype(np.float16))
    assert all(p.loss is not None and math.isfinite(p.loss) for p in taken.points[1:])
