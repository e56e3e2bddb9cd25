"""Pure helpers that shape core's results for the pages: chart data, token views, texts.

Nothing here imports Streamlit, Keras or TensorFlow, so every function is testable on
its own and cheap to import from the Explore page. The numbers themselves come from
``core`` (statistics, encoding, truncation); these functions only arrange them.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.config import TrainConfig, preset_name
from core.encoding.model_input import EncodedReview, encode_review  # noqa: F401  (re-exported for pages)

#: What the tutorial reported for its two networks, shown beside a finished run.
TUTORIAL_FIGURES = {
    "tutorial-v1": ("0.853", "test accuracy, after 200 epochs with training accuracy at 1.0 (overfitting)"),
    "tutorial-final": ("0.872-0.876", "validation accuracy"),
}

LABEL_COLORS = {"neg": "#d1495b", "pos": "#2e86ab"}
SERIES_COLORS = {"train, per batch": "#9ecae1", "train, smoothed": "#2171b5", "validation": "#e6550d"}

# ---------------------------------------------------------------- Explore: lengths


def length_histogram(lengths: pd.DataFrame, bin_width: int = 25, clip_at: int | None = None) -> pd.DataFrame:
    """Bin ``core.data.stats.review_lengths`` output: one row per split, label and bin.

    Columns: split, label, start, end (token counts, ``start <= tokens < end``), reviews.
    With ``clip_at``, reviews of ``clip_at`` tokens or more share one last bin starting
    there. Binning here keeps the chart at a few hundred rows instead of 50,000.
    """
    tokens = lengths["tokens"].to_numpy()
    if clip_at is not None:
        tokens = np.minimum(tokens, clip_at)
    binned = (lengths.assign(start=(tokens // bin_width) * bin_width)
              .groupby(["split", "label", "start"], as_index=False, observed=True)
              .size().rename(columns={"size": "reviews"}))
    binned["end"] = binned["start"] + bin_width
    return binned[["split", "label", "start", "end", "reviews"]]


def percent(share: float, digits: int = 1) -> str:
    return f"{100 * share:.{digits}f}%"


# ---------------------------------------------------------------- Explore: what the model sees


_TOKEN_CSS = """
<style>
.lab-tokens { display: flex; flex-wrap: wrap; gap: 4px; font-size: 0.85rem; line-height: 1.1;
  max-height: 340px; overflow-y: auto; padding: 4px; }
