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
