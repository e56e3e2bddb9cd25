"""The blend's tables (pure): the three models side by side, and the reviews where LSTM and bag of words disagree."""

from __future__ import annotations

import pandas as pd

from core.model.metrics import label
from core.runs.blend import BASELINE, BLEND, LSTM, Blend, Disagreements
from ui.blend.wording import NAMES
from ui.shared.wording import review_for_display

#: Characters of a review shown in the disagreement table (the whole review opens in Predict).
EXCERPT_CHARS = 160
#: Rows of the disagreement table.
EXAMPLES = 12


def comparison_table(blend: Blend, revealed: bool) -> pd.DataFrame:
    """One row per model: validation accuracy, and test accuracy only when the teacher revealed it."""
    rows = []
    for model in (LSTM, BASELINE, BLEND):
        row = {"model": NAMES[model], "validation accuracy": blend.accuracy["validation"][model]}
        if revealed:
            row["test accuracy"] = blend.accuracy["test"][model]
        rows.append(row)
    return pd.DataFrame(rows)


def excerpt(text: str, chars: int = EXCERPT_CHARS) -> str:
    shown = " ".join(review_for_display(text).split())
    return shown if len(shown) <= chars else shown[: chars - 1].rstrip() + "…"


def disagreement_table(found: Disagreements, texts: list[str], limit: int = EXAMPLES) -> pd.DataFrame:
    """The first ``limit`` disagreements (surest first): excerpt, label, both probabilities, the blend's, who is right.

    ``texts`` are the whole reviews of the split, by index.
    """
    rows = [
        {
            "review": excerpt(texts[int(row["index"])]),
            "label": label(float(row["label"])),
            "LSTM": float(row[LSTM]),
            "bag of words": float(row[BASELINE]),
            "blend": float(row[BLEND]),
            "right": NAMES[row["right"]],
        }
        for _, row in found.table.head(limit).iterrows()
    ]
    return pd.DataFrame(rows, columns=["review", "label", "LSTM", "bag of words", "blend", "right"])
