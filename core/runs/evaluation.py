"""Evaluating a stored run on the test set: the numbers behind the Evaluate page.

Everything is computed from the run's stored test probabilities and the dataset's
labels, lengths and star ratings, so no model is loaded and nothing is re-predicted.
Every verdict can be asked at another decision threshold than the lab's
(:data:`core.model.metrics.THRESHOLD`, the default everywhere): the confusion matrix,
accuracy, precision and recall, the breakdowns and the mistakes follow it. The curves
(ROC, precision-recall, calibration) and the threshold metrics are scikit-learn's,
imported where used: the web server imports this module for the runs table, and
``sklearn.metrics`` takes two seconds to import.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import RunError
from core.model.metrics import NEGATIVE, POSITIVE, THRESHOLD, binary_metrics
from core.runs.store import RunInfo, RunStore

LENGTH_BINS = (0, 100, 200, 300, 400, 600, 800, 1200, 100_000)
#: Length bands with fewer reviews than this are merged with a neighbour (or flagged ``few``).
MIN_BAND_REVIEWS = 100
#: The star ratings of IMDB's labelled reviews: 1-4 are negative, 7-10 positive (5 and 6 are left out).
RATINGS = (1, 2, 3, 4, 7, 8, 9, 10)
#: Equal-width probability bins of the calibration (reliability) chart.
CALIBRATION_BINS = 10


def called_positive(probabilities, threshold: float = THRESHOLD) -> np.ndarray:
    """Where a probability says "positive" at ``threshold``: :func:`core.model.metrics.is_positive`'s rule."""
    return np.asarray(probabilities, dtype=np.float64) >= threshold


@dataclass(frozen=True)
class ThresholdMetrics:
    """The verdicts at one decision threshold (positive = the positive class)."""

    threshold: float
    accuracy: float
    precision: float  # of the reviews called positive, the share that are (0 when none is called positive)
    recall: float  # of the positive reviews, the share called positive (the true positive rate)
    false_positive_rate: float  # of the negative reviews, the share called positive
    called_positive: int


