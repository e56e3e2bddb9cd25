"""What the Train page says: the time estimate, a job's phase and progress, how the curves read, overfitting, the tutorial's figures.

Pure: each function takes plain values or ``core`` results and returns Markdown text.
"""

from __future__ import annotations

import math

from core.config import FIELDS, TrainConfig, preset_name
from core.model.progress import PHASE_SCORING_PARTIAL, SCORING_PHASES
from ui.shared.wording import duration, percent

#: What the tutorial reported for its two networks, shown beside a finished run.
TUTORIAL_FIGURES = {
    "tutorial-v1": ("0.853", "test accuracy, after 200 epochs with training accuracy at 1.0 (overfitting)"),
    "tutorial-final": ("0.872-0.876", "validation accuracy"),
}

#: A job that trained nothing: this student had trained exactly this network before (the job
#: manager hands a student only their own stored runs). The Train page and the toast both say it.
ALREADY_TRAINED = "This network was already trained: showing it"


def wait_sentence(quote) -> str:
    """What pressing Train costs a user (:class:`core.jobs.admission.WaitQuote`), and where the figure comes from."""
    span = f"about {duration(quote.likely)} from pressing Train to the result here ({duration(quote.low)} to {duration(quote.high)}"
    if quote.how == "measured":
        runs = "training" if quote.measured == 1 else f"{quote.measured} trainings"
        return f"{span}, measured: this server's last {runs} of it)"
    if quote.how == "estimate + measured start-up":
        return f"{span}: the training estimate plus the start-up, scoring and saving this server measured)"
    return (
        f"{span}: the training estimate plus starting the training process, scoring and saving, as declared: "
        "nothing measured on this server yet)"
    )


def epochs_text(epochs: float | None) -> str:
    """Epochs trained as a number: ``2``, or ``0.8`` for a run stopped within its first epoch; ``-`` when unknown."""
    if epochs is None or not math.isfinite(epochs):
        return "-"
    if float(epochs).is_integer():
        return f"{epochs:.0f}"
    return f"{max(0.1, math.floor(epochs * 10) / 10):.1f}"  # rounded down: a stopped epoch never reads as whole


def config_problem(error, label_of) -> str:
    """Why Train is off (Markdown): the knob by its label (``label_of(field)``), its bad value and the allowed range.

    ``error`` is a :class:`core.errors.ConfigError`. Nothing trains until it is fixed, so no
    old value is silently used instead.
    """
    field = getattr(error, "field", "")
    detail = str(error).removeprefix(f"{field}: ")
    rule = FIELDS.get(field)
    if rule is not None and rule.low is not None and " is outside the allowed range" in detail:
        integral = rule.step is not None and float(rule.step).is_integer()
        low, high = (f"{int(rule.low):,}", f"{int(rule.high):,}") if integral else (f"{rule.low:g}", f"{rule.high:g}")
        detail = detail.split(" is outside")[0] + f" is outside the allowed range {low} to {high}"
    name = label_of(field) if field in FIELDS else field
    return f"**{name}**: {detail}. Train stays off until this setting is fixed (no other value is used instead)."


def tutorial_comparison(config: TrainConfig, accuracy: float | None) -> str:
    """A sentence that puts a run's test accuracy beside the tutorial's figures."""
    name = preset_name(config)
    ours = "" if accuracy is None else f"This run: **{accuracy:.3f}**. "
    if name in TUTORIAL_FIGURES:
        figure, what = TUTORIAL_FIGURES[name]
        return f"{ours}The tutorial reported **{figure}** {what} for this network ({name})."
    v1, final = TUTORIAL_FIGURES["tutorial-v1"][0], TUTORIAL_FIGURES["tutorial-final"][0]
    return (
        f"{ours}For reference, the tutorial's first network reached **{v1}** test accuracy and its final one "
        f'**{final}** validation accuracy; always answering "positive" scores 0.500.'
    )


def slice_note(test_limit: int | None) -> str | None:
    """Why a test accuracy measured on a test slice (``test_limit``) is not the tutorial's kind; None without one."""
    if not test_limit:
        return None
    return (
        f"Measured on only {test_limit} test reviews (test slice): noisy, and not comparable with the "
        "tutorial's 25,000."
    )


