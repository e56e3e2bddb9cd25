"""The Explore page's charts: the review-length histogram with ``maxlen`` marked, and the vocabulary coverage curve.

Pure: each function takes frames (from :mod:`ui.explore.tables` or ``core``) and returns
an ``alt.Chart``; colours from :mod:`ui.shared.palette`.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.shared import palette


def length_histogram_chart(
    bins: pd.DataFrame, *, bin_width: int, axis_end: int, maxlen: int, log_scale: bool, title: str
) -> alt.Chart:
    """One step line per label over :func:`length_histogram` rows (one split), never stacked.

    Each label's line shows its own counts (a stacked bar would show positive on top of
    negative, and a log axis would distort the upper part). The part of the axis beyond
    ``maxlen`` is shaded: those reviews are cut to their last ``maxlen`` tokens. The log
    scale is a symmetric log (empty bins stay at 0) with ticks at powers of ten.
    """
    steps = _histogram_steps(bins, bin_width, axis_end)
    x_scale = alt.Scale(domain=[0, axis_end + bin_width], nice=False)
    top = int(steps["reviews"].max()) if len(steps) else 1
    if log_scale:
        ticks = [0] + [10**k for k in range(len(str(max(top, 1))) + 1) if 10**k <= top * 10]
        y = alt.Y(
            "reviews:Q",
            stack=None,
            scale=alt.Scale(type="symlog", domain=[0, ticks[-1]], nice=False),
            axis=alt.Axis(values=ticks, format=",d"),
            title="reviews (log scale)",
        )
    else:
        y = alt.Y("reviews:Q", stack=None, scale=alt.Scale(type="linear"), title="reviews")
    color = alt.Color(
        "label:N",
        scale=alt.Scale(domain=list(palette.LABELS), range=list(palette.LABELS.values())),
        title="label",
        legend=alt.Legend(
            orient="top-right",
            labelExpr="datum.label == 'pos' ? 'positive' : 'negative'",
            symbolType="stroke",
            symbolStrokeWidth=2.5,
        ),
    )
    base = alt.Chart(steps).encode(
        x=alt.X("start:Q", scale=x_scale, title=f"tokens per review ({bin_width}-token bins)"),
        y=y,
        color=color,
        tooltip=[
            alt.Tooltip("label:N"),
            alt.Tooltip("start:Q", title="from"),
            alt.Tooltip("end:Q", title="to (excl.)"),
            alt.Tooltip("reviews:Q", format=","),
        ],
    )
    line = base.mark_line(interpolate="step-after", strokeWidth=2)
    return alt.layer(*_maxlen_marks(maxlen, axis_end + bin_width), line).properties(height=260, title=title)


def _histogram_steps(bins: pd.DataFrame, bin_width: int, axis_end: int) -> pd.DataFrame:
    """Every bin of each label from 0 to ``axis_end`` (empty ones at 0), and a closing point per label.

    A step line ("step-after") holds each value until the next point; the closing point
    at the last bin's end draws that bin's full width. It is marked ``closing`` (not a bin).
    """
    starts = list(range(0, axis_end + 1, bin_width))
    frames = []
    for name, group in bins.groupby("label", sort=True):
        counts = group.groupby("start")["reviews"].sum().reindex(starts, fill_value=0)
        frame = pd.DataFrame({"label": name, "start": starts, "reviews": counts.to_numpy(), "closing": False})
        closing = frame.iloc[[-1]].assign(start=starts[-1] + bin_width, closing=True)
        frames += [frame, closing]
    if not frames:
        return pd.DataFrame({"label": [], "start": [], "reviews": [], "closing": [], "end": []})
    steps = pd.concat(frames, ignore_index=True)
    steps["end"] = steps["start"] + bin_width
    return steps


def _maxlen_marks(maxlen: int, axis_end: int) -> list[alt.Chart]:
    """The shaded part beyond ``maxlen`` (those reviews lose their beginning), a dashed rule and its label."""
    cutoff = pd.DataFrame(
        {"maxlen": [maxlen], "end": [max(axis_end, maxlen)], "text": [f"maxlen {maxlen}"], "cut": ["cut off"]}
    )
    shade = (
        alt.Chart(cutoff)
        .mark_rect(color=palette.MUTED, opacity=0.14)
        .encode(
            x=alt.X("maxlen:Q"),
            x2=alt.X2("end:Q"),
            tooltip=[alt.Tooltip("text:N", title="beyond"), alt.Tooltip("cut:N", title="reviews here are")],
        )
    )
    rule = alt.Chart(cutoff).mark_rule(color=palette.INK, strokeDash=[5, 3], strokeWidth=2).encode(x=alt.X("maxlen:Q"))
    text = (
        alt.Chart(cutoff)
        .mark_text(align="left", dx=4, color=palette.INK, fontWeight="bold")
        .encode(x=alt.X("maxlen:Q"), y=alt.value(10), text=alt.Text("text:N"))
    )
    note = (
        alt.Chart(cutoff)
        .mark_text(align="left", dx=4, color=palette.INK, fontSize=11)
        .encode(x=alt.X("maxlen:Q"), y=alt.value(24), text=alt.value("shaded: cut to maxlen"))
    )
    return [shade, rule, text, note]


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
