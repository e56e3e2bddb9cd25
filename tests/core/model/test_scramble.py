"""Scramble judged by size: seeded shuffles of the same words, the mean absolute change in log-odds, flips."""

from __future__ import annotations

import numpy as np
import pytest

from core.model.scramble import BARELY, SHUFFLES, more_moved, scramble, shift, shuffles
from core.text.tokenizer import tokenize

P = lambda z: float(1 / (1 + np.exp(-z)))  # noqa: E731  a probability from log-odds


def test_shuffles_are_seeded_and_keep_the_words():
    text = "Not bad at all, the acting was good but the ending was awful"
    first, again = shuffles(text, 7), shuffles(text, 7)
    assert first == again and len(first) == SHUFFLES
    assert all(sorted(s.split()) == sorted(tokenize(text)) for s in first)
    assert len(set(first)) > 1 and tokenize(text) != first[0].split()
    assert scramble("one", 3) == "one"


def test_the_shift_is_the_mean_absolute_change_in_log_odds():
    moved = shift(0.5, [P(1.0), P(-1.0), P(2.0), P(0.0)])
    assert moved.mean_change == pytest.approx((1 + 1 + 2 + 0) / 4)
    assert moved.flips == 1  # only P(-1) is the other verdict (0.5 counts as positive, as everywhere)
    assert not moved.barely
    assert shift(P(2.0), [P(2.05), P(1.95)]).barely  # 0.05 < BARELY
    assert shift(P(2.0), [P(2.0 + BARELY)]).mean_change == pytest.approx(BARELY)


def test_crossing_one_half_is_not_what_counts():
    """The issue's example: 0.47 → 0.50 "flipped", 0.74 → 0.54 "still positive"; by size the bag of words moved more."""
    lstm, bow = shift(0.47, [0.50]), shift(0.74, [0.54])
    assert lstm.flips == 1 and bow.flips == 0
    assert lstm.mean_change == pytest.approx(0.12, abs=0.005) and bow.mean_change == pytest.approx(0.886, abs=0.005)
    assert more_moved(lstm, bow) == -1 and more_moved(bow, lstm) == 1
    assert more_moved(shift(0.5, [P(0.05)]), shift(0.5, [P(-0.08)])) == 0  # both barely moved
    assert more_moved(shift(0.5, [P(1.0)]), shift(0.5, [P(-0.9)])) == 0  # about as much
