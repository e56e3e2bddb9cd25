"""What the Predict page says: the verdict, who is right, what the model read (truncation, unknown words).

Pure: each function takes plain values or an explanation and returns text.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.config import TrainConfig
from core.model import metrics
from core.model.metrics import THRESHOLD
from ui.shared.wording import code_list

#: Said instead of a verdict when the text has no words (only punctuation, symbols or emoji).
NO_WORDS = (
    "The model found no words in this text (only punctuation, symbols or emoji), so its answer says nothing "
    "about the review. Type a few words."
)


@dataclass(frozen=True)
class Verdict:
    probability: float  # of "positive"
    label: str  # "positive" or "negative" (core.model.metrics.label)
    share: float  # the model's probability of its own label: 0.5 to 1

    @property
    def headline(self) -> str:
        """``"63% negative"``: what the model says, in the words a reader uses."""
        return f"{self.share:.0%} {self.label}"

    @property
    def strength(self) -> str:
        if self.share >= 0.9:
            return "the model is sure"
        if self.share >= 0.7:
            return "the model leans this way"
        return "a near coin toss"


def verdict(probability: float) -> Verdict:
    probability = float(probability)
    label = metrics.label(probability)
    return Verdict(probability, label, probability if label == metrics.POSITIVE else 1 - probability)


def who_is_right(probabilities: dict[str, float], true_label: int) -> str:
    """Markdown for runs side by side on a test review: its true label, and which runs got it right."""
    truth = metrics.label_name(true_label == 1)
    right = [run_id for run_id, p in probabilities.items() if metrics.label(p) == truth]
    wrong = [run_id for run_id in probabilities if run_id not in right]
    if not wrong:
        verdict = "both runs are right." if len(right) == 2 else "every run is right."
    elif not right:
        verdict = "both runs are wrong." if len(wrong) == 2 else "every run is wrong."
    else:
        verdict = f":green[right: {code_list(right)}]; :red[wrong: {code_list(wrong)}]."
    return f"True label of this test review: **{truth}**. " + verdict


def verdict_help() -> str:
    return (
        f"The model's probability that the review is positive is p; it says positive from p = {THRESHOLD:g} up. "
        '"63% negative" means p = 0.37: 50% would be a coin toss, 100% certain.'
    )


def run_reading(config: TrainConfig) -> str:
    """What a run reads of a review (Markdown): its model, maxlen and which end it keeps, its vocabulary."""
    kept = "end" if config.truncating == "pre" else "beginning"
    return (
        f"`{config.summary()}` · reads at most {config.maxlen} tokens, keeping the {kept} of longer reviews · "
        f"knows {config.num_words:,} words"
        + (f" · test slice of {config.test_limit} reviews" if config.test_limit else "")
    )


@dataclass(frozen=True)
class InputSummary:
    words: int  # words found in the (clipped) text
    seen: int  # words the model read
    cut: int  # words cut off by truncation
    oov_words: list[str]  # distinct out-of-vocabulary words, in order of appearance
    oov_count: int  # OOV occurrences among all words
    clipped_chars: int  # characters beyond core.text.limits.MAX_TEXT_CHARS


def input_summary(explanation) -> InputSummary:
    words = explanation.words
    oov = [w.word for w in words if w.oov]
    return InputSummary(
        words=len(words),
        seen=sum(not w.truncated for w in words),
        cut=sum(w.truncated for w in words),
        oov_words=list(dict.fromkeys(oov)),
        oov_count=len(oov),
        clipped_chars=int(explanation.clipped_chars),
    )


def _kept_end(truncating: str) -> str:
    """Which words of a long review a run reads: ``truncating="pre"`` cuts the beginning."""
    return "last" if truncating == "pre" else "first"


def clipped_sentence(summary: InputSummary, max_chars: int, maxlen: int, truncating: str) -> str | None:
    """How much of a very long text was read at all (``core.text.limits.MAX_TEXT_CHARS``); None if all."""
    if not summary.clipped_chars:
        return None
    return (
        f"Your text is {max_chars + summary.clipped_chars:,} characters long: only the {_kept_end(truncating)} "
        f"{max_chars:,} were read (the model sees at most {maxlen} tokens anyway)."
    )


def truncation_sentence(summary: InputSummary, maxlen: int, truncating: str) -> str | None:
    """Why some words are grey, or None when the model read them all."""
    if not summary.cut:
        return None
    return (
        f"This run reads at most {maxlen} tokens (its start marker included), so it kept the {_kept_end(truncating)} "
        f"{summary.seen:,} of your {summary.words:,} words; the {summary.cut:,} "
        f"{'earlier' if truncating == 'pre' else 'later'} ones (grey) were cut off and never seen."
    )


def oov_sentence(summary: InputSummary) -> str | None:
    """The words out of the run's vocabulary (Markdown), or None when every word is known."""
    count = len(summary.oov_words)
    if not count:
        return None
    return (
        f"**{count:,} word{'s' if count != 1 else ''} out of the vocabulary** (underlined; the model sees one "
        f"shared OOV id for each): " + code_list(summary.oov_words)
    )
