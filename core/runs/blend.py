"""The LSTM + bag-of-words blend: logistic regression on the two models' log-odds, fitted on validation only.

Why a blend: the LSTM and the bag of words make different mistakes (order and negation
against many rare n-grams), and combining an RNN with n-gram features is the documented way
past either (Mesnil et al. 2014). Three numbers decide it (a weight per model and an
intercept), fitted by scikit-learn's ``LogisticRegression`` on reviews **neither model
trained on**: the run's validation reviews (:func:`core.encoding.arrays.split_training`,
the rule the run was trained by) minus any review the stored baseline was fitted on
(:func:`core.model.baseline.split_indices`). A run with the default seed and data size
validates on exactly the baseline's validation reviews, so nothing is dropped; a run
drawn otherwise keeps only the overlap (held-out predictions of both models, never
in-sample ones, which would make the bag of words look surer than it is and overweight it),
and below :data:`MIN_FIT_REVIEWS` the blend is refused with what to do. Refitting the
baseline per run would cost a minute of CPU each time; the overlap costs nothing.

Test labels are read after the fit, once, to measure the three models on the run's
test reviews. The blend's validation accuracy is cross-validated (``cross_val_predict``)
so it is not scored on the reviews it was fitted on. Everything is kept with the run in
``blend.npz`` (:data:`core.runs.store.BLEND_FILE`, atomic), keyed by the baseline it used.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core import atomic
from core.encoding.arrays import split_training
from core.errors import RunError
from core.model.baseline import BaselineConfig, split_indices
from core.model.metrics import THRESHOLD, log_odds
from core.runs.store import BLEND_FILE, RunInfo, RunStore, SignatureMemo

#: Fewer held-out reviews than this and three weights would be fitted on noise.
MIN_FIT_REVIEWS = 20
#: Folds of the cross-validated validation accuracy of the blend (fewer when a label is rarer).
FOLDS = 5
#: The three models, as every table names them.
LSTM, BASELINE, BLEND = "lstm", "baseline", "blend"
SPLITS = ("validation", "test")


class BlendError(RunError):
    """The blend cannot be fitted for this run and baseline (the message says why and what to do)."""


def baseline_key(stored) -> str:
    """Which stored baseline a blend used: its folder (data + config digest) and when it was written."""
    return f"{stored.path.name}@{stored.created:.6f}"


@dataclass(frozen=True)
class Blend:
    """The fitted weights, the three models' accuracies and their probabilities on both splits."""

    run_id: str
    key: str
    lstm_weight: float
    baseline_weight: float
    intercept: float
    accuracy: dict  # {"validation": {model: accuracy}, "test": {...}}
    arrays: dict  # "<split>_index", "<split>_label", "<split>_lstm", "<split>_baseline" for both splits

    def probability(self, lstm, baseline) -> np.ndarray:
        """The blend's probability of positive from the LSTM's and the baseline's."""
        z = self.lstm_weight * log_odds(lstm) + self.baseline_weight * log_odds(baseline) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def reviews(self, split: str) -> pd.DataFrame:
        """One row per review of ``split``: index (in the data set's split), label, lstm, baseline, blend."""
        a = self.arrays
        frame = pd.DataFrame(
            {
                "index": a[f"{split}_index"],
                "label": a[f"{split}_label"],
                LSTM: a[f"{split}_lstm"],
                BASELINE: a[f"{split}_baseline"],
            }
        )
        frame[BLEND] = self.probability(frame[LSTM], frame[BASELINE])
        return frame


def fit_weights(lstm, baseline, labels):
    """scikit-learn's logistic regression on the two log-odds: the blend's weights (the one place it is fitted)."""
    from sklearn.linear_model import LogisticRegression

    features = np.column_stack([log_odds(lstm), log_odds(baseline)])
    return LogisticRegression().fit(features, np.asarray(labels, dtype=np.int64)), features


def held_out_reviews(run: RunInfo, data, baseline_config: dict) -> np.ndarray:
    """The run's validation reviews the baseline was not fitted on (positions in ``data.train``), in run order."""
    _, validation, _ = split_training(data, run.config)
    baseline_fit, _ = split_indices(len(data.train), BaselineConfig(**baseline_config))
    held = validation[~np.isin(validation, baseline_fit)]
    if len(held) < MIN_FIT_REVIEWS:
        raise BlendError(
            f"Only {len(held)} of this run's {len(validation)} validation reviews are unseen by the bag-of-words "
            f"baseline; the blend needs {MIN_FIT_REVIEWS}. Train the run with the default seed on more reviews."
        )
    labels = data.train.labels[held]
    if labels.min() == labels.max():
        raise BlendError("This run's held-out validation reviews are all of one label: train it on more reviews.")
    return held


def _accuracies(labels, probabilities: dict) -> dict:
    labels = np.asarray(labels) == 1
    return {name: float(np.mean((np.asarray(p) >= THRESHOLD) == labels)) for name, p in probabilities.items()}


