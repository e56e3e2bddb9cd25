"""Stand-ins for core's results, built without a model: explanations, an evaluation, stored runs."""

from __future__ import annotations

import json

import pandas as pd

from core.config import TrainConfig
from core.runs.evaluation import Evaluation
from core.runs.store import HISTORY_FILE
from core.serving.explain import Explanation, WordContribution
from core.text import tokenizer


def fake_explanation(
    text: str,
    contributions: dict[str, float] | None = None,
    *,
    cut_first: int = 0,
    oov: set[str] = frozenset(),
    clipped: int = 0,
    probability: float = 0.7,
) -> Explanation:
    """An Explanation as core.serving.explain builds it, without a model: spans from the real tokenizer."""
    contributions = contributions or {}
    words = []
    for i, (token, (start, end)) in enumerate(zip(tokenizer.tokenize(text), tokenizer.word_spans(text), strict=True)):
        cut = i < cut_first
        words.append(
            WordContribution(
                word=token,
                start=start,
                end=end,
                oov=token in oov,
                truncated=cut,
                contribution=None if cut else contributions.get(token, 0.0),
            )
        )
    return Explanation(probability=probability, words=words, text=text, clipped_chars=clipped)


def toy_evaluation() -> Evaluation:
    table = pd.DataFrame(
        {
            "test_index": range(6),
            "review_id": range(6),
            "label": [1, 1, 1, 0, 0, 0],
            "probability": [0.9, 0.8, 0.3, 0.2, 0.6, 0.1],
            "tokens": [50, 150, 950, 60, 1500, 90],
        }
    )
    table["correct"] = (table["probability"] >= 0.5) == (table["label"] == 1)
    return Evaluation("toy", table, {"accuracy": 4 / 6, "loss": 0.5, "count": 6, "auc": 0.8})


class FakeRun:
    """The RunInfo fields runs_table reads."""

    def __init__(self, run_id, accuracy, partial=False):
        self.run_id, self.preset, self.partial = run_id, None, partial
        self.test_metrics = {"accuracy": accuracy, "loss": 0.5, "count": 200}
        self.epochs_trained, self.best_epoch, self.train_seconds = 2, 1, 12.34
        self.samples_per_second, self.created = 456.7, 1_700_000_000.0
        self.config = TrainConfig(units=8)

    path = None  # no run folder unless a test gives it one

    @property
    def history_file(self):
        return None if self.path is None else self.path / HISTORY_FILE

    def read_history(self) -> dict:
        """As :meth:`core.runs.store.RunInfo.read_history`: OSError without a history on disk."""
        if self.path is None:
            raise OSError("this fake run has no folder")
        return json.loads(self.history_file.read_text("utf-8"))