def estimate_sentence(per_epoch: tuple[float, float, float], epochs: int, early_stopping: bool) -> str:
    """The Train page's time estimate (Markdown): (low, likely, high) seconds per epoch on this server."""
    low, likely, high = per_epoch

    def span(a: float, b: float) -> str:
        left, right = duration(a), duration(b)
        return right if left == right else f"{left} to {right}"

    def about(seconds: float) -> str:  # not "about under 1 s"
        text = duration(seconds)
        return text if text.startswith("under") else f"about {text}"

    return (
        f"**Estimated time** on this server: **{about(likely)} per epoch** ({span(low, high)}), "
        f"{about(likely * epochs)} for {epochs} epochs"
        + (" (early stopping may end sooner)." if early_stopping else ".")
    )


def calibration_note(calibration) -> str:
    """Where the estimate comes from: this server's own runs, or the reference machine (not measured here yet)."""
    if not calibration.calibrated:
        return (
            "Not measured on this server yet: a wide range from another machine's figures. "
            "It narrows as soon as one model has trained here."
        )
    runs = calibration.measurements
    return (
        f"Calibrated on {runs} training{'s' if runs != 1 else ''} measured on this server "
        f"(it runs at {1 / calibration.factor:.2f}x the reference machine's speed)."
    )


def phase_sentence(snapshot) -> str:
    """The job's phase in words, with its own estimate where it has one ("scoring 25,000 test reviews, about 25 s")."""
    if snapshot.phase in SCORING_PHASES and snapshot.test_reviews:
        what = "the partial model on " if snapshot.phase == PHASE_SCORING_PARTIAL else ""
        estimate = f", about {duration(snapshot.scoring_seconds)}" if snapshot.scoring_seconds else ""
        return f"Scoring {what}{snapshot.test_reviews:,} test reviews{estimate}"
    return f"Phase: {snapshot.phase}"


def progress_text(snapshot) -> str:
    """One line for the progress bar: epoch, batch, samples per second, ETA (the snapshot's own)."""
    if snapshot.state == "queued":
        return "Waiting in the queue"
    if snapshot.epoch < 1:
        return (snapshot.phase or "starting").capitalize() + "…"
    parts = [f"Epoch {snapshot.epoch}/{snapshot.epochs}", f"batch {snapshot.batch}/{snapshot.batches_per_epoch}"]
    if snapshot.samples_per_second:
        parts.append(f"{snapshot.samples_per_second:,.0f} samples/s")
    if snapshot.eta_seconds is not None:
        parts.append(f"ETA {duration(snapshot.eta_seconds)}")
    else:
        parts.append("nearly done" if snapshot.phase in SCORING_PHASES else "ETA: measuring the pace")
    return " · ".join(parts)


def curves_note(batch_size: int) -> str:
    """How to read the Train page's curves (Markdown), and why training and validation may cross."""
    return (
        f"Each thin point is one batch of {batch_size:,} reviews, so it is noisy; the thick line smooths it "
        "(the slider). The squares are Keras's training value of each epoch: the mean over all its batches, "
        "measured while the weights were still changing and with dropout on. Validation is measured after the "
        "epoch, with the final weights, no dropout, on reviews the model never trains on. That is why early on "
        "the validation loss can sit **below** the training line and the two cross; a validation line that "
        "later stays above a still-falling training line is overfitting."
    )


def overfitting_note(epoch_history) -> str | None:
    """A sentence when validation stops following training, else None."""
    rows = [r for r in (epoch_history or ()) if "val_loss" in r and "loss" in r]
    if len(rows) < 2:
        return None
    best = min(rows, key=lambda r: r["val_loss"])
    last = rows[-1]
    gap = last.get("accuracy", 0.0) - last.get("val_accuracy", 0.0)
    if best is not last and last["loss"] < best["loss"]:
        return (
            f"Overfitting: validation loss was lowest after epoch {best['epoch']} "
            f"({best['val_loss']:.3f}) and has risen to {last['val_loss']:.3f} while training loss keeps "
            f"falling ({last['loss']:.3f}). The model is memorising the training reviews; "
            "more epochs will not help, dropout or fewer units might."
        )
    if gap > 0.05:
        return (
            f"Training accuracy is {percent(gap)} above validation accuracy: the model is starting "
            "to fit the training reviews more closely than new ones."
        )
    return None
