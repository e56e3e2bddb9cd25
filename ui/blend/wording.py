"""The blend's names and sentences (pure): one place for how the three models are called."""

from __future__ import annotations

from core.runs.blend import BASELINE, BLEND, LSTM, Blend, Disagreements

BLEND_NAME = "Blend (LSTM + bag of words, weights fitted on validation reviews only)"
#: How tables and sentences name each model.
NAMES = {LSTM: "LSTM", BASELINE: "bag of words", BLEND: "blend"}
SPLIT_WORDS = {
    "test": "test reviews",
    "validation": "validation reviews (the test set stays hidden until the teacher reveals it)",
}


def weights_sentence(blend: Blend) -> str:
    """What the fitted weights say, in plain words."""
    fit_reviews = len(blend.arrays["validation_label"])
    lstm, bow = blend.lstm_weight, blend.baseline_weight
    leans = "the LSTM" if abs(lstm) > abs(bow) else "the bag of words"
    return (
        f"Fitted on {fit_reviews:,} validation reviews that neither model trained on: "
        f"blend log-odds = {lstm:.2f} × LSTM's + {bow:.2f} × bag of words' {blend.intercept:+.2f}. "
        f"It leans on {leans}. Its validation accuracy is cross-validated (never scored on the reviews it was "
        "fitted on); test accuracy was measured once, after the fit."
    )


def disagreement_sentence(found: Disagreements, split: str) -> str:
    """How often the two disagree on ``split`` and which of them is right there."""
    if not found.count:
        return f"The LSTM and the bag of words agree on all {found.reviews:,} {SPLIT_WORDS[split]}."
    share = found.count / found.reviews
    lstm, bow = found.right(LSTM), found.right(BASELINE)
    better = "the LSTM" if lstm > bow else "the bag of words" if bow > lstm else "neither"
    return (
        f"The LSTM and the bag of words disagree on {found.count:,} of {found.reviews:,} {SPLIT_WORDS[split]} "
        f"({share:.1%}). The LSTM is right on {lstm:,} of them, the bag of words on {bow:,}: "
        f"{better} wins where they differ. These reviews are where a blend can gain."
    )


def predict_line(probability: float, verdict: str) -> str:
    return f"**{BLEND_NAME}**: {verdict} · probability of positive {probability:.3f}"


def not_fitted() -> str:
    return "The blend is not fitted for this run yet: fit it on the Evaluate page (seconds; it reads validation only)."
