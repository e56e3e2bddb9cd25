"""A run's weight snapshots on disk: ``snapshots.npz`` (float16 arrays) and ``snapshots.json`` (the index).

Written by :meth:`core.runs.store.RunStore.save` inside the run's temporary folder, so
they are whole or absent like the rest of the run; the rule that picks them is in
:mod:`core.model.snapshots`. The arrays are plain ``np.savez`` members named
``s<snapshot>_w<weight>`` and are read back with ``allow_pickle=False``, one snapshot
at a time; the index says, for each, where training was. Runs stored before snapshots
existed have neither file: :func:`read_index` returns None and the pages say so.
Everything here is numpy and JSON, so the web server reads the index without TensorFlow.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import atomic
from core.errors import RunError

INDEX_FILE, WEIGHTS_FILE = "snapshots.json", "snapshots.npz"
FORMAT = 1


@dataclass(frozen=True)
class Snapshot:
    """One snapshot's place in training (the ``points`` of :class:`core.model.snapshots.WeightSnapshots`)."""

    index: int
    step: int
    epoch: int
    batch: int
    samples: int
    loss: float | None
    accuracy: float | None
    at_epoch: float
    final: bool


@dataclass(frozen=True)
class SnapshotIndex:
    """What ``snapshots.json`` says: the weights' names and shapes, the snapshots in the order taken."""

    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]
    batches_per_epoch: int
    total_steps: int  # batches trained (the last snapshot's own step may be earlier: early stopping)
    bytes_per_snapshot: int
    snapshots: tuple[Snapshot, ...]
    skipped: str | None = None

    @property
    def last(self) -> int:
        return len(self.snapshots) - 1

    def embedding_weight(self) -> int | None:
        """Which weight is the embedding matrix (the layer named ``embedding``), if any."""
        for i, name in enumerate(self.names):
            if name.split("/")[0] == "embedding" and len(self.shapes[i]) == 2:
                return i
        return None


def write(folder: Path, snapshots, total_steps: int) -> None:
    """Write ``snapshots`` (:class:`core.model.snapshots.WeightSnapshots`) into the run ``folder`` being made."""
    arrays = {f"s{i}_w{j}": weight for i, weights in enumerate(snapshots.weights) for j, weight in enumerate(weights)}
    with open(folder / WEIGHTS_FILE, "wb") as handle:
        np.savez(handle, **arrays)
    index = {
        "format": FORMAT,
        "names": list(snapshots.names),
        "shapes": [list(shape) for shape in snapshots.shapes],
        "batches_per_epoch": snapshots.batches_per_epoch,
        "total_steps": total_steps,
        "bytes_per_snapshot": snapshots.bytes_per_snapshot,
        "planned_steps": list(snapshots.planned_steps),
        "skipped": snapshots.skipped,
        "snapshots": [point.to_dict() for point in snapshots.points],
    }
    (folder / INDEX_FILE).write_bytes(atomic.json_bytes(index))


def read_index(folder: Path) -> SnapshotIndex | None:
    """The run's snapshot index; None when it has none (trained before snapshots were kept).

    Raises :class:`RunError` when the files are there but unreadable.
    """
    path = Path(folder) / INDEX_FILE
    if not path.is_file():
        return None
    try:
        raw = json.loads(path.read_text("utf-8"))
        points = tuple(
            Snapshot(
                index=i,
                step=int(p["step"]),
                epoch=int(p["epoch"]),
                batch=int(p["batch"]),
                samples=int(p["samples"]),
                loss=None if p.get("loss") is None else float(p["loss"]),
                accuracy=None if p.get("accuracy") is None else float(p["accuracy"]),
                at_epoch=float(p["at_epoch"]),
                final=bool(p.get("final")),
            )
            for i, p in enumerate(raw["snapshots"])
        )
        return SnapshotIndex(
            names=tuple(str(n) for n in raw["names"]),
            shapes=tuple(tuple(int(d) for d in s) for s in raw["shapes"]),
            batches_per_epoch=int(raw["batches_per_epoch"]),
            total_steps=int(raw["total_steps"]),
            bytes_per_snapshot=int(raw["bytes_per_snapshot"]),
            snapshots=points,
            skipped=raw.get("skipped"),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise RunError(f"This run's snapshots index is damaged ({type(error).__name__}: {error}).") from None


def load_weights(folder: Path, index: SnapshotIndex, snapshot: int, dtype=np.float32) -> list[np.ndarray]:
    """Snapshot ``snapshot``'s weights, in ``model.get_weights()`` order, as ``dtype``; never unpickles."""
    if not 0 <= snapshot < len(index.snapshots):
        raise RunError(f"This run has no snapshot {snapshot} (it has {len(index.snapshots)}).")
    try:
        with np.load(Path(folder) / WEIGHTS_FILE, allow_pickle=False) as npz:
            weights = [npz[f"s{snapshot}_w{j}"].astype(dtype) for j in range(len(index.names))]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise RunError(f"This run's snapshots could not be read ({type(error).__name__}: {error}).") from None
    for weight, shape in zip(weights, index.shapes, strict=True):
        if weight.shape != shape:
            raise RunError(f"This run's snapshot {snapshot} does not fit its model ({weight.shape} vs {shape}).")
    return weights


def embedding_at(folder: Path, index: SnapshotIndex, snapshot: int) -> np.ndarray:
    """Snapshot ``snapshot``'s embedding matrix ``(num_words, embedding_dim)`` as float64 (one npz member read)."""
    j = index.embedding_weight()
    if not 0 <= snapshot < len(index.snapshots):
        raise RunError(f"This run has no snapshot {snapshot} (it has {len(index.snapshots)}).")
    if j is None:
        raise RunError("This run's snapshots hold no embedding matrix.")
    try:
        with np.load(Path(folder) / WEIGHTS_FILE, allow_pickle=False) as npz:
            return npz[f"s{snapshot}_w{j}"].astype(np.float64)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise RunError(f"This run's snapshots could not be read ({type(error).__name__}: {error}).") from None
