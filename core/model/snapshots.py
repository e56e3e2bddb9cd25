"""Snapshots of the weights during training, so a stored run can be scrubbed back through.

:class:`WeightSnapshots` is what one training keeps: a few copies of
``model.get_weights()`` in float16 and, for each, where training was (step, epoch, batch,
reviews seen, the epoch's running training loss and accuracy). The rule, fixed before
training from the planned number of batches ``T`` and the size of one float16 copy:

* at most :data:`MAX_SNAPSHOTS` snapshots and :data:`MAX_SNAPSHOT_BYTES` in all, so a run
  keeps ``k = min(MAX_SNAPSHOTS, MAX_SNAPSHOT_BYTES // bytes_per_snapshot)`` of them
  (``conv-lstm``: 2.7 MB each, so 12; ``bilstm``: 8.0 MB, so 4; a model too big for two keeps none);
* step 0 (the untrained model), then ``k - 2`` steps at ``round(T * (i / (k - 1)) ** 2)``
  for ``i = 1 .. k - 2`` (quadratic spacing: they crowd the start, where the model changes
  fastest, and still reach the last epoch), and every step when ``T`` is that small;
* last, the weights the run keeps (after early stopping restored its best epoch, or where
  a Stop left them), so the last snapshot is the stored model.

A training that ends early (early stopping, Stop) simply has fewer; a snapshot costs one
``get_weights`` copy (milliseconds), taken between two batches, by
:class:`core.model.callbacks.SnapshotCallback`; this module does not import Keras.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: The most snapshots one run keeps (the slider's positions), step 0 and the final model included.
MAX_SNAPSHOTS = 24
#: The most bytes all of one run's snapshots take together: 32 MiB (float16; the npz adds ~100 bytes per array).
MAX_SNAPSHOT_BYTES = 32 * 1024**2
DTYPE = np.float16


@dataclass(frozen=True)
class SnapshotPoint:
    """Where training was when a snapshot was taken."""

    step: int  # batches trained so far (0: untrained)
    epoch: int  # the epoch it was in (1-based; 0 for step 0)
    batch: int  # batches of that epoch done
    samples: int  # reviews trained on so far
    loss: float | None  # the epoch's running training loss (Keras's mean so far); None at step 0
    accuracy: float | None
    at_epoch: float  # where its weights sit on an x axis in epochs (the final: the epoch restored)
    final: bool = False  # the weights the run keeps

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class WeightSnapshots:
    """The snapshots of one training: weight names and shapes, and per snapshot its arrays and point."""

    names: list[str]
    shapes: list[tuple[int, ...]]
    batches_per_epoch: int
    planned_steps: list[int]  # the steps the rule picked before training (step 0 included)
    weights: list[list[np.ndarray]] = field(default_factory=list)  # per snapshot, float16, in ``names`` order
    points: list[SnapshotPoint] = field(default_factory=list)
    skipped: str | None = None  # why none are kept (a model too big), in plain words

    @property
    def bytes_per_snapshot(self) -> int:
        return sum(int(np.prod(shape)) for shape in self.shapes) * np.dtype(DTYPE).itemsize

    def add(self, model, point: SnapshotPoint) -> None:
        if self.skipped is None:
            self.weights.append([np.asarray(w).astype(DTYPE) for w in model.get_weights()])
            self.points.append(point)


def snapshot_count(bytes_per_snapshot: int) -> int:
    """How many snapshots a run of this size keeps (0: not even step 0 and the final fit)."""
    count = min(MAX_SNAPSHOTS, MAX_SNAPSHOT_BYTES // max(1, bytes_per_snapshot))
    return count if count >= 2 else 0


def planned_steps(total_batches: int, count: int) -> list[int]:
    """Step 0 and the in-between steps of the rule (the final snapshot comes on top), ascending."""
    if count < 2:
        return []
    inner = count - 2
    if total_batches - 1 <= inner:
        return list(range(total_batches))
    steps = {round(total_batches * (i / (count - 1)) ** 2) for i in range(1, inner + 1)}
    return [0, *sorted(s for s in steps if 0 < s < total_batches)]


def new_snapshots(model, batches_per_epoch: int, epochs: int) -> WeightSnapshots:
    """The empty snapshots of a training of ``model`` over ``epochs`` x ``batches_per_epoch``, with its plan."""
    names = [getattr(v, "path", getattr(v, "name", f"weight_{i}")) for i, v in enumerate(model.weights)]
    shapes = [tuple(int(d) for d in w.shape) for w in model.weights]
    snapshots = WeightSnapshots(names, shapes, batches_per_epoch, [])
    count = snapshot_count(snapshots.bytes_per_snapshot)
    if not count:
        size = snapshots.bytes_per_snapshot / 1024**2
        snapshots.skipped = (
            f"The model is too large for snapshots ({size:.0f} MB each; a run keeps at most "
            f"{MAX_SNAPSHOT_BYTES // 1024**2} MB of them)."
        )
    snapshots.planned_steps = planned_steps(epochs * batches_per_epoch, count)
    return snapshots
