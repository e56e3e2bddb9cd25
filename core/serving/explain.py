"""Why the model said what it said: per-word contributions by occlusion.

For every word the model sees, the review is scored again without that word; the
word's contribution is ``p(review) - p(review without the word)``. Positive values
pushed the prediction towards "positive", negative ones towards "negative". All the
variants are scored in a few batches, so a 200-word review takes well under a second.
Words cut off by truncation, or never seen by the model, are marked instead of scored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.serving.predictor import Predictor
from core.text import tokenizer

_BATCH = 256


@dataclass(frozen=True)
class WordContribution:
    word: str
    start: int  # character span in the (clipped) text
    end: int
    contribution: float | None  # None: not seen by the model (truncated away)
    oov: bool
    truncated: bool


@dataclass(frozen=True)
class Explanation:
    probability: float
    words: list[WordContribution]
    text: str  # the text the spans refer to (see Predictor.clip)
    clipped_chars: int
    clipped_at_start: bool = False  # the cut characters came before ``text`` (the model keeps the end)


def explain(predictor: Predictor, text: str) -> Explanation:
    """Occlusion contributions of each word of ``text`` to ``predictor``'s probability."""
    encoded = predictor.encode(text)
    text, _ = predictor.clip(text)
    spans = tokenizer.word_spans(text)
    kept = encoded.model_ids
    # ids = [start, word_0, ..., word_n-1]; the model keeps ids[first:first + len(kept)].
    first = len(encoded.ids) - len(kept) if predictor.config.truncating == "pre" else 0
    positions = {i: i + 1 - first for i in range(len(encoded.tokens)) if first <= i + 1 < first + len(kept)}
    base = float(predictor.predict_ids([kept])[0])
    variants = [np.delete(kept, position) for position in positions.values()]
    contributions = np.zeros(len(variants))
    for start in range(0, len(variants), _BATCH):
        scores = predictor.predict_ids(variants[start : start + _BATCH])
        contributions[start : start + len(scores)] = base - scores
    by_word = dict(zip(positions, contributions.tolist(), strict=True))
    oov_id = predictor.encoding.oov_char
    words = [
        WordContribution(
            word=token,
            start=span[0],
            end=span[1],
            contribution=by_word.get(i),
            oov=bool(encoded.ids[i + 1] == oov_id),
            truncated=i not in by_word,
        )
        for i, (token, span) in enumerate(zip(encoded.tokens, spans, strict=False))
    ]
    return Explanation(
        probability=base,
        words=words,
        text=text,
        clipped_chars=encoded.clipped_chars,
        clipped_at_start=predictor.keeps_end(),
    )
