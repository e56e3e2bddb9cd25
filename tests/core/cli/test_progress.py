"""The CLI's progress: drawn on a terminal, silent when stderr is a pipe or a file."""

from __future__ import annotations

import io

from rich.console import Console

from core.cli import progress
from core.config import preset
from core.jobs.records import JobRecord, snapshot_of


def _snapshot():
    job = JobRecord("job-1", preset("lstm"), False, True, None, state="running", epochs=2, batches_per_epoch=10)
    job.epoch, job.batch, job.samples_seen, job.phase = 1, 5, 320, "training"
    job.batch_history = [{"step": 5, "epoch": 1, "batch": 5, "loss": 0.6931, "accuracy": 0.5}]
    job.started = job.train_started = 1.0
    job.estimate_seconds = (30.0, 60.0, 90.0)  # what the manager gives every submitted job
    return snapshot_of(job, None)


def test_a_terminal_gets_spinners_and_the_training_bar(monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr(progress, "_console", lambda: Console(file=screen, force_terminal=True, width=140))
    with progress.spinner("Loading the IMDB reviews"):
        pass
    with progress.TrainingProgress() as bar:
        bar.show(_snapshot())
    text = screen.getvalue()
    assert "Loading the IMDB reviews" in text
    assert "training" in text and "epoch 1/2" in text and "batch 5/10" in text and "loss 0.693" in text
    assert "25%" in text and "ETA" in text  # 5 of 20 batches; the ETA is the job's own


def test_nothing_is_drawn_when_stderr_is_not_a_terminal(monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr(progress, "_console", lambda: Console(file=screen, force_terminal=False))
    with progress.spinner("Loading"), progress.TrainingProgress() as bar:
        bar.show(_snapshot())
    assert screen.getvalue() == ""
