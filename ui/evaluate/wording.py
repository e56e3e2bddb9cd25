"""What the Evaluate page says: accuracy by length, a mistake's title, the chosen threshold, star ratings.

Pure: each function takes an evaluation's frames or numbers and returns text.
"""

from __future__ import annotations

import math

import numpy as np

from core.model import metrics
from ui.evaluate import tables


def length_sentence(by_length, maxlen: int) -> str:
    """Are long, truncated reviews harder? One sentence with the two accuracies."""
    frame = tables.length_bands(by_length, maxlen)
    cut = frame[frame["truncated"]]
    whole = frame[~frame["truncated"]]
    if cut.empty or cut["reviews"].sum() == 0:
        return f"No test review here is longer than this run's maxlen ({maxlen} tokens): nothing was truncated away."
    cut_acc = float(np.average(cut["accuracy"], weights=cut["reviews"]))
    whole_acc = float(np.average(whole["accuracy"], weights=whole["reviews"])) if whole["reviews"].sum() else math.nan
    n_cut = int(cut["reviews"].sum())
    harder = "harder" if cut_acc < whole_acc - 0.02 else "easier" if cut_acc > whole_acc + 0.02 else "about as hard"
    return (
        f"Reviews longer than maxlen ({maxlen} tokens; {n_cut:,} here) lose their beginning: the model "
        f"got {cut_acc:.1%} of them right against {whole_acc:.1%} for the others, so they are "
        f"{harder} for this run."
    )


def mistake_title(row) -> str:
    """The expander label of one confident mistake, in plain words (numbers only, no review text).

    "Actually negative (3 stars), model said positive (p = 0.994) · 950 tokens · review 12";
    ``row`` is a row of ``Evaluation.confident_mistakes`` (its ``predicted`` is the verdict
    at the page's threshold; without it, the lab's).
    """
    true = metrics.label_name(int(row["label"]))
    probability = float(row["probability"])
    said = row.get("predicted") or metrics.label(probability)
    rating = int(row.get("rating", -1))
    stars = f" ({rating} star{'s' if rating != 1 else ''})" if 1 <= rating <= 10 else ""
    return (
        f"Actually {true}{stars}, model said {said} (p = {probability:.3f}) · "
        f"{int(row['tokens']):,} tokens · review {int(row['review_id'])}"
    )


def threshold_sentence(chosen) -> str:
    """What the threshold means for these reviews (:class:`core.runs.evaluation.ThresholdMetrics`), in Markdown."""
    if not chosen.called_positive:
        return f"At threshold **{chosen.threshold:.2f}** the model calls no review positive."
    return (
        f"At threshold **{chosen.threshold:.2f}** (positive from p = {chosen.threshold:.2f} up) the model calls "
        f"{chosen.called_positive:,} reviews positive: **{chosen.precision:.1%}** of those are (precision), and "
        f"it finds **{chosen.recall:.1%}** of the positive reviews (recall). Raise it to be surer of each "
        "positive verdict, lower it to miss fewer positives."
    )


def rating_sentence(by_rating) -> str | None:
    """Does the model tell a 4-star review from a 1-star one? The mean probabilities at 1, 4, 7 and 10 stars."""
    means = dict(zip(by_rating["rating"].astype(int), by_rating["mean_probability"], strict=True))
    if not {1, 4, 7, 10} <= set(means):
        return None
    graded = means[4] > means[1] + 0.02 and means[7] < means[10] - 0.02
    verdict = (
        "milder reviews sit closer to the threshold: it learned how strongly a review is worded, though training "
        "only ever told it positive or negative."
        if graded
        else "it barely tells a mild review from a strong one."
    )
    return (
        f"On average the model gives 1-star reviews p = {means[1]:.2f} and 4-star ones p = {means[4]:.2f}, "
        f"7-star reviews p = {means[7]:.2f} and 10-star ones p = {means[10]:.2f}: {verdict}"
    )


# ---------------------------------------------------------------- the "how many labels" experiment

#: Each embeddings choice of :mod:`core.runs.labels` as its chart legend and sentences name it.
LABELS_STARTS = {"learned": "from scratch", "glove-50d": "GloVe 50d, fine-tuned"}


def labels_question(sizes: list[int]) -> str:
    """What the experiment asks, with its sizes of training set (the largest is the whole split)."""
    listed = ", ".join(f"{n:,}" for n in sizes[:-1]) + f" and all {sizes[-1]:,}"
    return (
        f"The default network trained on {listed} labelled reviews, its word vectors learned from scratch or "
        "started from GloVe's (learned from Wikipedia and news, without labels): do pretrained vectors matter "
        "more when labels are few?"
    )


def labels_cell(reviews: int, embeddings: str) -> str:
    """One cell of the experiment in words: "GloVe 50d, fine-tuned at 500 reviews"."""
    return f"{LABELS_STARTS.get(embeddings, embeddings)} at {reviews:,} reviews"


def labels_missing(cells) -> str | None:
    """The cells with no run yet (:func:`core.runs.labels.missing`), in one sentence; None when all are trained."""
    if not cells:
        return None
    return "Not trained yet: " + ", ".join(labels_cell(c.reviews, c.embeddings) for c in cells) + "."


def labels_chart_title(shows_test: bool) -> str:
    """The chart's title says which accuracy it draws (the reveal policy: ``ui.classroom.reveal``)."""
    if shows_test:
        return "Test accuracy against training reviews"
    return "Validation accuracy against training reviews (test accuracy hidden until the teacher reveals it)"


def _accuracy_range(low: float, high: float) -> str:
    return f"{low:g}" if low == high else f"{low:g}-{high:g}"


def labels_finding(measured: dict) -> str:
    """What was measured so far (:data:`core.runs.labels.MEASURED`), per number of reviews, in Markdown."""
    sizes = sorted({reviews for reviews, _ in measured})
    parts = []
    for reviews in sizes:
        starts = [
            f"{LABELS_STARTS.get(e, e)} {_accuracy_range(*measured[(reviews, e)])}"
            for e in LABELS_STARTS
            if (reviews, e) in measured
        ]
        parts.append(f"at {reviews:,} reviews, " + " against ".join(starts))
    return (
        "Measured on this lab's 2-core machines (test accuracy, ranges over seeds; docs/word-vectors.md): "
        + "; ".join(parts)
        + ". With few labels accuracy is jumpy (one seed moves it by points; early stopping on few validation "
        "reviews can keep a first epoch): train more seeds before calling a winner. With all the labels the "
        "network learns its own vectors as well as GloVe's or better."
    )
