"""The Predict page's chart: each run's probability of positive for one review, with the threshold marked.

Pure: returns an ``alt.Chart``; colours from :mod:`ui.shared.palette`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.model.metrics import NEGATIVE, POSITIVE, THRESHOLD, label
from ui.shared import palette


def probability_chart(probabilities: dict[str, float], height_per_row: int = 36) -> alt.Chart:
    """A bar per run from the threshold (undecided) to its probability: left red (negative), right green.

    ``probabilities`` maps a row name (a run id) to the probability of positive.
    """
    rows = pd.DataFrame({"run": list(probabilities), "probability": [float(p) for p in probabilities.values()]})
    rows["middle"] = THRESHOLD
    rows["label"] = label(rows["probability"].to_numpy())
    rows["text"] = rows["probability"].map(lambda p: f"{p:.3f}")
    scale = alt.Scale(domain=[0, 1], nice=False)
    y = alt.Y(
        "run:N",
        title=None,
        sort=None,
        scale=alt.Scale(paddingInner=0.35, paddingOuter=0.2),
        axis=alt.Axis(labelLimit=260, labelFontSize=12) if len(rows) > 1 else None,
    )
    track = (
        alt.Chart(rows)
        .mark_bar(color=palette.TRACK, cornerRadius=3)
        .encode(x=alt.X("zero:Q", scale=scale), x2=alt.X2("one:Q"), y=y)
        .transform_calculate(zero="0", one="1")
    )
    bar = (
        alt.Chart(rows)
        .mark_bar(cornerRadius=3)
        .encode(
            x=alt.X(
                "middle:Q",
                scale=scale,
                title=f"probability of positive ({THRESHOLD:g}: undecided)",
                axis=alt.Axis(values=sorted({0, 0.25, THRESHOLD, 0.75, 1}), format=".2f"),
            ),
            x2=alt.X2("probability:Q"),
            y=y,
            color=alt.Color(
                "label:N",
                legend=None,
                scale=alt.Scale(domain=[NEGATIVE, POSITIVE], range=[palette.NEGATIVE, palette.POSITIVE]),
            ),
            tooltip=[alt.Tooltip("run:N"), alt.Tooltip("probability:Q", format=".3f"), alt.Tooltip("label:N")],
        )
    )
    middle = (
        alt.Chart(pd.DataFrame({"middle": [THRESHOLD]}))
        .mark_rule(color=palette.MUTED, strokeDash=[3, 3])
        .encode(x=alt.X("middle:Q"))
    )
    # The number sits beyond the bar's end: right of a green bar, left of a red one.
    numbers = [
        alt.Chart(rows)
        .mark_text(dx=dx, align=align, fontWeight="bold")
        .encode(x=alt.X("probability:Q", scale=scale), y=y, text=alt.Text("text:N"))
        .transform_filter(alt.datum.label == side)
        for side, dx, align in ((POSITIVE, 6, "left"), (NEGATIVE, -6, "right"))
    ]
    # Vega's "fit" counts the x axis in the height: leave it room beside the rows.
    return alt.layer(track, bar, middle, *numbers).properties(height=84 + height_per_row * len(rows))
