"""The Train page's live curve: per-batch and smoothed training points, validation per epoch, the baseline's line.

Pure: each function takes frames from :mod:`ui.train.tables` and returns an ``alt.Chart``.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.baseline.charts import reference_rules
from ui.shared import palette
from ui.train import tables


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
    epoch, so the curves show how far along it is; without, it ends at the last point.
    ``references`` (:func:`reference_rules`) adds horizontal lines such as the bag-of-words
    baseline; ``at_epoch`` a dashed rule where the chosen weight snapshot was taken
    (:func:`position_rule`). ``legend=False`` leaves the legend out (a small chart that says
    its colours in a caption). A series with no rows yet (validation before the first epoch
    ends) gets no layer: Vega warns "Infinite extent" for an empty layer's scale.
    """
    x_scale = _epoch_scale(curves, planned_epochs, at_epoch)
    present = set(curves["series"].dropna())
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
    layers = [pickers, raw, smooth, rule]
    layers += [
        layer for series, layer in ((tables.EPOCH_AVERAGE, average), ("validation", validation)) if series in present
    ]
    if references is not None and not references.empty:
        layers += reference_rules(references)
    if at_epoch is not None:
        layers += position_rule(at_epoch)
    return alt.layer(*layers).properties(title=title, height=height)


def _epoch_scale(curves: pd.DataFrame, planned_epochs: int | None, at_epoch: float | None) -> alt.Scale:
    """The x axis from 0 to the planned epochs, else to the last point: given, not computed by Vega.

    Computed from the data, it would include the hover rule's layer, empty until the pointer
    is over the chart, and Vega warns "Infinite extent" for it.
    """
    last_epoch = float(curves["epoch"].max()) if not curves.empty else 1.0
    return alt.Scale(domain=[0, planned_epochs or max(last_epoch, at_epoch or 0.0)], nice=False)


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
