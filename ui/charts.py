"""Every Altair chart of the app: each function takes frames (or plain numbers) and returns an ``alt.Chart``.

Pure: no Streamlit, so each chart is testable on its own (``chart.to_dict()``) and the
pages only place them. The frames come shaped from :mod:`ui.tables` (or straight from
``core``); colours from :mod:`ui.palette`, the decision threshold from
:mod:`core.model.metrics`.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from core.model.metrics import NEGATIVE, POSITIVE, THRESHOLD, label
from ui import palette, tables

# ---------------------------------------------------------------- Explore


def length_histogram_chart(
    bins: pd.DataFrame, *, bin_width: int, axis_end: int, maxlen: int, log_scale: bool, title: str
) -> alt.Chart:
    """Stacked bars of :func:`length_histogram` rows (one split), a dashed rule at ``maxlen``."""
    cutoff = pd.DataFrame({"maxlen": [maxlen], "text": [f"maxlen {maxlen}"]})
    bars = (
        alt.Chart(bins)
        .mark_bar(binSpacing=0)
        .encode(
            x=alt.X(
                "start:Q",
                bin=alt.Bin(binned=True, step=bin_width),
                scale=alt.Scale(domain=[0, axis_end + bin_width], nice=False),
                title=f"tokens per review ({bin_width}-token bins)",
            ),
            x2=alt.X2("end:Q"),
            y=alt.Y(
                "reviews:Q", stack=True, scale=alt.Scale(type="symlog" if log_scale else "linear"), title="reviews"
            ),
            color=alt.Color(
                "label:N",
                scale=alt.Scale(domain=list(palette.LABELS), range=list(palette.LABELS.values())),
                title="label",
                legend=alt.Legend(orient="top-right"),
            ),
            tooltip=[
                alt.Tooltip("start:Q", title="from"),
                alt.Tooltip("end:Q", title="to (excl.)"),
                alt.Tooltip("label:N"),
                alt.Tooltip("reviews:Q"),
            ],
        )
    )
    rule = alt.Chart(cutoff).mark_rule(color=palette.INK, strokeDash=[5, 3], strokeWidth=2).encode(x=alt.X("maxlen:Q"))
    text = (
        alt.Chart(cutoff)
        .mark_text(align="left", dx=4, color=palette.INK, fontWeight="bold")
        .encode(x=alt.X("maxlen:Q"), y=alt.value(10), text=alt.Text("text:N"))
    )
    return (bars + rule + text).properties(height=260, title=title)


def coverage_chart(coverage: pd.DataFrame, num_words: int, tutorial: int = 5000) -> alt.Chart:
    """Share of test tokens covered against ``num_words`` (log x), the tutorial's and the user's choice marked."""
    marks = pd.DataFrame(
        {
            "num_words": [tutorial, num_words],
            "what": [f"tutorial: {tutorial:,}", f"yours: {num_words:,}"],
            "color": [palette.MUTED, palette.LABELS["neg"]],
            "ypix": [12, 28],
        }
    )
    marks = marks.iloc[:1] if num_words == tutorial else marks
    line = (
        alt.Chart(coverage)
        .mark_line(point=alt.OverlayMarkDef(size=18), color=palette.LINE)
        .encode(
            x=alt.X("num_words:Q", scale=alt.Scale(type="log"), title="num_words (log scale)"),
            y=alt.Y(
                "coverage:Q",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(zero=False),
                title="test tokens covered (not OOV)",
            ),
            tooltip=[alt.Tooltip("num_words:Q", format=","), alt.Tooltip("coverage:Q", format=".1%")],
        )
    )
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[5, 3], strokeWidth=2)
        .encode(x=alt.X("num_words:Q"), color=alt.Color("color:N", scale=None), tooltip=[alt.Tooltip("what:N")])
    )
    texts = (
        alt.Chart(marks)
        .mark_text(align="left", dx=4, color=palette.INK)
        .encode(x=alt.X("num_words:Q"), y=alt.Y("ypix:Q", scale=None), text=alt.Text("what:N"))
    )
    return (line + rules + texts).properties(height=300)


# ---------------------------------------------------------------- Train: live curves


def training_curve_chart(
    curves: pd.DataFrame,
    metric: str,
    title: str,
    planned_epochs: int | None = None,
    references: pd.DataFrame | None = None,
) -> alt.Chart:
    """:func:`curve_frames` drawn: thin raw batches, a thick smoothed line, validation points.

    With ``planned_epochs`` (a job still training) the x axis spans every planned epoch,
    so the curves show how far along it is. ``references`` (:func:`reference_rules`)
    adds horizontal lines such as the bag-of-words baseline.
    """
    x_scale = (
        alt.Scale(domain=[0, planned_epochs]) if planned_epochs is not None else alt.Scale(domainMin=0, nice=False)
    )
    base = alt.Chart(curves).encode(
        x=alt.X("epoch:Q", title="epoch", scale=x_scale),
        y=alt.Y("value:Q", title=metric, scale=alt.Scale(zero=False)),
        color=alt.Color(
            "series:N",
            scale=alt.Scale(domain=list(palette.SERIES), range=list(palette.SERIES.values())),
            title=None,
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[alt.Tooltip("epoch:Q", format=".2f"), alt.Tooltip("series:N"), alt.Tooltip("value:Q", format=".4f")],
    )
    raw = base.transform_filter(alt.datum.series == "train, per batch").mark_line(strokeWidth=1, opacity=0.6)
    smooth = base.transform_filter(alt.datum.series == "train, smoothed").mark_line(strokeWidth=2.5)
    validation = base.transform_filter(alt.datum.series == "validation").mark_line(
        strokeWidth=2.5, point=alt.OverlayMarkDef(size=70, filled=True)
    )
    layers = [raw, smooth, validation]
    if references is not None and not references.empty:
        layers += reference_rules(references)
    return alt.layer(*layers).properties(title=title, height=300)


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


# ---------------------------------------------------------------- Evaluate: one run


def confusion_chart(confusion: pd.DataFrame) -> alt.Chart:
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


def roc_chart(roc: pd.DataFrame, auc: float) -> alt.Chart:
    """The ROC curve, the chance diagonal dashed, the AUC in the title."""
    curve = tables.thin_curve(roc)
    line = (
        alt.Chart(curve)
        .mark_line(color=palette.PRIMARY, strokeWidth=2.5, interpolate="step-after")
        .encode(
            # Short axis titles: Vega's "fit" shrinks the plot until a y title longer than the plot fits.
            x=alt.X("false_positive_rate:Q", title="false positive rate", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("true_positive_rate:Q", title="true positive rate", scale=alt.Scale(domain=[0, 1])),
            tooltip=[
                alt.Tooltip("false_positive_rate:Q", format=".3f"),
                alt.Tooltip("true_positive_rate:Q", format=".3f"),
            ],
        )
    )
    chance = pd.DataFrame({"false_positive_rate": [0.0, 1.0], "true_positive_rate": [0.0, 1.0]})
    diagonal = (
        alt.Chart(chance)
        .mark_line(color=palette.MUTED, strokeDash=[5, 4])
        .encode(x=alt.X("false_positive_rate:Q"), y=alt.Y("true_positive_rate:Q"))
    )
    return alt.layer(line, diagonal).properties(height=300, title=f"ROC curve (AUC {auc:.3f})")


def length_chart(by_length: pd.DataFrame, maxlen: int, overall: float | None = None) -> alt.Chart:
    """Accuracy per length band, bands beyond ``maxlen`` in orange, review counts on the bars."""
    frame = tables.length_bands(by_length, maxlen)
    frame["text"] = [f"{n:,}" for n in frame["reviews"]]
    order = frame["band"].tolist()
    colors = alt.Scale(domain=[tables.WHOLE_BAND, tables.TRUNCATED_BAND], range=[palette.WHOLE, palette.TRUNCATED])
    base = alt.Chart(frame).encode(
        x=alt.X("band:N", sort=order, title="review length (tokens)", axis=alt.Axis(labelAngle=0))
    )
    bars = base.mark_bar().encode(
        y=alt.Y("accuracy:Q", scale=alt.Scale(domain=[0, 1]), title="accuracy", axis=alt.Axis(format=".0%")),
        color=alt.Color("reads:N", scale=colors, title=None, legend=alt.Legend(orient="top", labelLimit=300)),
        tooltip=[
            alt.Tooltip("band:N", title="tokens"),
            alt.Tooltip("accuracy:Q", format=".1%"),
            alt.Tooltip("reviews:Q"),
            alt.Tooltip("reads:N"),
        ],
    )
    counts = base.mark_text(dy=-7, fontSize=11, color=palette.INK).encode(
        y=alt.Y("accuracy:Q"), text=alt.Text("text:N")
    )
    layers = [bars, counts]
    notes = ["numbers on the bars: reviews"]
    if overall is not None and math.isfinite(overall):
        rule = pd.DataFrame({"accuracy": [overall]})
        layers.append(alt.Chart(rule).mark_rule(color=palette.INK, strokeDash=[4, 3]).encode(y=alt.Y("accuracy:Q")))
        notes.append(f"dashed line: all reviews ({overall:.1%})")
    title = alt.TitleParams(f"Accuracy by review length (maxlen {maxlen})", subtitle=" · ".join(notes), anchor="start")
    return alt.layer(*layers).properties(height=320, title=title)


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
    title = f"{metric.capitalize()} per epoch: training (solid) vs validation (dashed)"
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


def embedding_chart(points: pd.DataFrame, explained: tuple[float, float]) -> alt.Chart:
    """Words as points (columns word, x, y, polarity, found): red to green by how positive the baseline finds them.

    Found words (the search) are drawn large with their names.
    """
    polarity = alt.Color(
        "polarity:Q",
        title="baseline weight",
        scale=alt.Scale(domainMid=0, range=[palette.NEGATIVE, "#dddddd", palette.POSITIVE]),
    )
    base = alt.Chart(points).encode(
        x=alt.X("x:Q", title=f"component 1 ({explained[0]:.0%} of the variance)"),
        y=alt.Y("y:Q", title=f"component 2 ({explained[1]:.0%})"),
        tooltip=[alt.Tooltip("word:N"), alt.Tooltip("polarity:Q", format="+.2f")],
    )
    dots = base.mark_circle(size=36, opacity=0.8).encode(color=polarity)
    found = base.transform_filter(alt.datum.found).mark_text(dy=-9, fontSize=12, fontWeight="bold", color=palette.INK)
    ring = base.transform_filter(alt.datum.found).mark_circle(size=160, color=palette.INK, opacity=0.9)
    return alt.layer(dots, ring, found.encode(text="word:N")).properties(
        height=420, title="Word embeddings of the run, projected by PCA"
    )
