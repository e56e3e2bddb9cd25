"""The decision rule and the scores of a binary sentiment classifier, in one place.

Every verdict in the lab (test metrics, the Predict page, batch tables, the confusion
matrix, the CLI) calls a probability "positive" through :func:`is_positive`, so the
threshold cannot differ between two pages. Nothing here imports Keras.
"""

from __future__ import annotations

import numpy as np

#: Probability of "positive" at and above which a review is called positive.
THRESHOLD = 0.5
POSITIVE, NEGATIVE = "positive", "negative"


def is_positive(probabilities):
    """True where the probability says "positive" (a bool, or a bool array for an array)."""
    return np.asarray(probabilities) >= THRESHOLD if np.ndim(probabilities) else probabilities >= THRESHOLD


def label(probabilities):
    """``"positive"`` / ``"negative"`` for one probability, or an array of them."""
    return label_name(is_positive(probabilities))


def label_name(positive):
    """``"positive"`` / ``"negative"`` for a true label (1 / 0), a direction (True / False), or an array of them.

    The one place the app turns a label into its word: tables, sentences and badges all ask here.
    """
    if np.ndim(positive):
        return np.where(np.asarray(positive).astype(bool), POSITIVE, NEGATIVE)
    return POSITIVE if positive else NEGATIVE


def confidence(probabilities):
    """How far from undecided: 0 at the threshold, 1 at a probability of 0 or 1."""
    p = np.asarray(probabilities, dtype=np.float64) if np.ndim(probabilities) else float(probabilities)
    return np.abs(p - THRESHOLD) * 2 if np.ndim(p) else abs(p - THRESHOLD) * 2


#: Probabilities are kept this far from 0 and 1 before logs (float32 outputs saturate at 0 and 1).
EPSILON = 1e-7


def log_odds(probabilities) -> np.ndarray:
    """``log(p / (1 - p))``, with ``p`` kept inside ``[EPSILON, 1 - EPSILON]``: how explanations measure change."""
    p = np.clip(np.asarray(probabilities, dtype=np.float64), EPSILON, 1 - EPSILON)
    return np.log(p) - np.log1p(-p)


def binary_metrics(probabilities: np.ndarray, labels: np.ndarray) -> dict:
    """Accuracy and mean binary cross-entropy of probabilities against 0/1 labels."""
    p = np.clip(probabilities.astype(np.float64), EPSILON, 1 - EPSILON)
    loss = -np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)) if len(p) else float("nan")
    accuracy = float(np.mean(is_positive(probabilities) == (labels >= 0.5))) if len(p) else float("nan")
    return {"accuracy": accuracy, "loss": float(loss), "count": len(p)}
