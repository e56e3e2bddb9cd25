"""Charts of the X-ray (:mod:`core.serving.xray`): the running verdict and the units x words heatmaps.

Pure: Altair and pandas only, no Streamlit, so the charts are tested without a session.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from core.model.metrics import THRESHOLD
from ui.shared import palette
from ui.xray.wording import AS_TRAINED, WITH_CHANGES

#: Longest step label on an axis; the full words are in the tooltip.
LABEL_CHARS = 14


def step_labels(steps: list[list[str]]) -> list[str]:
    """Unique, short axis labels: ``"3 not"``; a pooled step shows its first word and ``+n``."""
    labels = []
    for t, words in enumerate(steps):
        label = words[0] if len(words) == 1 else f"{words[0]} +{len(words) - 1}"
        labels.append(f"{t} {label[:LABEL_CHARS]}")
    return labels


def verdict_frame(shot) -> pd.DataFrame:
    """One row per step: the words, the running verdict and its jump from the step before."""
    p = np.asarray(shot.prefix_probability, dtype=float)
    jump = np.diff(p, prepend=p[0] if len(p) else 0.0)
    return pd.DataFrame(
        {
            "step": np.arange(len(p)),
            "label": step_labels(shot.steps),
            "words": [" ".join(w) for w in shot.steps],
            "positive": p,
            "jump": jump,
        }
    )


def biggest_jumps(frame: pd.DataFrame, count: int = 3, least: float = 0.05) -> pd.DataFrame:
    """The steps where the running verdict moved most (at least ``least``), biggest first."""
    moved = frame[frame["jump"].abs() >= least]
    return moved.reindex(moved["jump"].abs().sort_values(ascending=False).index).head(count)


def step_axis(labels: list[str]) -> alt.X:
    """Steps along x, each labelled by its word ("3 not"), in reading order; a one-step review too."""
    return alt.X("label:O", title="word (step)", sort=list(labels), axis=alt.Axis(labelAngle=-60, labelOverlap=True))


def running_verdict_chart(frame: pd.DataFrame) -> alt.Chart:
    """P(positive) if the review ended after each word: a line with the threshold drawn."""
    x = step_axis(frame["label"].tolist())
    tooltip = [
        alt.Tooltip("words:N", title="words"),
        alt.Tooltip("positive:Q", title="P(positive)", format=".3f"),
        alt.Tooltip("jump:Q", title="change", format="+.3f"),
    ]
    line = (
        alt.Chart(frame)
        .mark_line(point=True, color=palette.LINE)
        .encode(x, alt.Y("positive:Q", title="P(positive) so far", scale=alt.Scale(domain=[0, 1])), tooltip=tooltip)
    )
    rule = alt.Chart(pd.DataFrame({"y": [THRESHOLD]})).mark_rule(color=palette.MUTED, strokeDash=[4, 4]).encode(y="y:Q")
    return (rule + line).properties(height=280, title="The running verdict: what it would say if the review ended here")


def intervention_chart(frame: pd.DataFrame) -> alt.Chart:
    """The running verdict as trained (grey) and with the interventions (blue): two lines, one legend."""
    x = step_axis(frame.loc[frame["series"] == AS_TRAINED, "label"].tolist())
    colour = alt.Color(
        "series:N", scale=alt.Scale(domain=[AS_TRAINED, WITH_CHANGES], range=[palette.MUTED, palette.LINE]), title=None
    )
    line = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x,
            alt.Y("positive:Q", title="P(positive) so far", scale=alt.Scale(domain=[0, 1])),
            colour,
            tooltip=[
                alt.Tooltip("words:N", title="words"),
                alt.Tooltip("series:N", title="model"),
                alt.Tooltip("positive:Q", title="P(positive)", format=".3f"),
            ],
        )
    )
    rule = alt.Chart(pd.DataFrame({"y": [THRESHOLD]})).mark_rule(color=palette.MUTED, strokeDash=[4, 4]).encode(y="y:Q")
    legend = alt.Legend(orient="top")
    return (rule + line.encode(colour.legend(legend))).properties(
        height=280, title="The running verdict, as trained and with your changes"
    )


def unit_roles_chart(units: list[dict], unit: int | None = None) -> alt.Chart:
    """Mean change of the verdict's log-odds when each unit is silenced: one bar per unit, ``unit`` emphasised.

    ``units``: the rows of :func:`core.serving.unit_roles.cached_unit_roles`.
    """
    data = pd.DataFrame({"unit": [r["unit"] for r in units], "change": [r["mean_change"] for r in units]})
    data["chosen"] = data["unit"] == unit
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            alt.X("unit:O", title="unit", sort=None),
            alt.Y("change:Q", title="mean change in log-odds when silenced"),
            alt.Color(
                "chosen:N", scale=alt.Scale(domain=[False, True], range=[palette.MUTED, palette.LINE]), legend=None
            ),
            tooltip=[alt.Tooltip("unit:O"), alt.Tooltip("change:Q", title="mean change", format="+.4f")],
        )
        .properties(height=200, title="What silencing each unit does to the verdict, on average")
    )


def unit_order(values: np.ndarray, by_movement: bool) -> list[int]:
    """Units in index order, or by how much they move over the review (range of values), most first."""
    units = values.shape[1]
    if not by_movement or not len(values):
        return list(range(units))
    moved = np.nanmax(values, axis=0) - np.nanmin(values, axis=0)
    return [int(u) for u in np.argsort(-np.nan_to_num(moved), kind="stable")]


def heatmap_frame(values: np.ndarray, steps: list[list[str]], order: list[int]) -> pd.DataFrame:
    """Long form of a (steps, units) array: one row per (step, unit), units ranked by ``order``."""
    labels = step_labels(steps)
    rank = {unit: r for r, unit in enumerate(order)}
    t, u = np.meshgrid(np.arange(values.shape[0]), np.arange(values.shape[1]), indexing="ij")
    return pd.DataFrame(
        {
            "step": t.ravel(),
            "label": [labels[i] for i in t.ravel()],
            "words": [" ".join(steps[i]) for i in t.ravel()],
            "unit": u.ravel(),
            "rank": [rank[int(i)] for i in u.ravel()],
            "value": values.ravel(),
        }
    ).dropna(subset=["value"])


def heatmap_chart(frame: pd.DataFrame, title: str, gate: bool) -> alt.Chart:
    """Units (rows) x words (columns), coloured by value; hover shows the word, the unit and the value."""
    domain = [0, 0.5, 1]
    if not gate:
        bound = 1.0 if frame.empty else max(1.0, float(frame["value"].abs().max()))
        domain = [-bound, 0.0, bound]
    scale = alt.Scale(domain=domain, range=list(palette.INTERNAL_RANGE), clamp=True)  # not the verdict's colours
    units = frame["unit"].nunique() if not frame.empty else 1
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            alt.X("label:O", title=None, sort=None, axis=alt.Axis(labelAngle=-60, labelOverlap=True)),
            alt.Y("rank:O", title="unit (sorted)", axis=None),
            alt.Color("value:Q", scale=scale, title=None),
            tooltip=[
                alt.Tooltip("words:N", title="words"),
                alt.Tooltip("unit:Q", title="unit"),
                alt.Tooltip("value:Q", title=title, format=".3f"),
            ],
        )
        .properties(height=min(520, 120 + 12 * units), title=title)
    )


def unit_trace_chart(series: dict[str, np.ndarray], steps: list[list[str]], unit: int) -> alt.Chart:
    """One unit over the review: its hidden state, cell state and gates, one line each."""
    labels = step_labels(steps)
    rows = [
        {"step": t, "label": labels[t], "words": " ".join(steps[t]), "series": name, "value": float(v)}
        for name, values in series.items()
        for t, v in enumerate(values)
        if np.isfinite(v)
    ]
    return (
        alt.Chart(pd.DataFrame(rows, columns=["step", "label", "words", "series", "value"]))
        .mark_line(point=True)
        .encode(
            step_axis(labels),
            alt.Y("value:Q", title="value"),
            alt.Color("series:N", scale=alt.Scale(scheme=palette.RUN_SCHEME), title=None),
            tooltip=["words:N", "series:N", alt.Tooltip("value:Q", format=".3f")],
        )
        .properties(height=260, title=f"Unit {unit} over the review")
    )


def horizon_chart(result: dict) -> alt.Chart:
    """Share of reviews whose verdict stays the same when the model reads only their last k words (log k axis).

    The dashed rule is the agreement the sentence under the chart names; the tooltip adds the
    mean absolute change in log-odds and how many reviews were longer than k (the rest read whole).
    """
    frame = pd.DataFrame(
        {
            "last_words": result["last_words"],
            "same": result["same_verdict"],
            "change": result["mean_abs_logit_change"],
            "longer": result["longer_reviews"],
        }
    )
    line = (
        alt.Chart(frame)
        .mark_line(point=True, color=palette.LINE)
        .encode(
            alt.X(
                "last_words:Q", title="last k words read (the words before them removed)", scale=alt.Scale(type="log")
            ),
            alt.Y(
                "same:Q",
                title="same verdict as the whole review",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            tooltip=[
                alt.Tooltip("last_words:Q", title="last k words"),
                alt.Tooltip("same:Q", title="same verdict", format=".0%"),
                alt.Tooltip("change:Q", title="mean |change in log-odds|", format=".3f"),
                alt.Tooltip("longer:Q", title="reviews longer than k"),
            ],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"y": [result["agreement"]]}))
        .mark_rule(color=palette.MUTED, strokeDash=[4, 4])
        .encode(y="y:Q")
    )
    return (rule + line).properties(height=220, title="Memory horizon: how many of its last words the model needs")


def layer_frame(config) -> pd.DataFrame:
    """The ``model.summary()``-style table of a run's network (from :func:`core.serving.layers.layer_summary`)."""
    from core.serving.layers import layer_summary

    frame = pd.DataFrame(layer_summary(config)).rename(
        columns={"name": "Layer", "kind": "Type", "output": "Output shape", "params": "Parameters"}
    )
    return frame


def layer_chain(config) -> str:
    """The layers as one line of Markdown, input to output: ``Input → Embedding ·64 → … → Dense(1, sigmoid) ·1``."""
    frame = layer_frame(config)
    widths = frame["Output shape"].str.extract(r"(\d+)\)$")[0]
    parts = [
        f"`{kind}`" + (f" ·{w}" if isinstance(w, str) else "") for kind, w in zip(frame["Type"], widths, strict=True)
    ]
    return " → ".join(parts)
