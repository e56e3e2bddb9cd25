"""Scramble, judged by size: how far shuffling a review's words moves a model, in log-odds, over several shuffles.

One shuffle and the 0.5 line made a poor judge: a verdict at 0.47 that "flipped" to 0.50
looked like order mattering, while 0.74 → 0.54 looked like nothing. So each review is
shuffled :data:`SHUFFLES` times with fixed seeds (the same shuffles for every model), and
a model's shift is the **mean absolute change in log-odds** (a move from 0.50 to 0.62 and
one from 0.88 to 0.94 both count about 0.5: the same evidence added). Sentences follow
these numbers (:mod:`ui.baseline.wording`); :data:`BARELY` is where "barely moves" starts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from core.model.metrics import THRESHOLD, log_odds
from core.text.tokenizer import tokenize

#: Shuffles per review (each model scores the same ones).
SHUFFLES = 8
#: Below this mean absolute change in log-odds, a model "barely moves" (0.1 is about 2.5 points of probability at 0.5).
BARELY = 0.1
#: A model moved "more" than another only when its shift is this many times the other's (else: about as much).
CLEARLY = 1.25


def scramble(text: str, seed: int) -> str:
    """The words of ``text`` (as the tokenizer reads them) in a shuffled order, joined by spaces."""
    words = tokenize(text)
    rng = random.Random(seed)
    shuffled = words
    for _ in range(5):  # a short review can shuffle back into itself: try again a few times
        shuffled = rng.sample(words, len(words))
        if shuffled != words or len(set(words)) < 2:
            break
    return " ".join(shuffled)


def shuffles(text: str, seed: int, count: int = SHUFFLES) -> list[str]:
    """``count`` scrambles of ``text``, seeded from ``seed`` (so every model gets the same ones)."""
    return [scramble(text, seed + i) for i in range(count)]


@dataclass(frozen=True)
class Shift:
    """One model's probabilities before and after each shuffle, and the mean move in log-odds."""

    before: float
    after: tuple[float, ...]

    @property
    def mean_after(self) -> float:
        return float(np.mean(self.after))

    @property
    def mean_change(self) -> float:
        """Mean absolute change in log-odds over the shuffles."""
        return float(np.mean(np.abs(log_odds(self.after) - log_odds(self.before))))

    @property
    def flips(self) -> int:
        """Shuffles after which the verdict is the other one."""
        return int(sum((a >= THRESHOLD) != (self.before >= THRESHOLD) for a in self.after))

    @property
    def barely(self) -> bool:
        return self.mean_change < BARELY


def shift(before: float, after) -> Shift:
    return Shift(float(before), tuple(float(a) for a in after))


def more_moved(a: Shift, b: Shift) -> int:
    """1 if ``a`` moved clearly more than ``b``, -1 if clearly less, 0 if about as much (or both barely)."""
    if a.barely and b.barely:
        return 0
    if a.mean_change > CLEARLY * b.mean_change:
        return 1
    if b.mean_change > CLEARLY * a.mean_change:
        return -1
    return 0
