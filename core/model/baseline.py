"""The bag-of-words baseline: TF-IDF unigrams and bigrams + logistic regression (scikit-learn).

What the LSTM has to beat. It reads the same training reviews as a run with the default
seed and validation share (the same held-out validation reviews too), through the same
tokenizer (:func:`core.text.tokenizer.tokenize`), and is scored on the same test split.

Training uses scikit-learn; prediction does not need it: :class:`BaselineModel` keeps only
plain arrays (the n-gram vocabulary, its idf weights, the coefficients and the intercept),
saved as JSON and ``.npz`` (never pickle), and recomputes TF-IDF (sublinear tf, l2 norm) and
the logistic function with numpy. So the web server can serve it without TensorFlow, and
:func:`fit_baseline` checks that the rebuilt model gives scikit-learn's own probabilities.

Example::

    model, report = fit_baseline(load_dataset())
    model.predict_proba(["not bad at all"])
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from functools import cached_property

import numpy as np

from core.config import TrainConfig
from core.model import metrics
from core.text.tokenizer import tokenize

#: Published test accuracies on the same 25,000 test reviews: (name, accuracy, source).
LITERATURE = (
    ("Maas et al. 2011", 0.8889, "Maas et al., Learning Word Vectors for Sentiment Analysis, ACL 2011 (full model)"),
    ("NBSVM-bigram", 0.9122, "Wang & Manning, Baselines and Bigrams, ACL 2012 (NBSVM-bi on IMDB)"),
)


@dataclass(frozen=True)
class BaselineConfig:
    """The baseline's knobs (defaults: the bigram model measured at 0.906 in ../shared/notes).

    Args:
        ngram_max: longest n-gram (1: unigrams only, 2: unigrams + bigrams).
        min_df: an n-gram must appear in this many training reviews.
        max_features: keep the most frequent n-grams, at most this many.
        C: inverse regularisation strength of the logistic regression.
        seed, validation_fraction: which training reviews are held out, as a run's config says.
        train_limit, test_limit: use only this many training / test reviews (tests, quick looks).
    """

    ngram_max: int = 2
    min_df: int = 2
    max_features: int = 200_000
    C: float = 4.0
    seed: int = TrainConfig().seed
    validation_fraction: float = TrainConfig().validation_fraction
    train_limit: int | None = None
    test_limit: int | None = None

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:10]

    def summary(self) -> str:
        grams = "unigrams" if self.ngram_max == 1 else f"1-{self.ngram_max}-grams"
        return f"TF-IDF {grams} (min_df {self.min_df}, max {self.max_features:,}) + logistic regression C={self.C:g}"


def split_indices(n_train: int, config: BaselineConfig) -> tuple[np.ndarray, np.ndarray]:
    """(fit, validation) positions in the training split, drawn as :func:`core.encoding.arrays.prepare` draws them."""
    order = np.random.default_rng(config.seed).permutation(n_train)
    if config.train_limit:
        order = order[: config.train_limit]
    n_val = max(1, round(len(order) * config.validation_fraction))
    return order[n_val:], order[:n_val]


def ngrams(tokens: list[str], ngram_max: int) -> list[str]:
    """The n-grams scikit-learn's word analyzer makes: unigrams, then bigrams joined by a space..."""
    grams = list(tokens)
    for n in range(2, ngram_max + 1):
        grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return grams


