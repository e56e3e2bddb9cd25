"""The Predict page's frames: a scored batch (the input's columns plus the model's), its confusion, the top words and phrases of an explanation.

Pure: no Streamlit; labels and confidences from :mod:`core.model.metrics`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.model import metrics

#: The columns a scored batch adds to the input's own (see :func:`batch_table`).
PREDICTED, PROBABILITY, KNOWN_WORDS = "model says", "probability_positive", "known words"


def batch_table(rows, probabilities, known_words) -> pd.DataFrame:
    """The input rows (:class:`core.serving.batch_input.BatchRows`, every column kept) with the scores added.

    Adds: the model's label, the probability of positive, and how many of the review's
    words the run knows (0: it only saw unknown words, so its score means little).
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    table = rows.frame.copy()
    table[PREDICTED] = metrics.label(probabilities) if len(probabilities) else pd.Series(dtype=str)
    table[PROBABILITY] = probabilities.round(4)
    table[KNOWN_WORDS] = np.asarray(known_words, dtype=np.int64)
    return table


def batch_confusion(table: pd.DataFrame, truth: pd.Series) -> tuple[float, int, pd.DataFrame]:
    """Accuracy, rows with a known truth, and the 2x2 counts (true label by row, model's by column)."""
    known = truth.notna().to_numpy()
    true = metrics.label_name(truth[known].to_numpy() == 1)  # labels are 1 or 0
    said = table.loc[known, PREDICTED].to_numpy()
    order = [metrics.NEGATIVE, metrics.POSITIVE]
    counts = pd.crosstab(pd.Categorical(true, order), pd.Categorical(said, order), dropna=False)
    counts.index, counts.columns = [f"actually {o}" for o in order], [f"model said {o}" for o in order]
    accuracy = float(np.mean(true == said)) if known.any() else float("nan")
    return accuracy, int(known.sum()), counts


def top_words(explanation, n: int = 8) -> pd.DataFrame:
    """The words that mattered most: total contribution per distinct word, strongest first.

    Columns: word, contribution (summed over its occurrences), occurrences, pushed towards.
    """
    seen = [(w.word, w.contribution) for w in explanation.words if w.contribution is not None]
    if not seen:
        return pd.DataFrame(
            {
                "word": pd.Series(dtype=str),
                "contribution": pd.Series(dtype=float),
                "occurrences": pd.Series(dtype=int),
                "pushed towards": pd.Series(dtype=str),
            }
        )
    frame = pd.DataFrame(seen, columns=["word", "contribution"])
    grouped = frame.groupby("word", as_index=False).agg(
        contribution=("contribution", "sum"), occurrences=("contribution", "size")
    )
    grouped["pushed towards"] = metrics.label_name(grouped["contribution"].to_numpy() >= 0)
    order = grouped["contribution"].abs().sort_values(ascending=False, kind="stable").index
    return grouped.loc[order].head(n).reset_index(drop=True)


def top_phrases(explanation, n: int = 8) -> pd.DataFrame:
    """With phrase occlusion: the phrases whose removal moved the prediction most, strongest first.

    Columns: phrase (as typed, lowercased), contribution (change in log-odds), pushed
    towards. A phrase that occurs twice is listed once, with its stronger effect.
    """
    words, text = explanation.words, explanation.text
    rows = [
        (text[words[p.first].start : words[p.last].end].lower(), p.contribution)
        for p in explanation.phrases  # already strongest first
    ]
    frame = pd.DataFrame(rows, columns=["phrase", "contribution"]).drop_duplicates("phrase").head(n)
    frame["pushed towards"] = metrics.label_name(frame["contribution"].to_numpy() >= 0)
    return frame.reset_index(drop=True)
