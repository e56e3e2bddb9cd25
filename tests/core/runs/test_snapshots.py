"""Weight snapshots: the rule keeps them within bounds, they reload without pickle, and the last is the model.

The toy run (tests/core/conftest.py: a model that must learn "great" and "awful") is
trained once per module; its snapshots are stored like any run's.
"""

from __future__ import annotations

import shutil
import zipfile

import numpy as np
import pytest

from core.errors import RunError
from core.model import snapshots as rule
from core.runs import snapshots
from core.runs.embeddings import project
from core.runs.store import RunStore
from core.serving.predictor import Predictor
from core.serving.service import PredictionService

TEXTS = ["the story was great", "the story was awful", "great music and people", "awful awful scenes"]

# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize("megabytes", [0.003, 0.7, 2.7, 8.0, 15.0, 40.0])
def test_a_run_keeps_a_bounded_count_and_size(megabytes):
    size = int(megabytes * 1024**2)
    count = rule.snapshot_count(size)
    assert count <= rule.MAX_SNAPSHOTS and count * size <= rule.MAX_SNAPSHOT_BYTES
    assert count == 0 or count >= 2  # step 0 and the final, or none at all
    assert rule.snapshot_count(2_667_266) == 12  # the conv-lstm preset's size (measured: docs/snapshots.md)


@pytest.mark.parametrize(("total", "count"), [(1050, 11), (9, 24), (72, 24), (3, 5), (1, 24), (500, 2)])
def test_planned_steps_start_untrained_and_crowd_the_start(total, count):
    steps = rule.planned_steps(total, count)
    assert steps[0] == 0 and steps == sorted(set(steps)) and steps[-1] < total
    assert len(steps) <= count - 1  # the final snapshot comes on top
    if len(steps) > 3:
        gaps = np.diff(steps)
        assert gaps[0] <= gaps[-1]  # denser early, where the model changes fastest


class _FakeModel:
    def __init__(self):
        self.value = 0.0

    def get_weights(self):
        return [np.full((2, 3), self.value, dtype=np.float32)]


def test_early_stopping_puts_the_final_snapshot_at_the_restored_epoch():
    from core.model.callbacks import SnapshotCallback  # imports Keras

    model, per_epoch = _FakeModel(), 5
    taken = rule.WeightSnapshots(["dense/kernel"], [(2, 3)], per_epoch, rule.planned_steps(2 * per_epoch, 24))
    callback = SnapshotCallback(taken, [32] * per_epoch)
    callback.set_model(model)
    callback.on_train_begin()
    for epoch in range(2):
        callback.on_epoch_begin(epoch)
        for batch in range(per_epoch):
            model.value += 1
            callback.on_train_batch_end(batch, {"loss": 0.5, "accuracy": 0.7})
    model.value = 5  # what EarlyStopping restores: the end of epoch 1
    epochs = [{"epoch": 1, "loss": 0.6, "accuracy": 0.65}, {"epoch": 2, "loss": 0.4, "accuracy": 0.8}]
    callback.finish(model, 1, epochs)
    first, final = taken.points[0], taken.points[-1]
    assert (first.step, first.loss, first.at_epoch) == (0, None, 0.0)
    assert final.final and (final.step, final.epoch, final.at_epoch, final.accuracy) == (5, 1, 1.0, 0.65)
    assert final.samples == 5 * 32 and taken.weights[-1][0][0, 0] == 5
    assert [p.step for p in taken.points[:-1]] == list(range(10))  # every step of so short a run


# ---------------------------------------------------------------- a stored run


@pytest.fixture(scope="module")
def run(toy):
    _, store, snap = toy
    return store, store.get(snap.run_id)


def test_the_run_stores_its_snapshots_within_the_bounds(run):
    store, info = run
    index = snapshots.read_index(info.path)
    assert index is not None and 3 <= len(index.snapshots) <= rule.MAX_SNAPSHOTS
    assert len(index.snapshots) * index.bytes_per_snapshot <= rule.MAX_SNAPSHOT_BYTES
    assert (info.path / snapshots.WEIGHTS_FILE).stat().st_size < 2 * len(
        index.snapshots
    ) * index.bytes_per_snapshot + 2**16
    steps = [s.step for s in index.snapshots]
    assert steps[0] == 0 and steps == sorted(steps) and index.snapshots[-1].final
    assert steps[-1] == index.total_steps == len(store.history(info.run_id)["batches"])
    assert all(s.accuracy is not None for s in index.snapshots[1:])
    with zipfile.ZipFile(info.path / snapshots.WEIGHTS_FILE) as archive:
        assert all(name.endswith(".npy") for name in archive.namelist())
    with np.load(info.path / snapshots.WEIGHTS_FILE, allow_pickle=False) as npz:  # never needs pickle
        assert {npz[name].dtype for name in npz.files} == {np.dtype(np.float16)}


