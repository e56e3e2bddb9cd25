"""Evaluating a stored run on the test set: the numbers behind the Evaluate page.

Everything is computed from the run's stored test probabilities and the dataset's
labels and lengths, so no model is loaded and nothing is re-predicted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import RunError
from core.runs.store import RunStore
from core.model.metrics import binary_metrics, confidence, is_positive, label

LENGTH_BINS = (0, 100, 200, 300, 400, 600, 800, 1200, 100_000)


@dataclass(frozen=True)
class Evaluation:
    run_id: str
    table: pd.DataFrame  # one row per evaluated test review: index, label, probability, tokens, correct
    metrics: dict

    def confusion(self) -> pd.DataFrame:
        """Counts by true label (rows) and predicted label (columns)."""
        predicted = label(self.table["probability"].to_numpy())
        true = np.where(self.table["label"] == 1, "positive", "negative")
        return pd.crosstab(pd.Series(true, name="true"), pd.Series(predicted, name="predicted")).reindex(
            index=["negative", "positive"], columns=["negative", "positive"], fill_value=0
        )

    def roc(self) -> tuple[pd.DataFrame, float]:
        """ROC curve points (false/true positive rate per threshold) and the area under it."""
        return roc_curve(self.table["label"].to_numpy(), self.table["probability"].to_numpy())

    def accuracy_by_length(self, maxlen: int | None = None) -> pd.DataFrame:
        """Accuracy per review-length band; are long (truncated) reviews harder?

        Columns: ``band`` ("401-600", "1,201+"), ``start``/``end`` (tokens, inclusive),
        ``accuracy``, ``reviews`` and, with ``maxlen``, ``truncated``: every review in the
        band is cut (its tokens plus the start character exceed ``maxlen``). Empty bands
        are left out.
        """
        bands = pd.cut(self.table["tokens"], bins=list(LENGTH_BINS), right=True)
        grouped = self.table.groupby(bands, observed=True)["correct"].agg(["mean", "size"])
        intervals = grouped.index
        frame = pd.DataFrame(
            {
                "start": [int(iv.left) + 1 for iv in intervals],
                "end": [int(iv.right) for iv in intervals],
                "accuracy": grouped["mean"].to_numpy(),
                "reviews": grouped["size"].to_numpy(),
            }
        )
        frame.insert(
            0,
            "band",
            [f"{a:,}+" if b >= LENGTH_BINS[-1] else f"{a:,}-{b:,}" for a, b in zip(frame["start"], frame["end"])],
        )
        if maxlen:
            frame["truncated"] = frame["start"] + 1 > maxlen
        return frame

    def confident_mistakes(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` wrong predictions the model was surest of."""
        wrong = self.table[~self.table["correct"]].copy()
        wrong["confidence"] = confidence(wrong["probability"].to_numpy())
        return wrong.sort_values("confidence", ascending=False).head(n)


def roc_curve(labels: np.ndarray, scores: np.ndarray) -> tuple[pd.DataFrame, float]:
    """ROC points at every distinct score, and the trapezoidal AUC."""
    order = np.argsort(-scores, kind="mergesort")
    labels, scores = labels[order], scores[order]
    distinct = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
    tps = np.cumsum(labels)[distinct]
    fps = (distinct + 1) - tps
    positives, negatives = max(labels.sum(), 1), max(len(labels) - labels.sum(), 1)
    tpr = np.r_[0.0, tps / positives]
    fpr = np.r_[0.0, fps / negatives]
    auc = float(np.trapezoid(tpr, fpr))
    return pd.DataFrame({"false_positive_rate": fpr, "true_positive_rate": tpr}), auc


def evaluate(run_id: str, data, store: RunStore | None = None) -> Evaluation:
    """Join a run's stored test probabilities with the test labels, texts and lengths."""
    store = store or RunStore()
    run = store.get(run_id)
    if run.data_fingerprint != data.fingerprint:
        raise RunError(
            f"Run {run_id} was trained on other data ({run.data_fingerprint[:20]}...) than the "
            f"loaded dataset; load that dataset to evaluate it."
        )
    indices, probabilities = store.test_predictions(run_id)
    labels = data.test.labels[indices].astype(np.int64)
    table = pd.DataFrame(
        {
            "test_index": indices,
            "review_id": data.test.review_ids[indices],
            "label": labels,
            "probability": probabilities.astype(np.float64),
            "tokens": data.test.lengths[indices],
        }
    )
    table["correct"] = is_positive(table["probability"].to_numpy()) == (table["label"] == 1)
    metrics = binary_metrics(probabilities, labels)
    metrics["auc"] = roc_curve(labels, probabilities.astype(np.float64))[1]
    return Evaluation(run_id, table, metrics)
