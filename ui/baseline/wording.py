"""Scramble's sentences (pure): they follow how far each model moved in log-odds, never the 0.5 line alone.

The numbers are :class:`core.model.scramble.Shift`'s (mean absolute change in log-odds over
the same seeded shuffles for both models); "barely moves" only below
:data:`core.model.scramble.BARELY`, "more" only past :data:`core.model.scramble.CLEARLY` times.
"""

from __future__ import annotations

from core.model.scramble import BARELY, Shift, more_moved


def _moved(shift: Shift) -> str:
    return "barely moved" if shift.barely else "moved"


def scramble_line(model: str, shift: Shift) -> str:
    """One model over the shuffles: its probability before → on average after, the move in log-odds, flips."""
    shuffles = len(shift.after)
    flips = f"the verdict flipped in {shift.flips} of {shuffles}" if shift.flips else "the verdict never flipped"
    return (
        f"**{model}**: {shift.before:.2f} → {shift.mean_after:.2f} on average over {shuffles} shuffles; "
        f"it {_moved(shift)} {shift.mean_change:.2f} in log-odds on average ({flips})."
    )


def scramble_comparison(lstm: Shift, baseline: Shift) -> str:
    """Which model moved more, by how much, and what that says about reading order."""
    a, b = lstm.mean_change, baseline.mean_change
    side = more_moved(lstm, baseline)
    if lstm.barely and baseline.barely:
        return (
            f"Neither model cares about this order: both moved less than {BARELY:g} in log-odds ({a:.2f} and {b:.2f})."
        )
    if side > 0:
        ratio = f"{a / b:.1f} times as far as" if b > 0 else "while"
        tail = " (which barely moved)" if baseline.barely else ""
        return (
            f"The LSTM moved {ratio} the bag of words{tail} ({a:.2f} against {b:.2f} in log-odds): "
            "it reads the words in order, and this order carried part of its verdict."
        )
    if side < 0:
        ratio = f"{b / a:.1f} times as far as" if a > 0 else "while"
        tail = " (which barely moved)" if lstm.barely else ""
        return (
            f"The bag of words moved {ratio} the LSTM{tail} ({b:.2f} against {a:.2f} in log-odds): "
            "shuffling broke up its word pairs (such as “not bad”), and the LSTM did not lean on this order."
        )
    return (
        f"Both moved about as much ({a:.2f} and {b:.2f} in log-odds): on this review, order mattered to the LSTM "
        "no more than breaking up word pairs mattered to the bag of words."
    )


SCRAMBLE_NOTE = (
    "Both models scored the same shuffles. The move is the mean absolute change in log-odds "
    f"(0.1 is about 2.5 points of probability near 50%); below {BARELY:g} a model barely moved."
)
