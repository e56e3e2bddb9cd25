"""The Evaluate page's charts of one run: curves with the chosen threshold marked, length bands, star ratings.

Pure: no Streamlit. Each function takes :mod:`core.runs.evaluation` results (frames, a
:class:`core.runs.evaluation.ThresholdMetrics`) and returns an ``alt.Chart``; colours
come from :mod:`ui.shared.palette`. The confusion matrix itself is :func:`confusion_cells_chart`.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from core.model.metrics import NEGATIVE, POSITIVE
from core.runs.evaluation import MIN_BAND_REVIEWS, ThresholdMetrics
from ui.evaluate import charts, tables
from ui.explore import tables as explore_tables
from ui.shared import palette

HEIGHT = 300
UNIT = alt.Scale(domain=[0, 1], nice=False)
LABEL_COLORS = alt.Scale(domain=[NEGATIVE, POSITIVE], range=[palette.NEGATIVE, palette.POSITIVE])


def confusion_chart(confusion: pd.DataFrame, threshold: float) -> alt.Chart:
    """:func:`confusion_cells_chart` with the threshold it was counted at in its title."""
    return charts.confusion_cells_chart(confusion).properties(
        title=f"Confusion matrix (test reviews, threshold {threshold:.2f})"
    )


def _chosen_point(x: float, y: float, text: str, x_field: str, y_field: str) -> list[alt.Chart]:
    """A ringed point at the chosen threshold, with its label beside it."""
    point = pd.DataFrame({x_field: [x], y_field: [y], "text": [text]})
    base = alt.Chart(point).encode(x=alt.X(f"{x_field}:Q"), y=alt.Y(f"{y_field}:Q"))
    ring = base.mark_point(shape="circle", size=160, filled=True, color=palette.NEGATIVE, stroke="white", strokeWidth=2)
    label = base.mark_text(align="left", dx=10, dy=12, fontWeight="bold", color=palette.INK).encode(text="text:N")
    return [ring.encode(tooltip=[alt.Tooltip("text:N", title="chosen")]), label]


def roc_chart(roc: pd.DataFrame, auc: float, chosen: ThresholdMetrics | None = None) -> alt.Chart:
    """The ROC curve, the chance diagonal dashed, the AUC in the title and the chosen threshold's point."""
    line = (
        alt.Chart(tables.thin_curve(roc))
        .mark_line(color=palette.PRIMARY, strokeWidth=2.5, interpolate="step-after")
        .encode(
            # Short axis titles: Vega's "fit" shrinks the plot until a y title longer than the plot fits.
            x=alt.X("false_positive_rate:Q", title="false positive rate", scale=UNIT),
            y=alt.Y("true_positive_rate:Q", title="true positive rate", scale=UNIT),
            tooltip=[
                alt.Tooltip("false_positive_rate:Q", format=".3f"),
                alt.Tooltip("true_positive_rate:Q", format=".3f"),
            ],
        )
    )
    diagonal = _diagonal("false_positive_rate", "true_positive_rate")  # chance
    layers = [line, diagonal]
    if chosen is not None and not math.isnan(chosen.false_positive_rate):
        layers += _chosen_point(
            chosen.false_positive_rate,
            chosen.recall,
            f"threshold {chosen.threshold:.2f}",
            "false_positive_rate",
            "true_positive_rate",
        )
    return alt.layer(*layers).properties(height=HEIGHT, title=f"ROC curve (AUC {auc:.3f})")