def test_the_last_snapshot_predicts_like_the_final_model_and_step_0_does_not(run):
    store, info = run
    predictor = Predictor(info.run_id, store)
    final = predictor.predict(TEXTS)
    index = predictor.snapshot_index()
    predictor.model.set_weights(snapshots.load_weights(info.path, index, index.last))  # the float16 copy itself
    np.testing.assert_allclose(predictor.predict(TEXTS), final, atol=5e-3)
    predictor.model.set_weights(snapshots.load_weights(info.path, index, 0))
    untrained = predictor.predict(TEXTS)
    assert np.abs(untrained - 0.5).max() < 0.1 and np.abs(final - untrained).max() > 0.3


def test_use_snapshot_scores_at_that_point_and_puts_the_model_back(run):
    store, info = run
    predictor = Predictor(info.run_id, store)
    final = predictor.predict(TEXTS)
    predictor.use_snapshot(0)
    assert predictor.snapshot == 0 and np.abs(predictor.predict(TEXTS) - 0.5).max() < 0.1
    predictor.use_snapshot(predictor.snapshot_index().last)  # the last snapshot is the stored model, exactly
    assert predictor.snapshot is None
    np.testing.assert_array_equal(predictor.predict(TEXTS), final)
    predictor.use_snapshot(1)
    predictor.use_snapshot(None)
    np.testing.assert_array_equal(predictor.predict(TEXTS), final)
    with pytest.raises(RunError, match="no snapshot 99"):
        predictor.use_snapshot(99)


def test_the_prediction_process_scores_and_explains_at_a_snapshot(run):
    store, info = run
    local = Predictor(info.run_id, store)
    local.use_snapshot(2)
    expected = local.predict(TEXTS)
    service = PredictionService(store.root, timeout=60)
    try:
        np.testing.assert_allclose(service.predict(info.run_id, info.created, TEXTS, snapshot=2), expected, atol=1e-6)
        explained = service.explain(info.run_id, info.created, TEXTS[0], snapshot=2)
        assert explained.probability == pytest.approx(expected[0], abs=1e-6)
        assert service.xray(info.run_id, info.created, TEXTS[0], snapshot=2).probability == pytest.approx(
            expected[0], abs=1e-4
        )
        final = service.predict(info.run_id, info.created, TEXTS)  # and back to the stored model
        np.testing.assert_allclose(final, Predictor(info.run_id, store).predict(TEXTS), atol=1e-6)
    finally:
        service.close()


def test_the_embedding_map_moves_on_fixed_axes(run):
    store, info = run
    index = snapshots.read_index(info.path)
    final, last, first = (project(store, info.run_id, 50, s) for s in (None, index.last, 0))
    np.testing.assert_allclose(last.xy, final.xy, atol=5e-3)
    assert first.words == final.words and np.abs(first.xy).max() < np.abs(final.xy).max()


def test_a_run_without_snapshots_still_works_and_says_so(run, tmp_path):
    store, info = run
    shutil.copytree(info.path, tmp_path / info.run_id)
    for name in (snapshots.INDEX_FILE, snapshots.WEIGHTS_FILE):
        (tmp_path / info.run_id / name).unlink()
    old = RunStore(tmp_path)
    assert snapshots.read_index(old.get(info.run_id).path) is None
    predictor = Predictor(info.run_id, old)
    assert predictor.predict(TEXTS[:1])[0] > 0.5
    with pytest.raises(RunError, match="train it again"):
        predictor.use_snapshot(0)
    (tmp_path / info.run_id / snapshots.INDEX_FILE).write_text("{not json")
    with pytest.raises(RunError, match="damaged"):
        snapshots.read_index(old.get(info.run_id).path)
