"""Prediction, explanations and evaluation, on a toy model that must learn two words."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from core.model.metrics import log_odds
from core.runs.evaluation import evaluate, roc_curve
from core.serving.explain import explain
from core.serving.predictor import Predictor
from core.text.limits import MAX_TEXT_CHARS
from tests.core.conftest import FILLER


def test_the_toy_model_learned(toy):
    _, _, snap = toy
    assert snap.test_metrics["accuracy"] > 0.95


def test_predictions_follow_the_words(toy):
    _, store, snap = toy
    predictor = Predictor(snap.run_id, store)
    good, bad = predictor.predict(["the story was great", "the story was awful"])
    assert good > 0.8 and bad < 0.2


def test_a_text_scores_the_same_alone_in_a_batch_and_beside_a_longer_review(toy):
    _, store, snap = toy
    predictor = Predictor(snap.run_id, store)
    short, longer = "A masterpiece.", " ".join(FILLER * 3 + ["great"])
    alone = predictor.predict([short])[0]
    many = [" ".join(FILLER[: i % 11] + ["great"] * (i % 3)) for i in range(300)] + [short]
    for batch in ([short, longer], [longer, "awful", short], many):
        assert predictor.predict(batch)[batch.index(short)] == pytest.approx(alone, abs=1e-6)
    # the test set's stored probabilities are scored the same way (core.model.inference)
    from core.model.inference import predict_sequences

    ids = [predictor.encode(t).model_ids for t in (short, longer)]
    together = predict_sequences(predictor.model, ids, predictor.config)
    assert together[0] == pytest.approx(alone, abs=1e-6)


def test_explanation_signs(toy):
    _, store, snap = toy
    explanation = explain(Predictor(snap.run_id, store), "The music was GREAT, the people awful!")
    by_word = {w.word: w.contribution for w in explanation.words}
    assert by_word["great"] > 0.05 and by_word["awful"] < -0.05
    assert all(not w.truncated for w in explanation.words)
    first = explanation.words[0]
    assert explanation.text[first.start : first.end] == "The"


def test_contributions_are_log_odds_changes(toy):
    _, store, snap = toy
    predictor = Predictor(snap.run_id, store)
    text = "the story was great"
    explanation = explain(predictor, text)
    without_great = predictor.predict(["the story was"])[0]
    great = next(w for w in explanation.words if w.word == "great")
    assert great.contribution == pytest.approx(log_odds(explanation.probability) - log_odds(without_great), abs=1e-4)
    assert log_odds([0.5])[0] == 0 and np.isfinite(log_odds([0.0, 1.0])).all()


def test_phrase_occlusion_scores_each_run_of_words(toy):
    _, store, snap = toy
    predictor = Predictor(snap.run_id, store)
    text = "the story was not great at all"
    explanation = explain(predictor, text, span=2)
    assert explanation.span == 2 and len(explanation.phrases) == len(explanation.words) - 1
    strongest = explanation.phrases[0]
    assert abs(strongest.contribution) == max(abs(p.contribution) for p in explanation.phrases)
    removed = " ".join(w.word for i, w in enumerate(explanation.words) if not strongest.first <= i <= strongest.last)
    expected = log_odds(explanation.probability) - log_odds(predictor.predict([removed])[0])
    assert strongest.contribution == pytest.approx(expected, abs=1e-4)
    for i in (strongest.first, strongest.last):  # both words show the phrase they are strongest in
        assert explanation.words[i].contribution == pytest.approx(strongest.contribution)
    assert explain(predictor, "great", span=3).span == 1  # shorter than the phrase: the whole review
    with pytest.raises(ValueError):
        explain(predictor, text, span=4)


def test_truncated_and_oov_words_are_marked(toy):
    _, store, snap = toy
    predictor = Predictor(snap.run_id, store)
    long_text = " ".join(["zebra"] + FILLER * 5 + ["great"])  # 71 words, maxlen 40 keeps the end
    explanation = explain(predictor, long_text)
    assert explanation.words[0].truncated and explanation.words[0].contribution is None
    assert explanation.words[0].oov
    assert not explanation.words[-1].truncated and explanation.words[-1].contribution > 0
    encoded = predictor.encode(long_text)
    assert encoded.truncated_tokens == len(encoded.ids) - 40 and "zebra" in encoded.oov_tokens


def test_huge_text_is_clipped(toy):
    _, store, snap = toy
    predictor = Predictor(snap.run_id, store)
    encoded = predictor.encode("great " * 50_000)
    assert encoded.clipped_chars == 300_000 - MAX_TEXT_CHARS and len(encoded.model_ids) == 40


@pytest.fixture(scope="module")
def toy_predictor(toy):
    _, store, snap = toy
    return Predictor(snap.run_id, store)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_any_text_gives_a_finite_probability(toy_predictor, text):
    (p,) = toy_predictor.predict([text])
    assert np.isfinite(p) and 0.0 <= p <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t",
        "!!! ??? 😀😀",
        "\x00\x00",
        "\ud800 lone surrogate",
        "\u202eevil\u200b",
        "<script>alert(1)</script>",
        "$x^2$ **bold**",
    ],
)
def test_odd_inputs(toy_predictor, text):
    (p,) = toy_predictor.predict([text])
    assert 0.0 <= p <= 1.0
    explain(toy_predictor, text)


def test_evaluation(toy):
    data, store, snap = toy
    result = evaluate(snap.run_id, data, store)
    confusion = result.confusion()
    assert confusion.to_numpy().sum() == len(data.test)
    assert result.metrics["auc"] > 0.95
    points, auc = result.roc()
    assert points.iloc[0].tolist() == [0.0, 0.0] and points.iloc[-1].tolist() == [1.0, 1.0]
    assert abs(auc - result.metrics["auc"]) < 1e-12
    by_length = result.accuracy_by_length(maxlen=40)
    assert by_length["reviews"].sum() == len(data.test)
    assert by_length["band"].tolist() == ["1-100"] and not by_length["truncated"].any()
    assert len(result.confident_mistakes(5)) <= 5


def test_length_bands_with_gaps_keep_their_own_truncation_flags():
    """A band with no reviews must not shift the flags of the bands after it."""
    import pandas as pd

    from core.runs.evaluation import Evaluation

    table = pd.DataFrame({"tokens": [50, 150, 900, 2000], "label": [1, 0, 1, 0], "probability": [0.9, 0.1, 0.2, 0.8]})
    table["correct"] = (table["probability"] >= 0.5) == (table["label"] == 1)
    bands = Evaluation("x", table, {}).accuracy_by_length(maxlen=300)
    assert bands["band"].tolist() == ["1-100", "101-200", "801-1,200", "1,201+"]
    assert bands["truncated"].tolist() == [False, False, True, True]
    assert bands["accuracy"].tolist() == [1.0, 1.0, 0.0, 0.0]


def test_roc_of_a_perfect_and_a_random_scorer():
    labels = np.array([0, 0, 1, 1])
    assert roc_curve(labels, np.array([0.1, 0.2, 0.8, 0.9]))[1] == 1.0
    assert roc_curve(labels, np.array([0.5, 0.5, 0.5, 0.5]))[1] == 0.5


def test_the_predictor_and_explore_see_the_same_ids(toy):
    """One encoder: a corpus review's ids on Explore (from its ranks) are what the Predictor feeds the model."""
    from core.encoding.model_input import encode_review
    from core.text import tokenizer

    data, store, snap = toy
    predictor = Predictor(snap.run_id, store)
    config = predictor.config
    for index in range(5):
        text = data.test.texts[index]
        words = tokenizer.tokenize(text)
        ranks = data.test.ranks[data.test.offsets[index] : data.test.offsets[index + 1]]
        explore = encode_review(words, ranks, config.num_words, config.maxlen, config.truncating)
        assert predictor.encode(text).model_ids.tolist() == explore.model_input
