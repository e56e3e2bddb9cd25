"""What the app says: numbers as text and the sentences that explain a result.

Pure: no Streamlit. Each function takes plain values or ``core`` results (a config, a
job snapshot, an explanation, an evaluation's frames) and returns a string (Markdown
where it says so) or a small dataclass of counts to talk about. Verdicts follow
:mod:`core.model.metrics`; preset names :func:`core.config.preset_name`.
"""

from __future__ import annotations

# ---------------------------------------------------------------- numbers


# ---------------------------------------------------------------- Train


# ---------------------------------------------------------------- weight snapshots (any page)


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


# ---------------------------------------------------------------- Predict


# ---------------------------------------------------------------- Evaluate


def runs_table_note(shown: int, total: int, differing: int, show_all: bool) -> str:
    """The caption under the runs table: how many runs and which settings it shows, and which accuracy to trust."""
    rows = f"{shown} of {total} runs" if shown != total else f"{total} run{'s' if total != 1 else ''}"
    fields = (
        "every setting"
        if show_all
        else f"the {differing} setting{'s' if differing != 1 else ''} that differ between them"
        if differing
        else "no setting: they all share the same settings"
    )
    return (
        f"{rows}, with {fields}. Compare and pick runs by **validation accuracy**; the test accuracy is for the "
        "end, once a run is chosen (picking by it tunes the runs to the test set). Test accuracies measured on a "
        "test slice (`test_limit`) are not comparable with full-test-set ones."
    )
