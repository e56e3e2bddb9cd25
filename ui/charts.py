"""Every Altair chart of the app: each function takes frames (or plain numbers) and returns an ``alt.Chart``.

Pure: no Streamlit, so each chart is testable on its own (``chart.to_dict()``) and the
pages only place them. The frames come shaped from :mod:`ui.tables` (or straight from
``core``); colours from :mod:`ui.palette`, the decision threshold from
:mod:`core.model.metrics`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.model.metrics import NEGATIVE, POSITIVE, THRESHOLD, label
from ui import tables
from ui.shared import palette

# ---------------------------------------------------------------- Explore


# ---------------------------------------------------------------- Train: live curves


def training_curve_chart(
    curves: pd.DataFrame,
    metric: str,
    title: str,
    planned_epochs: int | None = None,
    references: pd.DataFrame | None = None,
    at_epoch: float | None = None,
    height: int = 300,
    legend: bool = True,
) -> alt.Chart:
    """:func:`curve_frames` drawn: thin raw batches, a thick smoothed line, epoch averages, validation points.

    Hovering shows a vertical rule with the raw and the smoothed value of the nearest
    batch. With ``planned_epochs`` (a job still training) the x axis spans every planned
    epoch, so the curves show how far along it is. ``references`` (:func:`reference_rules`)
    adds horizontal lines such as the bag-of-words baseline; ``at_epoch`` a dashed rule
    where the chosen weight snapshot was taken (:func:`position_rule`). ``legend=False``
    leaves the legend out (a small chart that says its colours in a caption).
    """
    x_scale = (
        alt.Scale(domain=[0, planned_epochs]) if planned_epochs is not None else alt.Scale(domainMin=0, nice=False)
    )
    names = [*palette.SERIES, tables.EPOCH_AVERAGE]
    colors = [*palette.SERIES.values(), palette.SERIES["train, smoothed"]]  # the same training colour, as squares
    epoch = alt.Tooltip("epoch:Q", format=".2f")
    base = alt.Chart(curves).encode(
        x=alt.X("epoch:Q", title="epoch", scale=x_scale),
        y=alt.Y("value:Q", title=metric, scale=alt.Scale(zero=False)),
        color=alt.Color(
            "series:N",
            scale=alt.Scale(domain=names, range=colors),
            title=None,
            legend=alt.Legend(orient="bottom", columns=2, labelLimit=200) if legend else None,
        ),
    )
    batches = base.transform_filter(alt.datum.series == "train, smoothed")
    pickers, rule = _batch_hover(curves, batches, metric, epoch)
    raw = base.transform_filter(alt.datum.series == "train, per batch").mark_line(strokeWidth=1, opacity=0.6)
    smooth = batches.mark_line(strokeWidth=2.5)
    point_tip = [epoch, alt.Tooltip("series:N"), alt.Tooltip("value:Q", format=".4f")]
    average = (
        base.transform_filter(alt.datum.series == tables.EPOCH_AVERAGE)
        .mark_point(shape="square", size=60, filled=True, opacity=0.9)
        .encode(tooltip=point_tip)
    )
    validation = (
        base.transform_filter(alt.datum.series == "validation")
        .mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(size=70, filled=True))
        .encode(tooltip=point_tip)
    )
    layers = [pickers, raw, smooth, rule, average, validation]
    if references is not None and not references.empty:
        layers += reference_rules(references)
    if at_epoch is not None:
        layers += position_rule(at_epoch)
    return alt.layer(*layers).properties(title=title, height=height)


def position_rule(at_epoch: float, label: str = "this snapshot") -> list[alt.Chart]:
    """A dashed vertical rule at ``at_epoch`` (x in epochs) with its label at the top: where the slider is."""
    where = alt.Chart(pd.DataFrame({"epoch": [float(at_epoch)], "label": [label]})).encode(
        x=alt.X("epoch:Q"), tooltip=[alt.Tooltip("label:N", title="weights"), alt.Tooltip("epoch:Q", format=".2f")]
    )
    rule = where.mark_rule(color=palette.INK, strokeWidth=2, strokeDash=[5, 3])
    text = where.mark_text(align="left", dx=4, y=8, fontSize=11, color=palette.INK).encode(text="label:N")
    return [rule, text]


def _batch_hover(curves: pd.DataFrame, batches: alt.Chart, metric: str, epoch: alt.Tooltip):
    """Invisible points that pick the batch nearest the pointer, and a vertical rule there with both values."""
    hover = alt.selection_point(
        name=f"hover_{metric}", nearest=True, on="pointerover", fields=["epoch"], empty=False, clear="pointerout"
    )
    pickers = batches.mark_point(opacity=0, size=120).add_params(hover)
    rule = (
        alt.Chart(curves)
        .transform_filter(alt.datum.series == "train, smoothed")
        .mark_rule(color=palette.INK, strokeWidth=1)
        .encode(
            x=alt.X("epoch:Q"),
            opacity=alt.condition(hover, alt.value(0.5), alt.value(0)),
            tooltip=[
                epoch,
                alt.Tooltip("raw:Q", title="this batch", format=".4f"),
                alt.Tooltip("smoothed:Q", title="smoothed", format=".4f"),
            ],
        )
        .transform_filter(hover)
    )
    return pickers, rule


# ---------------------------------------------------------------- Predict


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


# ---------------------------------------------------------------- Evaluate: one run (its curves: ui.evaluation_charts)


def confusion_cells_chart(confusion: pd.DataFrame) -> alt.Chart:
    """A heatmap of the confusion matrix with each cell's count (and share of its row) written in it."""
    rows = tables.confusion_long(confusion)
    rows["text"] = [f"{r.reviews:,} ({r.share:.0%})" for r in rows.itertuples()]
    order = [NEGATIVE, POSITIVE]
    base = alt.Chart(rows).encode(
        x=alt.X("predicted:N", sort=order, title="predicted label", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("true:N", sort=order, title="true label"),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("reviews:Q", scale=alt.Scale(scheme=palette.COUNT_SCHEME), legend=None),
        tooltip=[
            alt.Tooltip("true:N"),
            alt.Tooltip("predicted:N"),
            alt.Tooltip("reviews:Q"),
            alt.Tooltip("share:Q", format=".1%", title="share of row"),
        ],
    )
    high = float(rows["reviews"].max()) if len(rows) else 0.0
    labels = base.mark_text(fontSize=16, fontWeight="bold").encode(
        text=alt.Text("text:N"),
        color=alt.condition(alt.datum.reviews > high * 0.55, alt.value("white"), alt.value(palette.INK)),
    )
    return alt.layer(cells, labels).properties(height=300, title="Confusion matrix (test reviews)")


# ---------------------------------------------------------------- Evaluate: all runs


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


# ---------------------------------------------------------------- the baseline and the probes


def reference_rules(references: pd.DataFrame) -> list[alt.Chart]:
    """Horizontal reference lines with their names: columns name, value, kind ("baseline"/"literature"), source.

    The baseline is a solid grey line, published results dotted; hovering shows the source.
    """
    y = alt.Y("value:Q")
    base = alt.Chart(references).encode(
        y=y,
        tooltip=[alt.Tooltip("name:N"), alt.Tooltip("value:Q", format=".4f"), alt.Tooltip("source:N")],
    )
    rules = base.mark_rule(strokeWidth=1.5, color=palette.MUTED).encode(
        strokeDash=alt.StrokeDash(
            "kind:N", scale=alt.Scale(domain=["baseline", "literature"], range=[[1, 0], [2, 3]]), legend=None
        )
    )
    # The baseline's name at the left, the published ones at the right: close values stay readable.
    own = base.transform_filter(alt.datum.kind == "baseline").mark_text(
        align="left", dx=4, dy=-6, fontSize=11, color=palette.INK
    )
    published = base.transform_filter(alt.datum.kind != "baseline").mark_text(
        align="right", dx=-4, dy=-6, fontSize=10, color=palette.MUTED
    )
    return [
        rules,
        own.encode(x=alt.value(0), text=alt.Text("label:N")),
        published.encode(x=alt.value("width"), text=alt.Text("label:N")),
    ]


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
