"""What the snapshot slider says: a snapshot's label, where it sits in training, why a run has none.

Pure: no Streamlit.
"""

from __future__ import annotations


def snapshot_label(point, total_steps: int) -> str:
    """A :class:`core.runs.snapshots.Snapshot` on the slider: "after step 140 of 1,050 · epoch 1", "untrained"..."""
    if point.step == 0 and not point.final:
        return "untrained · step 0"
    where = f"step {point.step:,} of {total_steps:,} · epoch {point.epoch}"
    if not point.final:
        return f"after {where}"
    if point.step < total_steps:
        return f"final model · epoch {point.epoch}, restored by early stopping"
    return f"final model · {where}"


def snapshot_sentence(point) -> str:
    """What training had done by a snapshot (Markdown): reviews seen and the training accuracy then."""
    if point.step == 0 and not point.final:
        return "The weights before any training (random): every review gets about 50/50."
    parts = [f"{point.samples:,} reviews trained on"]
    if point.accuracy is not None:
        parts.append(f"training accuracy then {point.accuracy:.3f} (the epoch's running mean)")
    return "The weights after " + ", ".join(parts) + "."


def no_snapshots_sentence(skipped: str | None) -> str:
    """Why a run cannot be scrubbed: too large, or trained before snapshots were kept."""
    return skipped or (
        "This run has no snapshots of its training (it was trained before they were kept): "
        "train it again to move back through its training."
    )
