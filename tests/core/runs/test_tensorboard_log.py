"""Every stored run carries TensorBoard event files: read back with TensorBoard's own event reader."""

from __future__ import annotations

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2
from tensorboard.util import tensor_util

from core.jobs.manager import DONE
from core.runs.tensorboard_log import FOLDER, hparams_of
from tests.core.conftest import TINY


def _scalars(folder) -> dict[str, list[tuple[int, float]]]:
    events = EventAccumulator(str(folder), size_guidance={"tensors": 0})
    events.Reload()
    return {
        tag: [(event.step, float(tensor_util.make_ndarray(event.tensor_proto))) for event in events.Tensors(tag)]
        for tag in events.Tags()["tensors"]
        if not tag.startswith("_hparams_")
    }


def test_a_run_writes_batch_epoch_validation_scalars_and_its_knobs(manager):
    snap = manager.wait(manager.submit(TINY.replace(seed=41)), timeout=300)
    assert snap.state == DONE, snap.error
    run = manager.store.get(snap.run_id)
    history = manager.store.history(run.run_id)
    train = _scalars(run.path / FOLDER / "train")
    assert [step for step, _ in train["batch_loss"]] == [row["step"] for row in history["batches"]]
    assert [value for _, value in train["batch_loss"]] == pytest.approx([row["loss"] for row in history["batches"]])
    assert [value for _, value in train["epoch_accuracy"]] == pytest.approx([r["accuracy"] for r in history["epochs"]])
    assert train["test/accuracy"][0][1] == pytest.approx(run.test_accuracy)
    validation = _scalars(run.path / FOLDER / "validation")
    assert [value for _, value in validation["epoch_loss"]] == pytest.approx([r["val_loss"] for r in history["epochs"]])

    events = EventAccumulator(str(run.path / FOLDER / "train"))
    events.Reload()
    (content,) = events.PluginTagToContent("hparams").values()
    session = plugin_data_pb2.HParamsPluginData.FromString(content).session_start_info
    assert session.group_name == run.run_id
    stored = {
        name: value.WhichOneof("kind") and getattr(value, value.WhichOneof("kind"))
        for name, value in session.hparams.items()
    }
    assert stored["units"] == TINY.units and stored["optimizer"] == TINY.optimizer
    assert set(stored) == set(hparams_of(run.config))