def fit_blend(run: RunInfo, store: RunStore, data, stored_baseline, score_lstm: Callable) -> Blend:
    """Fit the blend of ``run`` and ``stored_baseline`` on held-out validation reviews, then test it once.

    Long because the order is the point: validation scored and fitted, then the test read.

    Args:
        score_lstm: texts -> the run's probabilities (a prediction process, or a Predictor).
    """
    from sklearn.model_selection import cross_val_predict

    held = held_out_reviews(run, data, stored_baseline.report.config)
    texts = [data.train.texts[i] for i in held]
    val_labels = data.train.labels[held].astype(np.int64)
    val_lstm = np.asarray(score_lstm(texts), dtype=np.float64)
    val_baseline = np.asarray(stored_baseline.model.predict_proba(texts), dtype=np.float64)
    classifier, features = fit_weights(val_lstm, val_baseline, val_labels)
    folds = int(min(FOLDS, np.bincount(val_labels).min()))
    blend_val = (
        cross_val_predict(type(classifier)(), features, val_labels, cv=folds, method="predict_proba")[:, 1]
        if folds >= 2
        else classifier.predict_proba(features)[:, 1]
    )
    # The fit is done: the test split is read from here on, once.
    test_index, test_lstm = store.test_predictions(run.run_id)
    test_index = np.asarray(test_index, dtype=np.int64)
    test_baseline = stored_baseline.model.predict_proba([data.test.texts[i] for i in test_index])
    test_labels = data.test.labels[test_index].astype(np.int64)
    blend = Blend(
        run_id=run.run_id,
        key=baseline_key(stored_baseline),
        lstm_weight=float(classifier.coef_[0][0]),
        baseline_weight=float(classifier.coef_[0][1]),
        intercept=float(classifier.intercept_[0]),
        accuracy={},
        arrays={
            "validation_index": held.astype(np.int64),
            "validation_label": val_labels,
            "validation_lstm": val_lstm,
            "validation_baseline": val_baseline,
            "test_index": test_index,
            "test_label": test_labels,
            "test_lstm": np.asarray(test_lstm, dtype=np.float64),
            "test_baseline": np.asarray(test_baseline, dtype=np.float64),
        },
    )
    val = _accuracies(val_labels, {LSTM: val_lstm, BASELINE: val_baseline, BLEND: blend_val})
    test = blend.reviews("test")
    accuracy = {"validation": val, "test": _accuracies(test["label"], {m: test[m] for m in (LSTM, BASELINE, BLEND)})}
    return replace(blend, accuracy=accuracy)


def _write(path, blend: Blend) -> None:
    meta = {k: getattr(blend, k) for k in ("run_id", "key", "lstm_weight", "baseline_weight", "intercept", "accuracy")}
    with atomic.atomic_path(path) as temp, open(temp, "wb") as handle:
        np.savez(handle, meta=np.array(json.dumps(meta)), **blend.arrays)


def read_blend(run: RunInfo, key: str) -> Blend | None:
    """The blend stored with ``run`` for the baseline ``key``; None if there is none, another, or it is damaged."""
    try:
        with np.load(run.path / BLEND_FILE, allow_pickle=False) as npz:
            meta = json.loads(str(npz["meta"]))
            arrays = {name: npz[name] for name in npz.files if name != "meta"}
        if meta["key"] != key or meta["run_id"] != run.run_id:
            return None
        return Blend(**meta, arrays=arrays)
    except (OSError, ValueError, KeyError, TypeError):
        return None


#: Each stored blend's summary (weights and accuracies, not its arrays) as last read, per file signature.
_SUMMARIES = SignatureMemo()


def _summary(path: str, _signature) -> dict | None:
    try:
        with np.load(path, allow_pickle=False) as npz:
            return json.loads(str(npz["meta"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def stored_blend_accuracies(runs, stored_baseline) -> list[tuple[RunInfo, dict]]:
    """``(run, accuracy)`` of each run that has a blend with ``stored_baseline`` stored; nothing is fitted.

    For the class board, which asks every 15 s: a run without ``blend.npz`` costs one ``stat``,
    and a stored blend's summary is read again only when its file changes.
    """
    if stored_baseline is None:
        return []
    key, found = baseline_key(stored_baseline), []
    for run in runs:
        path = run.path / BLEND_FILE
        try:
            stat = path.stat()
        except OSError:
            continue
        meta = _SUMMARIES.get(str(path), (stat.st_mtime_ns, stat.st_size, stat.st_ino), _summary)
        if meta and meta.get("key") == key and meta.get("run_id") == run.run_id:
            found.append((run, meta["accuracy"]))
    return found


def blend_for(run: RunInfo, store: RunStore, data, stored_baseline, score_lstm: Callable) -> Blend:
    """The blend of ``run`` and ``stored_baseline``: read back if stored for that baseline, else fitted and stored."""
    key = baseline_key(stored_baseline)
    stored = read_blend(run, key)
    if stored is not None:
        return stored
    blend = fit_blend(run, store, data, stored_baseline, score_lstm)
    _write(run.path / BLEND_FILE, blend)
    return blend


@dataclass(frozen=True)
class Disagreements:
    """Where the LSTM and the bag of words call a review differently, and which of them is right there."""

    reviews: int  # all reviews looked at
    table: pd.DataFrame  # the disagreeing ones: index, label, lstm, baseline, blend, right (LSTM or BASELINE)

    @property
    def count(self) -> int:
        return len(self.table)

    def right(self, model: str) -> int:
        """How many of the disagreements ``model`` (LSTM or BASELINE) gets right (the other gets them wrong)."""
        return int((self.table["right"] == model).sum())


def disagreements(reviews: pd.DataFrame, threshold: float = THRESHOLD) -> Disagreements:
    """The rows of :meth:`Blend.reviews` where the two models' verdicts differ at ``threshold``, surest first."""
    lstm_says = reviews[LSTM] >= threshold
    differ = reviews[lstm_says != (reviews[BASELINE] >= threshold)].copy()
    differ["right"] = np.where((differ[LSTM] >= threshold) == (differ["label"] == 1), LSTM, BASELINE)
    differ = differ.assign(gap=(differ[LSTM] - differ[BASELINE]).abs()).sort_values("gap", ascending=False)
    return Disagreements(len(reviews), differ.drop(columns="gap").reset_index(drop=True))