@dataclass(frozen=True)
class Evaluation:
    run_id: str
    table: pd.DataFrame  # one row per test review: test_index, review_id, label, probability, tokens, rating, correct
    metrics: dict

    def _labels(self) -> np.ndarray:
        return self.table["label"].to_numpy().astype(np.int64)

    def _probabilities(self) -> np.ndarray:
        return self.table["probability"].to_numpy().astype(np.float64)

    @property
    def positive_share(self) -> float:
        """The share of positive reviews: the precision of calling every review positive."""
        return float(self._labels().mean()) if len(self.table) else math.nan

    def correct_at(self, threshold: float = THRESHOLD) -> np.ndarray:
        """Whether each review's verdict at ``threshold`` is its true label."""
        return called_positive(self._probabilities(), threshold) == (self._labels() == 1)

    def confusion(self, threshold: float = THRESHOLD) -> pd.DataFrame:
        """Counts by true label (rows) and predicted label (columns) at ``threshold``."""
        predicted = np.where(called_positive(self._probabilities(), threshold), POSITIVE, NEGATIVE)
        true = np.where(self._labels() == 1, POSITIVE, NEGATIVE)
        return pd.crosstab(pd.Series(true, name="true"), pd.Series(predicted, name="predicted")).reindex(
            index=[NEGATIVE, POSITIVE], columns=[NEGATIVE, POSITIVE], fill_value=0
        )

    def at_threshold(self, threshold: float = THRESHOLD) -> ThresholdMetrics:
        """Accuracy, precision, recall and false positive rate at ``threshold`` (scikit-learn's)."""
        from sklearn.metrics import accuracy_score, confusion_matrix, precision_score, recall_score

        labels, predicted = self._labels(), called_positive(self._probabilities(), threshold).astype(np.int64)
        if not len(labels):
            return ThresholdMetrics(threshold, math.nan, math.nan, math.nan, math.nan, 0)
        (tn, fp), (_fn, _tp) = confusion_matrix(labels, predicted, labels=[0, 1])
        return ThresholdMetrics(
            threshold=float(threshold),
            accuracy=float(accuracy_score(labels, predicted)),
            precision=float(precision_score(labels, predicted, zero_division=0)),
            recall=float(recall_score(labels, predicted, zero_division=0)),
            false_positive_rate=float(fp / (tn + fp)) if tn + fp else math.nan,
            called_positive=int(predicted.sum()),
        )

    def roc(self) -> tuple[pd.DataFrame, float]:
        """ROC curve points (false/true positive rate per threshold) and the area under it."""
        return roc_curve(self._labels(), self._probabilities())

    def precision_recall(self) -> tuple[pd.DataFrame, float]:
        """The precision-recall curve (columns recall, precision, threshold) and the average precision.

        scikit-learn's: one point per distinct probability, from calling every review
        positive (recall 1) to calling none (recall 0, whose precision is set to 1).
        """
        from sklearn.metrics import average_precision_score, precision_recall_curve

        labels, scores = self._labels(), self._probabilities()
        precision, recall, thresholds = precision_recall_curve(labels, scores)
        curve = pd.DataFrame({"recall": recall, "precision": precision, "threshold": np.r_[thresholds, np.nan]})
        return curve, float(average_precision_score(labels, scores))

    def calibration(self, bins: int = CALIBRATION_BINS) -> pd.DataFrame:
        """The reliability of the probabilities: per equal-width probability bin, how many are positive.

        Columns: ``start``/``end`` (the bin), ``mean_probability`` (what the model said,
        on average), ``positive_share`` (what was true), ``reviews``. Empty bins are left
        out. A calibrated model has ``positive_share`` close to ``mean_probability``.
        """
        from sklearn.calibration import calibration_curve

        labels, scores = self._labels(), self._probabilities()
        edges = np.linspace(0.0, 1.0, bins + 1)
        counts = np.bincount(np.searchsorted(edges[1:-1], scores), minlength=bins)  # calibration_curve's binning
        filled = np.flatnonzero(counts)
        if len(np.unique(labels)) < 2:  # calibration_curve needs both labels
            return pd.DataFrame(columns=["start", "end", "mean_probability", "positive_share", "reviews"])
        positive_share, mean_probability = calibration_curve(labels, scores, n_bins=bins, strategy="uniform")
        return pd.DataFrame(
            {
                "start": edges[filled],
                "end": edges[filled + 1],
                "mean_probability": mean_probability,
                "positive_share": positive_share,
                "reviews": counts[filled],
            }
        )

    def accuracy_by_length(
        self, maxlen: int | None = None, threshold: float = THRESHOLD, min_reviews: int = 1
    ) -> pd.DataFrame:
        """Accuracy per review-length band at ``threshold``; are long (truncated) reviews harder?

        Columns: ``band`` ("401-600", "1,201+"), ``start``/``end`` (tokens, inclusive),
        ``accuracy``, ``reviews``, ``low``/``high`` (a 95% interval of the accuracy),
        ``difference`` (from the accuracy over all reviews), ``few`` (fewer than
        ``min_reviews`` reviews even after merging) and, with ``maxlen``, ``truncated``:
        every review in the band is cut (its tokens plus the start character exceed
        ``maxlen``). Empty bands are left out; a band under ``min_reviews`` is merged with
        its neighbour of the same kind (truncated or not), so the last bar is not 5 reviews.
        """
        frame = self.table.assign(correct=self.correct_at(threshold))
        grouped = frame.groupby(pd.cut(frame["tokens"], bins=list(LENGTH_BINS), right=True), observed=True)
        counts = grouped["correct"].agg(["sum", "size"])
        bands = pd.DataFrame(
            {
                "start": [int(iv.left) + 1 for iv in counts.index],
                "end": [int(iv.right) for iv in counts.index],
                "right": counts["sum"].to_numpy(),
                "reviews": counts["size"].to_numpy(),
            }
        )
        bands["truncated"] = bands["start"] + 1 > maxlen if maxlen else False
        bands = _merge_small_bands(bands, min_reviews)
        overall = float(frame["correct"].mean()) if len(frame) else math.nan
        bands["accuracy"] = bands["right"] / bands["reviews"]
        bands["low"], bands["high"] = wilson_interval(bands["right"].to_numpy(), bands["reviews"].to_numpy())
        bands["difference"] = bands["accuracy"] - overall
        bands["few"] = bands["reviews"] < min_reviews
        bands.insert(0, "band", [_band_name(a, b) for a, b in zip(bands["start"], bands["end"], strict=True)])
        columns = ["band", "start", "end", "accuracy", "reviews", "low", "high", "difference", "few"]
        return bands[columns + (["truncated"] if maxlen else [])].reset_index(drop=True)

    def by_rating(self, threshold: float = THRESHOLD) -> pd.DataFrame:
        """Per star rating (1-4, 7-10): accuracy at ``threshold`` and the spread of the predicted probability.

        Does the model tell a 4-star review from a 1-star one? Columns: ``rating``,
        ``label`` (the rating's side), ``reviews``, ``accuracy`` with its 95% interval
        ``low``/``high``, ``mean_probability`` and the probability's ``p10``, ``q1``,
        ``median``, ``q3``, ``p90``. Ratings without a review, and reviews without a
        rating (-1), are left out.
        """
        rated = self.table.assign(correct=self.correct_at(threshold))
        if "rating" not in rated:  # a table built without the corpus's ratings: none known
            rated = rated.assign(rating=-1)
        grouped = rated[rated["rating"].isin(RATINGS)].groupby("rating")
        probability = grouped["probability"]
        frame = pd.DataFrame(
            {
                "reviews": grouped.size(),
                "accuracy": grouped["correct"].mean(),
                "mean_probability": probability.mean(),
                **{name: probability.quantile(q) for name, q in _QUANTILES.items()},
            }
        )
        frame = frame.reset_index().astype({"rating": np.int64})
        frame.insert(1, "label", np.where(frame["rating"] >= 7, POSITIVE, NEGATIVE))
        frame["low"], frame["high"] = wilson_interval(frame["accuracy"] * frame["reviews"], frame["reviews"])
        return frame

    def confident_mistakes(self, n: int = 10, threshold: float = THRESHOLD) -> pd.DataFrame:
        """The ``n`` wrong verdicts at ``threshold`` whose probability is farthest from it.

        Adds ``predicted`` (what the model said) and ``margin`` (the distance from the threshold).
        """
        wrong = self.table[~self.correct_at(threshold)].copy()
        wrong["predicted"] = np.where(called_positive(wrong["probability"], threshold), POSITIVE, NEGATIVE)
        wrong["margin"] = (wrong["probability"] - threshold).abs()
        return wrong.sort_values("margin", ascending=False, kind="stable").head(n)