def precision_recall_chart(
    curve: pd.DataFrame, average_precision: float, chosen: ThresholdMetrics | None = None, positive_share=None
) -> alt.Chart:
    """Precision against recall at every threshold; the chosen one marked, guessing's precision dotted."""
    line = (
        alt.Chart(tables.thin_curve(curve))
        .mark_line(color=palette.PRIMARY, strokeWidth=2.5)
        .encode(
            x=alt.X("recall:Q", title="recall (positives found)", scale=UNIT),
            y=alt.Y("precision:Q", title="precision", scale=UNIT),
            order=alt.Order("recall:Q"),
            tooltip=[
                alt.Tooltip("threshold:Q", format=".3f"),
                alt.Tooltip("recall:Q", format=".3f"),
                alt.Tooltip("precision:Q", format=".3f"),
            ],
        )
    )
    layers = [line]
    if positive_share is not None:
        guess = pd.DataFrame({"precision": [positive_share], "text": [f"guessing: {positive_share:.2f}"]})
        layers.append(
            alt.Chart(guess)
            .mark_rule(color=palette.MUTED, strokeDash=[5, 4])
            .encode(y=alt.Y("precision:Q"), tooltip=[alt.Tooltip("text:N", title="precision of")])
        )
    if chosen is not None and chosen.called_positive:
        layers += _chosen_point(
            chosen.recall, chosen.precision, f"threshold {chosen.threshold:.2f}", "recall", "precision"
        )
    return alt.layer(*layers).properties(
        height=HEIGHT, title=f"Precision-recall (average precision {average_precision:.3f})"
    )


def calibration_chart(calibration: pd.DataFrame) -> alt.Chart:
    """What the model said (mean probability per bin) against what was true (share positive); the diagonal is perfect."""
    rows = calibration.assign(
        bin=[f"{a:.1f}-{b:.1f}" for a, b in zip(calibration["start"], calibration["end"], strict=True)]
    )
    base = alt.Chart(rows).encode(
        x=alt.X("mean_probability:Q", title="probability the model said (bin mean)", scale=UNIT),
        y=alt.Y("positive_share:Q", title="share actually positive", scale=UNIT),
    )
    line = base.mark_line(color=palette.PRIMARY, strokeWidth=2)
    points = base.mark_circle(color=palette.PRIMARY, opacity=0.9).encode(
        size=alt.Size("reviews:Q", title="reviews", scale=alt.Scale(range=[30, 400]), legend=None),
        tooltip=[
            alt.Tooltip("bin:N", title="probability bin"),
            alt.Tooltip("mean_probability:Q", format=".3f", title="said (mean)"),
            alt.Tooltip("positive_share:Q", format=".3f", title="actually positive"),
            alt.Tooltip("reviews:Q", format=","),
        ],
    )
    diagonal = _diagonal("mean_probability", "positive_share")  # perfect calibration
    title = alt.TitleParams(
        "Calibration (reliability)", subtitle="on the dashed line, p = 0.8 means 80% are positive", anchor="start"
    )
    return alt.layer(diagonal, line, points).properties(height=HEIGHT, title=title)


