"""The blend's tables and sentences, and Scramble's sentences, from hand-made numbers (pure: no Streamlit)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.model.scramble import shift
from core.runs.blend import BASELINE, BLEND, LSTM, Blend, disagreements
from ui.baseline import wording as scramble_wording
from ui.blend import tables, wording

P = lambda z: float(1 / (1 + np.exp(-z)))  # noqa: E731


def _blend() -> Blend:
    arrays = {}
    for split, labels, lstm, bow in (
        ("validation", [1, 0, 1, 0], [0.9, 0.8, 0.3, 0.2], [0.7, 0.4, 0.6, 0.1]),
        ("test", [1, 0, 1], [0.9, 0.3, 0.2], [0.6, 0.7, 0.8]),
    ):
        arrays |= {
            f"{split}_index": np.arange(len(labels)),
            f"{split}_label": np.array(labels),
            f"{split}_lstm": np.array(lstm),
            f"{split}_baseline": np.array(bow),
        }
    accuracy = {
        "validation": {LSTM: 0.5, BASELINE: 1.0, BLEND: 0.75},
        "test": {LSTM: 2 / 3, BASELINE: 2 / 3, BLEND: 1.0},
    }
    return Blend("r", "k", 0.4, 1.6, -0.1, accuracy, arrays)


def test_the_comparison_shows_test_accuracy_only_when_revealed():
    hidden = tables.comparison_table(_blend(), revealed=False)
    assert list(hidden["model"]) == ["LSTM", "bag of words", "blend"]
    assert list(hidden.columns) == ["model", "validation accuracy"]
    shown = tables.comparison_table(_blend(), revealed=True)
    assert list(shown["test accuracy"]) == [2 / 3, 2 / 3, 1.0]


def test_the_disagreement_table_and_sentence():
    blend = _blend()
    found = disagreements(blend.reviews("test"))
    texts = ["a fine film<br />indeed", "dull " * 100, "so bad it is good"]
    table = tables.disagreement_table(found, texts)
    assert list(table["right"]) == ["bag of words", "LSTM"]  # review 2 (gap 0.6), then review 1 (gap 0.4)
    assert table["review"][0] == "so bad it is good" and table["review"][1].endswith("…")
    assert len(table["review"][1]) <= tables.EXCERPT_CHARS
    assert list(table["label"]) == ["positive", "negative"]
    assert table["blend"][0] == float(blend.probability(0.2, 0.8))
    sentence = wording.disagreement_sentence(found, "test")
    assert "disagree on 2 of 3 test reviews (66.7%)" in sentence
    assert "The LSTM is right on 1 of them, the bag of words on 1: neither wins" in sentence
    agree = disagreements(pd.DataFrame({"index": [0], "label": [1], LSTM: [0.9], BASELINE: [0.8], BLEND: [0.9]}))
    assert wording.disagreement_sentence(agree, "validation").startswith("The LSTM and the bag of words agree on all 1")


def test_the_weights_sentence_says_which_model_the_blend_leans_on():
    sentence = wording.weights_sentence(_blend())
    assert "Fitted on 4 validation reviews" in sentence and "0.40 × LSTM's + 1.60 × bag of words' -0.10" in sentence
    assert "leans on the bag of words" in sentence


def test_scramble_sentences_follow_the_sizes():
    lstm, bow = shift(0.47, [0.50]), shift(0.74, [0.54])  # the example: the LSTM "flipped"
    said = scramble_wording.scramble_comparison(lstm, bow)
    assert said.startswith("The bag of words moved 7.4 times as far as the LSTM (0.89 against 0.12 in log-odds)")
    line = scramble_wording.scramble_line("LSTM", lstm)
    assert line.count("→") == 1 and "0.47 → 0.50 on average over 1 shuffles" in line
    assert "moved 0.12 in log-odds" in line and "barely" not in line  # 0.12 is above the 0.1 threshold
    assert "flipped in 1 of 1" in line
    still = shift(P(1.0), [P(1.02), P(0.97)])
    assert "barely moved 0.03" in scramble_wording.scramble_line("Bag of words", still)
    assert "never flipped" in scramble_wording.scramble_line("Bag of words", still)
    lstm_more = scramble_wording.scramble_comparison(shift(0.5, [P(1.5), P(-1.5)]), still)
    assert lstm_more.startswith("The LSTM moved 60.0 times as far as the bag of words (which barely moved)")
    both = scramble_wording.scramble_comparison(still, shift(0.5, [P(0.05)]))
    assert both.startswith("Neither model cares about this order")
    alike = scramble_wording.scramble_comparison(shift(0.5, [P(1.0)]), shift(0.5, [P(-0.9)]))
    assert alike.startswith("Both moved about as much (1.00 and 0.90 in log-odds)")