_QUANTILES = {"p10": 0.1, "q1": 0.25, "median": 0.5, "q3": 0.75, "p90": 0.9}


def _merge_small_bands(bands: pd.DataFrame, min_reviews: int) -> pd.DataFrame:
    """Within each kind (truncated or not): a band under ``min_reviews`` takes in the next; a small last one joins the previous."""
    merged: list[dict] = []
    for _, kind in itertools.groupby(bands.to_dict("records"), key=lambda band: band["truncated"]):
        group: list[dict] = []
        for band in kind:
            if group and group[-1]["reviews"] < min_reviews:
                _absorb(group[-1], band)
            else:
                group.append(dict(band))
        if len(group) > 1 and group[-1]["reviews"] < min_reviews:
            _absorb(group[-2], group.pop())
        merged += group
    return pd.DataFrame(merged, columns=bands.columns).astype({"right": np.int64, "reviews": np.int64})


def _absorb(band: dict, later: dict) -> None:
    band.update(end=later["end"], right=band["right"] + later["right"], reviews=band["reviews"] + later["reviews"])


def _band_name(start: int, end: int) -> str:
    return f"{start:,}+" if end >= LENGTH_BINS[-1] else f"{start:,}-{end:,}"


def wilson_interval(right, total, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
    """A 95% (Wilson score) interval of the share ``right / total``: wide for a handful of reviews."""
    right, total = np.asarray(right, dtype=np.float64), np.asarray(total, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = right / total
        centre = (share + z**2 / (2 * total)) / (1 + z**2 / total)
        half = z * np.sqrt(share * (1 - share) / total + z**2 / (4 * total**2)) / (1 + z**2 / total)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def roc_curve(labels: np.ndarray, scores: np.ndarray) -> tuple[pd.DataFrame, float]:
    """ROC points at every distinct score (scikit-learn's, from (0, 0) to (1, 1)) and the trapezoidal AUC."""
    from sklearn.metrics import auc, roc_curve as sklearn_roc_curve

    labels = np.asarray(labels)
    if len(np.unique(labels)) < 2:  # no positive or no negative review: the curve is the diagonal
        fpr = tpr = np.array([0.0, 1.0])
    else:
        fpr, tpr, _ = sklearn_roc_curve(labels, np.asarray(scores, dtype=np.float64), drop_intermediate=False)
    return pd.DataFrame({"false_positive_rate": fpr, "true_positive_rate": tpr}), float(auc(fpr, tpr))


def evaluate(run_id: str, data, store: RunStore | None = None) -> Evaluation:
    """Join a run's stored test probabilities with the test labels, lengths and star ratings."""
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
            "rating": data.test.ratings[indices].astype(np.int64),
        }
    )
    table["correct"] = called_positive(table["probability"]) == (table["label"] == 1)
    metrics = binary_metrics(probabilities, labels)
    metrics["auc"] = roc_curve(labels, probabilities.astype(np.float64))[1]
    return Evaluation(run_id, table, metrics)
