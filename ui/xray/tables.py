"""The X-ray's frames: the running verdict with and without interventions, the words they changed, the unit roles.

Pure: pandas only, no Streamlit. The numbers come from :mod:`core.serving.interventions`
(an :class:`~core.serving.interventions.Intervened`) and :mod:`core.serving.unit_roles`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.serving.interventions import contributions
from ui.shared.wording import review_for_display
from ui.xray.charts import step_labels
from ui.xray.wording import AS_TRAINED, WITH_CHANGES

#: The unit roles table's columns, as shown (the sortable st.dataframe).
UNIT, DIRECTION, EFFECT, SIZE, UP, DOWN, EXAMPLE = (
    "unit",
    "direction",
    "effect when silenced (log-odds)",
    "mean size of that effect",
    "words that raise it",
    "words that lower it",
    "review where silencing it moved the verdict most",
)
#: Characters of a unit's example review in its table row, and under the picker.
EXAMPLE_IN_TABLE, EXAMPLE_CHARS = 80, 400


def excerpt(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text`` on one line, with an ellipsis when cut."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def intervention_frame(result) -> pd.DataFrame:
    """Long form for one chart: the running verdict per step, ``series`` "as trained" or "with your changes"."""
    steps = result.original.steps
    labels, words = step_labels(steps), [" ".join(w) for w in steps]
    parts = []
    for series, shot in ((AS_TRAINED, result.original), (WITH_CHANGES, result.intervened)):
        p = np.asarray(shot.prefix_probability, dtype=float)
        parts.append(
            pd.DataFrame({"step": np.arange(len(p)), "label": labels, "words": words, "series": series, "positive": p})
        )
    return pd.concat(parts, ignore_index=True)


def changed_words(result) -> pd.DataFrame:
    """The steps whose contribution (log-odds added to the running verdict) changed: before, after, by how much."""
    columns = ["step", "words", AS_TRAINED, WITH_CHANGES, "change"]
    if not result.changed_steps:
        return pd.DataFrame(columns=columns)
    before = contributions(result.original.prefix_probability)
    after = contributions(result.intervened.prefix_probability)
    steps = result.changed_steps
    return pd.DataFrame(
        {
            "step": steps,
            "words": [" ".join(result.original.steps[t]) for t in steps],
            AS_TRAINED: before[steps].round(4),
            WITH_CHANGES: after[steps].round(4),
            "change": (after[steps] - before[steps]).round(4),
        },
        columns=columns,
    )


def roles_frame(result: dict, texts: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per unit (:func:`core.serving.unit_roles.cached_unit_roles`), the biggest effect first.

    ``texts``: the validation reviews the roles were measured on; each unit's example is shown from them.
    """
    rows = pd.DataFrame(result["units"])
    frame = pd.DataFrame(
        {
            UNIT: rows["unit"].astype(int),
            DIRECTION: rows["direction"],
            EFFECT: rows["mean_change"].astype(float).round(4),
            SIZE: rows["mean_abs_change"].astype(float).round(4),
            UP: rows["words_up"].map(", ".join),
            DOWN: rows["words_down"].map(", ".join),
        }
    )
    if texts and "example" in rows:
        frame[EXAMPLE] = [
            f"{change:+.2f}: {excerpt(review_for_display(texts[i]), EXAMPLE_IN_TABLE)}" if 0 <= i < len(texts) else ""
            for i, change in zip(rows["example"].astype(int), rows["example_change"].astype(float), strict=True)
        ]
    return frame.sort_values(SIZE, ascending=False, kind="stable").reset_index(drop=True)