def length_chart(
    by_length: pd.DataFrame, maxlen: int, overall: float, min_reviews: int = MIN_BAND_REVIEWS
) -> alt.Chart:
    """Each length band's accuracy minus the overall one, with its 95% interval; few-review bands faded.

    The bars start at the overall accuracy (the zero line), so 85% against 88% is a
    visible 3 points instead of two near-equal bars on a 0-100% axis.
    """
    frame = tables.length_bands(by_length, maxlen)
    frame["low_difference"] = frame["low"] - overall
    frame["high_difference"] = frame["high"] - overall
    frame["text"] = [
        f"{n:,}" + (" (few)" if few else "") for n, few in zip(frame["reviews"], frame["few"], strict=True)
    ]
    frame["text_at"] = frame["high_difference"]
    order = frame["band"].tolist()
    colors = alt.Scale(
        domain=[explore_tables.WHOLE_BAND, explore_tables.TRUNCATED_BAND], range=[palette.WHOLE, palette.TRUNCATED]
    )
    reach = max([0.02, *frame["low_difference"].abs(), *frame["high_difference"].abs()])
    y_scale = alt.Scale(domain=[-reach, reach], nice=False)
    base = alt.Chart(frame).encode(
        x=alt.X("band:N", sort=order, title="review length (tokens)", axis=alt.Axis(labelAngle=0))
    )
    bars = base.mark_bar().encode(
        y=alt.Y(
            "difference:Q",
            scale=y_scale,
            title="accuracy minus overall (points)",
            axis=alt.Axis(format="+.0%"),
        ),
        color=alt.Color("reads:N", scale=colors, title=None, legend=alt.Legend(orient="top", labelLimit=300)),
        opacity=alt.condition(alt.datum.few, alt.value(0.4), alt.value(0.9)),
        tooltip=[
            alt.Tooltip("band:N", title="tokens"),
            alt.Tooltip("accuracy:Q", format=".1%"),
            alt.Tooltip("difference:Q", format="+.1%", title="vs overall"),
            alt.Tooltip("low:Q", format=".1%", title="95% interval from"),
            alt.Tooltip("high:Q", format=".1%", title="95% interval to"),
            alt.Tooltip("reviews:Q", format=","),
            alt.Tooltip("reads:N"),
        ],
    )
    interval = base.mark_rule(color=palette.INK, strokeWidth=1.5).encode(
        y=alt.Y("low_difference:Q"), y2=alt.Y2("high_difference:Q")
    )
    counts = base.mark_text(dy=-8, fontSize=11, color=palette.INK).encode(y=alt.Y("text_at:Q"), text=alt.Text("text:N"))
    zero = alt.Chart(pd.DataFrame({"difference": [0.0]})).mark_rule(color=palette.INK).encode(y=alt.Y("difference:Q"))
    subtitle = f"0 = all reviews ({overall:.1%}) · lines: 95% interval · numbers: reviews, faded under {min_reviews}"
    title = alt.TitleParams(f"Accuracy by review length (maxlen {maxlen})", subtitle=subtitle, anchor="start")
    return alt.layer(bars, interval, counts, zero).properties(height=320, title=title)


def _rating_axis(by_rating: pd.DataFrame) -> alt.X:
    ratings = [int(r) for r in by_rating["rating"]]
    return alt.X("rating:O", sort=ratings, title="true star rating", axis=alt.Axis(labelAngle=0))


def rating_accuracy_chart(by_rating: pd.DataFrame) -> alt.Chart:
    """Accuracy per star rating as a point with its 95% interval (a zoomed axis, no bars from 0)."""
    base = alt.Chart(by_rating).encode(x=_rating_axis(by_rating))
    y = alt.Y("accuracy:Q", title="accuracy", scale=alt.Scale(zero=False, domainMax=1), axis=alt.Axis(format=".0%"))
    # One colour encoding for both layers: a legend on one and none on the other conflict in Vega.
    color = alt.Color("label:N", scale=LABEL_COLORS, title="true label", legend=alt.Legend(orient="bottom"))
    interval = base.mark_rule(strokeWidth=2).encode(y=alt.Y("low:Q"), y2=alt.Y2("high:Q"), color=color)
    points = base.mark_circle(size=110, opacity=1).encode(
        y=y,
        color=color,
        tooltip=[
            alt.Tooltip("rating:O", title="stars"),
            alt.Tooltip("accuracy:Q", format=".1%"),
            alt.Tooltip("low:Q", format=".1%", title="95% interval from"),
            alt.Tooltip("high:Q", format=".1%", title="95% interval to"),
            alt.Tooltip("reviews:Q", format=","),
        ],
    )
    title = alt.TitleParams("Accuracy by star rating", subtitle="lines: 95% interval", anchor="start")
    return alt.layer(interval, points).properties(height=HEIGHT, title=title)


