"""The baseline's charts: reference lines on curve charts, accuracy by probe kind, the embedding map.

Pure: each function returns an ``alt.Chart`` (or a list of layers).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.shared import palette


def reference_rules(references: pd.DataFrame) -> list[alt.Chart]:
    """Horizontal reference lines with their names: columns name, value, kind ("baseline"/"literature"), source.

    The baseline is a solid grey line, published results dotted; hovering shows the source.
    """
    y = alt.Y("value:Q")
    base = alt.Chart(references).encode(
        y=y,
        tooltip=[alt.Tooltip("name:N"), alt.Tooltip("value:Q", format=".4f"), alt.Tooltip("source:N")],
    )
    # Dashes as mark properties, not a strokeDash scale: the curves under these lines have their own
    # (training solid, validation dashed), and two scales on one channel of a layer conflict in Vega.
    own = base.transform_filter(alt.datum.kind == "baseline")
    published = base.transform_filter(alt.datum.kind != "baseline")
    # The baseline's name at the left, the published ones at the right: close values stay readable.
    layers = []
    if (references["kind"] == "baseline").any():  # an empty layer makes Vega warn "Infinite extent"
        layers += [
            own.mark_rule(strokeWidth=1.5, color=palette.MUTED),
            own.mark_text(align="left", dx=4, dy=-6, fontSize=11, color=palette.INK).encode(
                x=alt.value(0), text=alt.Text("label:N")
            ),
        ]
    if (references["kind"] != "baseline").any():
        layers += [
            published.mark_rule(strokeWidth=1.5, color=palette.MUTED, strokeDash=[2, 3]),
            published.mark_text(align="right", dx=-4, dy=-6, fontSize=10, color=palette.MUTED).encode(
                x=alt.value("width"), text=alt.Text("label:N")
            ),
        ]
    return layers


def probe_kind_chart(by_kind: pd.DataFrame) -> alt.Chart:
    """Accuracy per probe kind, one bar per model side by side: columns kind, model, accuracy, probes."""
    return (
        alt.Chart(by_kind)
        .mark_bar()
        .encode(
            x=alt.X("kind:N", title="probe kind", axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("model:N"),
            y=alt.Y("accuracy:Q", title="accuracy", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "model:N", title=None, scale=alt.Scale(scheme=palette.RUN_SCHEME), legend=alt.Legend(orient="bottom")
            ),
            tooltip=[
                alt.Tooltip("kind:N"),
                alt.Tooltip("model:N"),
                alt.Tooltip("accuracy:Q", format=".2f"),
                alt.Tooltip("probes:Q"),
            ],
        )
        .properties(height=260, title="Word-order probes: share right, per kind")
    )


def embedding_chart(
    points: pd.DataFrame, explained: tuple[float, float], extent: float | None = None, title: str | None = None
) -> alt.Chart:
    """Words as points (columns word, x, y, polarity, found): red to green by how positive the baseline finds them.

    Found words (the search) are drawn large with their names. ``extent`` fixes both axes
    to ``[-extent, extent]`` (one map for every snapshot of a run, so the words are seen to move).
    """
    polarity = alt.Color(
        "polarity:Q",
        title="baseline weight",
        scale=alt.Scale(domainMid=0, range=[palette.NEGATIVE, "#dddddd", palette.POSITIVE]),
    )
    scale = alt.Scale(domain=[-extent, extent], nice=False) if extent else alt.Scale()
    base = alt.Chart(points).encode(
        x=alt.X("x:Q", title=f"component 1 ({explained[0]:.0%} of the variance)", scale=scale),
        y=alt.Y("y:Q", title=f"component 2 ({explained[1]:.0%})", scale=scale),
        tooltip=[alt.Tooltip("word:N"), alt.Tooltip("polarity:Q", format="+.2f")],
    )
    clip = bool(extent)  # a word beyond the fixed map stays inside the frame
    dots = base.mark_circle(size=36, opacity=0.8, clip=clip).encode(color=polarity)
    found = base.transform_filter(alt.datum.found).mark_text(
        dy=-9, fontSize=12, fontWeight="bold", color=palette.INK, clip=clip
    )
    ring = base.transform_filter(alt.datum.found).mark_circle(size=160, color=palette.INK, opacity=0.9, clip=clip)
    return alt.layer(dots, ring, found.encode(text="word:N")).properties(
        height=420, title=title or "Word embeddings of the run, projected by PCA"
    )
