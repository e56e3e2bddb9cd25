"""Curves of several runs in one chart, with the baseline's reference lines.

Pure: returns an ``alt.Chart``; frames from :mod:`ui.runs.tables`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.baseline.charts import reference_rules
from ui.shared import palette


def curves_chart(curves: pd.DataFrame, metric: str, references: pd.DataFrame | None = None) -> alt.Chart:
    """One colour per run; training solid, validation dashed; a point per epoch; optional reference lines."""
    frame = curves[curves["metric"] == metric]
    lines = (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=45, filled=True), strokeWidth=2.2)
        .encode(
            x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("value:Q", title=metric, scale=alt.Scale(zero=False)),
            # The legend beside the plot: below it, each run's row would take the plot's height.
            color=alt.Color(
                "run:N",
                title="run",
                scale=alt.Scale(scheme=palette.RUN_SCHEME),
                legend=alt.Legend(orient="right", labelLimit=220),
            ),
            strokeDash=alt.StrokeDash(
                "split:N",
                title=None,
                sort=["training", "validation"],
                scale=alt.Scale(domain=["training", "validation"], range=[[1, 0], [6, 4]]),
                legend=None,  # the title says which is which
            ),
            detail=alt.Detail("split:N"),
            tooltip=[
                alt.Tooltip("run:N"),
                alt.Tooltip("split:N"),
                alt.Tooltip("epoch:Q"),
                alt.Tooltip("value:Q", format=".4f"),
            ],
        )
    )
    title = alt.TitleParams(
        f"{metric.capitalize()} per epoch: training (solid) vs validation (dashed)",
        subtitle="training: the mean over the epoch's batches, dropout on · validation: after the epoch",
        anchor="start",
    )
    if references is not None and not references.empty:
        return alt.layer(lines, *reference_rules(references)).properties(height=320, title=title)
    return lines.properties(height=320, title=title)