.lab-tok { display: inline-flex; flex-direction: column; align-items: center; padding: 2px 5px;
  border-radius: 4px; background: #eef3f8; border: 1px solid #d6e2ee; }
.lab-tok .id { font-size: 0.68rem; color: #5a6b7b; font-family: monospace; }
.lab-tok.oov { background: #fde8ea; border-color: #f1a7b0; color: #a4161a; font-weight: 600; }
.lab-tok.start { background: #e7f5ec; border-color: #9fd3b1; }
.lab-tok.cut { background: #f4f4f4; border-color: #e4e4e4; color: #b0b0b0; text-decoration: line-through; }
.lab-tok.cut .id { color: #c4c4c4; }
.lab-pad { padding: 2px 6px; border-radius: 4px; border: 1px dashed #b9c4cf; color: #5a6b7b;
  font-size: 0.75rem; align-self: center; }
</style>
"""


def tokens_html(review: EncodedReview, padding_side: str = "pre") -> str:
    """HTML for the token view: one chip per token, with its id underneath.

    SAFETY: review text is untrusted. Every piece of it (each token) goes through
    ``html.escape`` here, and nothing else in the string comes from user data (ids are
    ints, classes and counts are ours). This is the only function that builds HTML from
    review text; render its result with ``st.html`` and nothing else.
    """
    chips = []
    for token in review.tokens:
        classes = " ".join(c for c, on in (("oov", token.oov), ("start", token.start), ("cut", token.cut)) if on)
        title = "cut off by truncation" if token.cut else ("out of vocabulary" if token.oov else "kept")
        chips.append(f'<span class="lab-tok {classes}" title="{title}">{html.escape(token.token)}'
                     f'<span class="id">{int(token.id)}</span></span>')
    if review.padding:
        pad = f'<span class="lab-pad">{int(review.padding)} × padding id 0</span>'
        chips = [pad, *chips] if padding_side == "pre" else [*chips, pad]
    return _TOKEN_CSS + '<div class="lab-tokens">' + "".join(chips) + "</div>"


def abbreviate_ids(ids: list[int], padding: int, padding_side: str = "pre", edge: int = 12) -> str:
    """The model's input row as text, shortened in the middle: ``[0 × 12, 1, 14, …, 7]``."""
    shown = [str(i) for i in ids] if len(ids) <= 2 * edge else \
        [str(i) for i in ids[:edge]] + [f"… {len(ids) - 2 * edge} more …"] + [str(i) for i in ids[-edge:]]
    if padding:
        shown = [f"0 × {padding}", *shown] if padding_side == "pre" else [*shown, f"0 × {padding}"]
    return "[" + ", ".join(shown) + "]"


# ---------------------------------------------------------------- Train: settings


def tutorial_comparison(config: TrainConfig, accuracy: float | None) -> str:
    """A sentence that puts a run's test accuracy beside the tutorial's figures."""
    name = preset_name(config)
    ours = "" if accuracy is None else f"This run: **{accuracy:.3f}**. "
    if name in TUTORIAL_FIGURES:
        figure, what = TUTORIAL_FIGURES[name]
        return f"{ours}The tutorial reported **{figure}** {what} for this network ({name})."
    v1, final = TUTORIAL_FIGURES["tutorial-v1"][0], TUTORIAL_FIGURES["tutorial-final"][0]
    return (f"{ours}For reference, the tutorial's first network reached **{v1}** test accuracy and its final one "
            f"**{final}** validation accuracy; always answering \"positive\" scores 0.500.")


def duration(seconds: float | None) -> str:
    """``under 1 s``, ``45 s``, ``3 min 05 s``, ``1 h 02 min``; an em dash when unknown."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    if seconds < 1:
        return "under 1 s"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


# ---------------------------------------------------------------- Train: live curves


def progress_text(snapshot) -> str:
    """One line for the progress bar: epoch, batch, samples per second, ETA."""
    if snapshot.state == "queued":
        return "Waiting in the queue"
    if snapshot.epoch < 1:
        return (snapshot.phase or "starting").capitalize() + "…"
    parts = [f"Epoch {snapshot.epoch}/{snapshot.epochs}",
             f"batch {snapshot.batch}/{snapshot.batches_per_epoch}"]
    if snapshot.samples_per_second:
        parts.append(f"{snapshot.samples_per_second:,.0f} samples/s")
    parts.append(f"ETA {duration(snapshot.eta_seconds)}")
    return " · ".join(parts)


def _smoothing_window(batches_per_epoch: int) -> int:
    return max(3, min(50, (batches_per_epoch or 0) // 8))


def curve_frames(batch_history, epoch_history, batches_per_epoch: int, metric: str,
                 max_points: int = 1500) -> pd.DataFrame:
    """Long-format curves for one metric (``loss`` or ``accuracy``), x in epochs.

    Series: ``train, per batch`` (raw, thinned to ``max_points``), ``train, smoothed``
    (rolling mean over the whole history, then thinned) and ``validation`` (one point
    per epoch, at the epoch's end). Columns: epoch, value, series.
    """
    frames = []
    if batch_history:
        batches = pd.DataFrame(list(batch_history))
        per_epoch = batches_per_epoch or int(batches["batch"].max())
        x = (batches["epoch"] - 1) + batches["batch"] / per_epoch
        raw = pd.DataFrame({"epoch": x, "value": batches[metric].astype(float)})
        smooth = raw.assign(value=raw["value"].rolling(_smoothing_window(per_epoch), min_periods=1).mean())
        stride = max(1, math.ceil(len(raw) / max_points))
        keep = np.r_[np.arange(0, len(raw) - 1, stride), len(raw) - 1]  # always keep the newest point
        frames += [raw.iloc[keep].assign(series="train, per batch"), smooth.iloc[keep].assign(series="train, smoothed")]
    val_key = f"val_{metric}"
    epochs = [row for row in (epoch_history or ()) if val_key in row]
    if epochs:
        # An epoch stopped early (Stop) is validated where training stopped, not at its planned end.
        last_x = float(frames[0]["epoch"].iloc[-1]) if frames else math.inf
        frames.append(pd.DataFrame({"epoch": [min(float(r["epoch"]), last_x) for r in epochs],
                                    "value": [float(r[val_key]) for r in epochs], "series": "validation"}))
    if not frames:
        return pd.DataFrame({"epoch": pd.Series(dtype=float), "value": pd.Series(dtype=float),
                             "series": pd.Series(dtype=str)})
    return pd.concat(frames, ignore_index=True)


def overfitting_note(epoch_history) -> str | None:
    """A sentence when validation stops following training, else None."""
    rows = [r for r in (epoch_history or ()) if "val_loss" in r and "loss" in r]
    if len(rows) < 2:
        return None
    best = min(rows, key=lambda r: r["val_loss"])
    last = rows[-1]
    gap = last.get("accuracy", 0.0) - last.get("val_accuracy", 0.0)
    if best is not last and last["loss"] < best["loss"]:
        return (f"Overfitting: validation loss was lowest after epoch {best['epoch']} "
                f"({best['val_loss']:.3f}) and has risen to {last['val_loss']:.3f} while training loss keeps "
                f"falling ({last['loss']:.3f}). The model is memorising the training reviews; "
                "more epochs will not help, dropout or fewer units might.")
    if gap > 0.05:
        return (f"Training accuracy is {percent(gap)} above validation accuracy: the model is starting "
                "to fit the training reviews more closely than new ones.")
    return None
