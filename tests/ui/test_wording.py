"""ui.wording: numbers as text and the sentences that explain a result."""

from __future__ import annotations

from core.config import preset
from tests.ui.fakes import fake_explanation, toy_evaluation
from ui.evaluate import wording
from ui.explore import wording as explore_wording
from ui.predict import wording as predict_wording
from ui.shared import wording as shared_wording
from ui.train import wording as train_wording


def test_verdict_labels_and_strength():
    assert (
        predict_wording.verdict(0.93).label == "positive"
        and predict_wording.verdict(0.93).strength == "the model is sure"
    )
    assert (
        predict_wording.verdict(0.45).label == "negative"
        and predict_wording.verdict(0.45).strength == "a near coin toss"
    )
    assert (
        predict_wording.verdict(0.37).headline == "63% negative"
        and predict_wording.verdict(0.5).headline == "50% positive"
    )
    assert predict_wording.verdict(0.8).strength == "the model leans this way"


def test_input_summary_and_truncation_sentence():
    explanation = fake_explanation("a b c d e qqq", cut_first=2, oov={"qqq"})
    summary = predict_wording.input_summary(explanation)
    assert (summary.words, summary.seen, summary.cut, summary.oov_words) == (6, 4, 2, ["qqq"])
    sentence = predict_wording.truncation_sentence(summary, maxlen=5, truncating="pre")
    assert "kept the last 4 of your 6 words" in sentence and "2 earlier ones" in sentence
    assert predict_wording.truncation_sentence(predict_wording.input_summary(fake_explanation("a b")), 5, "pre") is None
    assert shared_wording.code_list(["a`b", "c"], limit=1) == "`ab` and 1 more"


def test_review_for_display_and_mistake_title():
    assert shared_wording.review_for_display("One.<br /><br />Two<BR>") == "One.\n\nTwo\n"
    row = toy_evaluation().confident_mistakes(1).iloc[0]
    assert wording.mistake_title(row).startswith("Actually positive, model said negative (p = 0.300) · 950 tokens")


def test_abbreviate_ids_and_duration():
    assert explore_wording.abbreviate_ids([1, 5, 9], padding=2) == "[0 × 2, 1, 5, 9]"
    assert "more" in explore_wording.abbreviate_ids(list(range(100)), padding=0, edge=3)
    assert [shared_wording.duration(s) for s in (None, 0.2, 45, 185, 3720)] == [
        "—",
        "under 1 s",
        "45 s",
        "3 min 05 s",
        "1 h 02 min",
    ]


def test_overfitting_note_needs_rising_validation_loss():
    healthy = [
        {"epoch": e, "loss": 0.6 - 0.1 * e, "accuracy": 0.7, "val_loss": 0.6 - 0.05 * e, "val_accuracy": 0.69}
        for e in (1, 2, 3)
    ]
    assert train_wording.overfitting_note(healthy) is None
    overfit = [
        {
            "epoch": e,
            "loss": 0.6 - 0.15 * e,
            "accuracy": 0.8 + 0.05 * e,
            "val_loss": 0.4 + 0.1 * (e - 1),
            "val_accuracy": 0.8,
        }
        for e in (1, 2, 3)
    ]
    assert "epoch 1" in train_wording.overfitting_note(overfit)


def test_tutorial_comparison():
    assert "0.853" in train_wording.tutorial_comparison(preset("tutorial-v1"), 0.84)
    assert "0.872-0.876" in train_wording.tutorial_comparison(preset("lstm"), None)


def test_who_is_right_names_the_runs():
    assert predict_wording.who_is_right({"a": 0.9, "b": 0.2}, 1).endswith(":green[right: `a`]; :red[wrong: `b`].")
    assert "both runs are wrong" in predict_wording.who_is_right({"a": 0.9, "b": 0.8}, 0)
    assert "**negative**" in predict_wording.who_is_right({"a": 0.1, "b": 0.2}, 0)


def test_a_tiny_estimate_is_not_about_under_one_second():
    sentence = train_wording.estimate_sentence((0.2, 0.4, 0.9), 2, early_stopping=False)
    assert "about under" not in sentence and "**under 1 s per epoch**" in sentence
    assert "about 12 s per epoch" in train_wording.estimate_sentence((10, 12, 15), 2, early_stopping=True)