def rating_probability_chart(by_rating: pd.DataFrame, threshold: float) -> alt.Chart:
    """The predicted probability per true star rating: a box (middle half), whiskers (10-90%), median and mean."""
    base = alt.Chart(by_rating).encode(x=_rating_axis(by_rating))
    y = alt.Y("q1:Q", title="probability of positive", scale=UNIT)
    color = alt.Color("label:N", scale=LABEL_COLORS, legend=None)
    tooltip = [
        alt.Tooltip("rating:O", title="stars"),
        alt.Tooltip("median:Q", format=".3f"),
        alt.Tooltip("mean_probability:Q", format=".3f", title="mean"),
        alt.Tooltip("q1:Q", format=".3f", title="25%"),
        alt.Tooltip("q3:Q", format=".3f", title="75%"),
        alt.Tooltip("p10:Q", format=".3f", title="10%"),
        alt.Tooltip("p90:Q", format=".3f", title="90%"),
        alt.Tooltip("reviews:Q", format=","),
    ]
    whiskers = base.mark_rule(strokeWidth=1.5).encode(y=alt.Y("p10:Q", scale=UNIT), y2=alt.Y2("p90:Q"), color=color)
    box = base.mark_bar(size=26, opacity=0.35).encode(y=y, y2=alt.Y2("q3:Q"), color=color, tooltip=tooltip)
    median = base.mark_tick(size=26, thickness=2.5, color=palette.INK).encode(y=alt.Y("median:Q"), tooltip=tooltip)
    mean = base.mark_point(shape="diamond", size=50, filled=True, color=palette.INK).encode(
        y=alt.Y("mean_probability:Q"), tooltip=tooltip
    )
    rule = (
        alt.Chart(pd.DataFrame({"threshold": [threshold], "text": [f"threshold {threshold:.2f}"]}))
        .mark_rule(color=palette.MUTED, strokeDash=[4, 3])
        .encode(y=alt.Y("threshold:Q"), tooltip=[alt.Tooltip("text:N", title="decision")])
    )
    title = alt.TitleParams(
        "Predicted probability by star rating",
        subtitle="box: middle half · line: 10-90% · tick: median · diamond: mean",
        anchor="start",
    )
    return alt.layer(whiskers, box, median, mean, rule).properties(height=HEIGHT, title=title)


def _diagonal(x: str, y: str) -> alt.Chart:
    """The dashed reference line from (0, 0) to (1, 1): chance on the ROC, perfect calibration on the reliability chart."""
    ends = pd.DataFrame({x: [0.0, 1.0], y: [0.0, 1.0]})
    return (
        alt.Chart(ends).mark_line(color=palette.MUTED, strokeDash=[5, 4]).encode(x=alt.X(f"{x}:Q"), y=alt.Y(f"{y}:Q"))
    )


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


def labels_chart(results: pd.DataFrame, column: str, title: str, starts: dict[str, str]) -> alt.Chart:
    """The "how many labels" experiment: ``column`` (an accuracy) against training reviews, one line per start.

    ``results`` is :func:`core.runs.labels.results`' frame; cells without a run are left
    out (the panel names them). ``starts`` names each embeddings choice in the legend. The
    x axis is logarithmic with a tick at each size, since the sizes grow about tenfold.
    """
    frame = results.dropna(subset=[column]).assign(
        accuracy=lambda f: f[column], start=lambda f: f["embeddings"].map(lambda e: starts.get(e, e))
    )
    sizes = sorted(results["reviews"].unique().tolist())
    x = alt.X(
        "reviews:Q",
        scale=alt.Scale(type="log", domain=[sizes[0] * 0.8, sizes[-1] * 1.25], nice=False),
        axis=alt.Axis(values=sizes, format=",d"),
        title="training reviews (its validation share included)",
    )
    color = alt.Color(
        "start:N", scale=alt.Scale(domain=list(starts.values()), scheme=palette.RUN_SCHEME), title="word vectors"
    )
    base = alt.Chart(frame).encode(
        x=x, y=alt.Y("accuracy:Q", scale=alt.Scale(zero=False), title=column.replace("_", " ")), color=color
    )
    points = base.mark_point(filled=True, size=90).encode(
        tooltip=[
            alt.Tooltip("start:N", title="word vectors"),
            alt.Tooltip("reviews:Q", format=",", title="training reviews"),
            alt.Tooltip("accuracy:Q", format=".3f", title=column.replace("_", " ")),
            alt.Tooltip("run_id:N", title="run"),
            alt.Tooltip("runs:Q", title="runs of this cell (best by validation shown)"),
        ]
    )
    return alt.layer(base.mark_line(), points).properties(height=HEIGHT, title=title)
