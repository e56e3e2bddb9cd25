"""How to read each internal view, and the warnings when a comparison is shaky (pure wording)."""

from __future__ import annotations

from ui.xray import wording


def test_every_internal_view_has_one_how_to_read_line():
    views = {"running_verdict", "heatmaps", "memory_horizon", "embedding_map", "unit_roles", "interventions"}
    assert set(wording.HOW_TO_READ) == views
    assert all(line.startswith("How to read this: ") for line in wording.HOW_TO_READ.values())
    line = wording.memory_horizon_how_to_read(300, 0.9)
    assert "300 validation reviews" in line and "never test reviews" in line and "90%" in line


def test_runs_of_very_different_accuracy_make_a_shaky_comparison():
    assert wording.shaky_comparison({"a": 0.87, "b": 0.84}) is None  # within 0.05
    assert wording.shaky_comparison({"a": 0.87}) is None
    assert wording.shaky_comparison({"a": 0.87, "b": float("nan")}) is None  # not measured: nothing to say
    warning = wording.shaky_comparison({"a": 0.62, "b": 0.88, "c": 0.80})
    assert (
        warning.startswith("A shaky comparison: b is 0.26 more accurate") and "than a (0.880 against 0.620)" in warning
    )


def test_a_review_longer_than_maxlen_says_which_words_are_cut():
    assert wording.long_review(400, 400, keeps_end=True) is None
    assert "only its last 400" in wording.long_review(1000, 400, keeps_end=True)
    assert "only its first 200: " in wording.long_review(250, 200, keeps_end=False)
    assert "50 others never reach the verdict" in wording.long_review(250, 200, keeps_end=False)


def test_the_horizon_sentence_is_the_charts_experiment():
    result = {"reads_last_words": 64, "reviews": 300, "agreement": 0.9, "last_words": [1, 64, 400]}
    assert wording.memory_horizon_sentence(result).startswith("From its last **64** words alone")
    assert "90% or more of 300 validation reviews" in wording.memory_horizon_sentence(result)
    never = dict(result, reads_last_words=None)
    assert "more than its last 400 words" in wording.memory_horizon_sentence(never)