class BaselineModel:
    """A fitted baseline as plain arrays: scores text with numpy only."""

    def __init__(self, terms: list[str], idf: np.ndarray, coef: np.ndarray, intercept: float, ngram_max: int):
        self.terms = list(terms)
        self.idf = np.asarray(idf, dtype=np.float64)
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = float(intercept)
        self.ngram_max = int(ngram_max)

    @cached_property
    def index(self) -> dict[str, int]:
        return {term: i for i, term in enumerate(self.terms)}

    def weights(self, text: str) -> dict[str, float]:
        """TF-IDF weight of each known n-gram of ``text`` (sublinear tf, l2-normalised)."""
        counts: dict[int, int] = {}
        for gram in ngrams(tokenize(text), self.ngram_max):
            i = self.index.get(gram)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return {}
        cols = np.fromiter(counts, dtype=np.int64, count=len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[cols]
        values /= np.linalg.norm(values)
        return {self.terms[c]: float(v) for c, v in zip(cols, values, strict=True)}

    def contributions(self, text: str) -> dict[str, float]:
        """Each n-gram's push on the logit (weight x coefficient; positive pushes towards positive)."""
        return {term: w * float(self.coef[self.index[term]]) for term, w in self.weights(text).items()}

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probability of positive for each text."""
        logits = np.array([sum(self.contributions(t).values()) + self.intercept for t in texts], dtype=np.float64)
        return 1.0 / (1.0 + np.exp(-logits))

    def top_words(self, text: str, k: int = 5) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """The ``k`` n-grams of ``text`` pushing most towards positive, and towards negative."""
        ranked = sorted(self.contributions(text).items(), key=lambda kv: kv[1])
        positive = [kv for kv in reversed(ranked) if kv[1] > 0][:k]
        negative = [kv for kv in ranked if kv[1] < 0][:k]
        return positive, negative

    def word_polarity(self, words: list[str]) -> dict[str, float]:
        """The coefficient of each single word the model knows (how positive it thinks the word is)."""
        return {w: float(self.coef[self.index[w]]) for w in words if w in self.index}


@dataclass(frozen=True)
class BaselineReport:
    """How the baseline was fitted and how well it does."""

    config: dict
    train_reviews: int
    validation_accuracy: float
    test_accuracy: float
    sklearn_test_accuracy: float  # scikit-learn's own pipeline.score on the same test reviews
    train_seconds: float
    features: int
    test_reviews: int = 25_000  # stored before this field existed: the full test split


def _vectorizer(config: BaselineConfig):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        tokenizer=tokenize,
        lowercase=False,
        token_pattern=None,
        ngram_range=(1, config.ngram_max),
        min_df=config.min_df,
        max_features=config.max_features,
        sublinear_tf=True,
        dtype=np.float64,
    )


def fit_baseline(data, config: BaselineConfig | None = None) -> tuple[BaselineModel, BaselineReport]:
    """Fit the baseline on ``data``'s training reviews (minus the validation share); score it.

    Args:
        data: an :class:`core.data.dataset.ImdbData`.
        config: the knobs (default :class:`BaselineConfig`).

    Returns:
        The numpy-only model and a report whose ``test_accuracy`` comes from that model,
        next to scikit-learn's own score of its fitted pipeline.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    config = config or BaselineConfig()
    fit_idx, val_idx = split_indices(len(data.train), config)
    texts = data.train.texts
    labels = data.train.labels.astype(np.int64)
    started = time.perf_counter()
    pipeline = make_pipeline(_vectorizer(config), LogisticRegression(C=config.C, max_iter=1000))
    pipeline.fit([texts[i] for i in fit_idx], labels[fit_idx])
    train_seconds = time.perf_counter() - started
    vectorizer, classifier = pipeline[0], pipeline[1]
    terms = [""] * len(vectorizer.vocabulary_)
    for term, i in vectorizer.vocabulary_.items():
        terms[i] = term
    model = BaselineModel(terms, vectorizer.idf_, classifier.coef_[0], classifier.intercept_[0], config.ngram_max)
    test_idx = np.arange(len(data.test))
    if config.test_limit:
        test_idx = np.sort(np.random.default_rng(config.seed).permutation(len(data.test))[: config.test_limit])
    test_texts = [data.test.texts[i] for i in test_idx]
    test_labels = data.test.labels[test_idx].astype(np.int64)
    test_p = model.predict_proba(test_texts)
    val_p = model.predict_proba([texts[i] for i in val_idx])
    report = BaselineReport(
        config=asdict(config),
        train_reviews=len(fit_idx),
        test_reviews=len(test_idx),
        validation_accuracy=metrics.binary_metrics(val_p, labels[val_idx])["accuracy"],
        test_accuracy=metrics.binary_metrics(test_p, test_labels)["accuracy"],
        sklearn_test_accuracy=float(pipeline.score(test_texts, test_labels)),
        train_seconds=train_seconds,
        features=len(terms),
    )
    return model, report
