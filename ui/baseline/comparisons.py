"""The baseline and the word-order probes, shaped for charts, tables and sentences (pure: no Streamlit).

Frames for :func:`ui.baseline.charts.reference_rules` and :func:`ui.baseline.charts.probe_kind_chart`, the
table of probes a model gets wrong, the baseline as a runs-table row, the embedding map's points.
Scramble's sentences are in :mod:`ui.baseline.wording`.
"""

from __future__ import annotations

import pandas as pd

from core.model.baseline import LITERATURE
from core.model.metrics import label
from core.model.probes import ProbeScore, ProbeSet
from core.text.tokenizer import tokenize

BASELINE_NAME = "bag of words (TF-IDF 1-2-grams + logistic regression)"


def reference_frame(
    baseline_accuracy: float | None, *, literature: bool = True, which: str = "validation"
) -> pd.DataFrame:
    """Reference lines: the baseline's accuracy (``which`` says on what), and the published results."""
    rows = []
    if baseline_accuracy is not None:
        rows.append(
            {
                "name": f"bag-of-words baseline ({which})",
                "value": float(baseline_accuracy),
                "kind": "baseline",
                "source": f"{BASELINE_NAME}, fitted here on the same training reviews",
            }
        )
    if literature:
        rows += [
            {"name": name, "value": value, "kind": "literature", "source": source} for name, value, source in LITERATURE
        ]
    frame = pd.DataFrame(rows, columns=["name", "value", "kind", "source"])
    frame["label"] = [f"{n} {v:.3f}" for n, v in zip(frame["name"], frame["value"], strict=True)]
    return frame


def probe_frame(scores: dict[str, ProbeScore], probes: ProbeSet) -> pd.DataFrame:
    """Long format for the side-by-side chart: kind, model, accuracy, probes (how many of that kind)."""
    counts = pd.Series([p.kind for p in probes.probes]).value_counts()
    rows = [
        {"kind": kind, "model": model, "accuracy": score.by_kind[kind], "probes": int(counts[kind])}
        for model, score in scores.items()
        for kind in probes.kinds
    ]
    rows += [
        {"kind": "all", "model": model, "accuracy": score.accuracy, "probes": len(probes.probes)}
        for model, score in scores.items()
    ]
    return pd.DataFrame(rows, columns=["kind", "model", "accuracy", "probes"])


def probe_table(scores: dict[str, ProbeScore], probes: ProbeSet) -> pd.DataFrame:
    """One row per kind, one accuracy column per model (and "all")."""
    frame = probe_frame(scores, probes)
    return frame.pivot(index="kind", columns="model", values="accuracy").reindex([*probes.kinds, "all"])


def misses_table(score: ProbeScore) -> pd.DataFrame:
    """The probes a model got wrong: group, kind, text, the true label and what the model said."""
    rows = [
        {
            "group": p.group,
            "kind": p.kind,
            "review": p.text,
            "true": label(float(p.label)),
            "said": label(q),
            "p(positive)": q,
        }
        for p, q in score.wrong
    ]
    return pd.DataFrame(rows, columns=["group", "kind", "review", "true", "said", "p(positive)"])


def accuracy_words(report, test_shown: bool) -> str:
    """The baseline's accuracy in a sentence: its test accuracy once the class may see it, else its validation accuracy."""
    if test_shown:
        return f"test accuracy {report.test_accuracy:.3f}"
    return f"validation accuracy {report.validation_accuracy:.3f}"


def baseline_row(stored) -> dict:
    """The baseline as a row of the runs table (:func:`ui.runs.tables.runs_table`'s columns it has)."""
    report = stored.report
    return {
        "run": "bag-of-words baseline",
        "preset": "baseline",
        "validation accuracy": report.validation_accuracy,
        "test accuracy": report.test_accuracy,
        "test reviews": report.test_reviews,
        "train seconds": round(report.train_seconds, 1),
        "model": BASELINE_NAME,
    }


def embedding_points(words: list[str], xy, polarity: dict[str, float], search: str = "") -> pd.DataFrame:
    """The projected words with the baseline's weight of each (0 if it has none) and whether the search matches."""
    wanted = {w for w in tokenize(search)}
    return pd.DataFrame(
        {
            "word": words,
            "x": [float(v) for v in xy[:, 0]],
            "y": [float(v) for v in xy[:, 1]],
            "polarity": [polarity.get(w, 0.0) for w in words],
            "found": [w in wanted for w in words],
        }
    )
