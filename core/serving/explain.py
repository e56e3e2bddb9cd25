"""Why the model said what it said: per-word (or per-phrase) contributions by occlusion.

For every word the model sees, the review is scored again without that word; the
word's contribution is the change in **log-odds**, ``logit(p(review)) - logit(p(review
without the word))``. Log-odds, not probability, so a word that matters is visible even
when the prediction is saturated (0.999 -> 0.99 is a change of 2.3 in log-odds but only
0.009 in probability), and so one fixed colour scale fits every review. Positive values
pushed the prediction towards "positive", negative ones towards "negative".

With ``span=2`` or ``3`` whole phrases are removed instead (every run of that many
consecutive words the model sees), so "not bad" is scored as one unit; each word then
shows the strongest phrase it belongs to. All the variants are scored in a few
batches, so a 200-word review takes well under a second. Words cut off by truncation,
or never seen by the model, are marked instead of scored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.model.metrics import log_odds
from core.serving.predictor import Predictor
from core.text import tokenizer

_BATCH = 256
#: The longest phrase that can be removed as one unit.
MAX_SPAN = 3


@dataclass(frozen=True)
class WordContribution:
    word: str
    start: int  # character span in the (clipped) text
    end: int
    contribution: float | None  # change in log-odds; None: not seen by the model (truncated away)
    oov: bool
    truncated: bool


@dataclass(frozen=True)
class PhraseContribution:
    first: int  # index of the phrase's first and last word in Explanation.words
    last: int
    contribution: float  # change in log-odds when the whole phrase is removed


@dataclass(frozen=True)
class Explanation:
    probability: float
    words: list[WordContribution]
    text: str  # the text the spans refer to (see Predictor.clip)
    clipped_chars: int
    clipped_at_start: bool = False  # the cut characters came before ``text`` (the model keeps the end)
    span: int = 1  # how many consecutive words were removed at a time
    phrases: list[PhraseContribution] = field(default_factory=list)  # every scored span, strongest first


def _removal_effects(predictor: Predictor, kept: np.ndarray, base: float, starts: list[int], span: int):
    """Log-odds change from ``base`` (the whole review's probability) of removing ``kept[s:s + span]``, per ``s``."""
    base = log_odds(base)
    effects = np.zeros(len(starts))
    for first in range(0, len(starts), _BATCH):
        chunk = starts[first : first + _BATCH]
        variants = [np.delete(kept, np.arange(s, s + span)) for s in chunk]
        effects[first : first + len(chunk)] = base - log_odds(predictor.predict_ids(variants))
    return effects


def explain(predictor: Predictor, text: str, span: int = 1) -> Explanation:
    """Occlusion contributions (log-odds) of each word, or each ``span``-word phrase, of ``text``.

    Args:
        predictor: the loaded run.
        text: the review as typed (clipped to what the model reads).
        span: how many consecutive words to remove at a time, 1 to :data:`MAX_SPAN`.

    Returns:
        An :class:`Explanation`; with ``span > 1`` each word carries the contribution of
        the strongest phrase it is part of, and ``phrases`` lists every phrase scored.
    """
    if not 1 <= int(span) <= MAX_SPAN:
        raise ValueError(f"span must be 1 to {MAX_SPAN}, not {span!r}")
    span = int(span)
    encoded = predictor.encode(text)
    text, _ = predictor.clip(text)
    spans = tokenizer.word_spans(text)
    kept = np.asarray(encoded.model_ids)
    # ids = [start, word_0, ..., word_n-1]; the model keeps ids[first:first + len(kept)].
    first = len(encoded.ids) - len(kept) if predictor.config.truncating == "pre" else 0
    positions = {i: i + 1 - first for i in range(len(encoded.tokens)) if first <= i + 1 < first + len(kept)}
    seen = sorted(positions)  # word indices the model reads, in order (consecutive)
    span = min(span, len(seen)) or 1  # a review shorter than the phrase length: remove all of it
    base = float(predictor.predict_ids([kept])[0])
    starts = list(range(len(seen) - span + 1))
    effects = _removal_effects(predictor, kept, base, [positions[seen[s]] for s in starts], span) if seen else []
    phrases = sorted(
        (PhraseContribution(seen[s], seen[s + span - 1], float(e)) for s, e in zip(starts, effects, strict=True)),
        key=lambda phrase: -abs(phrase.contribution),
    )
    by_word: dict[int, float] = {}
    for phrase in reversed(phrases):  # weakest first, so the strongest phrase a word is in wins
        for i in range(phrase.first, phrase.last + 1):
            by_word[i] = phrase.contribution
    oov_id = predictor.encoding.oov_char
    words = [
        WordContribution(
            word=token,
            start=word_span[0],
            end=word_span[1],
            contribution=by_word.get(i),
            oov=bool(encoded.ids[i + 1] == oov_id),
            truncated=i not in positions,
        )
        for i, (token, word_span) in enumerate(zip(encoded.tokens, spans, strict=False))
    ]
    return Explanation(
        probability=base,
        words=words,
        text=text,
        clipped_chars=encoded.clipped_chars,
        clipped_at_start=predictor.keeps_end(),
        span=span,
        phrases=phrases,
    )
