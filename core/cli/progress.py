"""Progress on the terminal: rich bars and spinners on stderr, and nothing when stderr is not a terminal.

Long operations (a cold data load and tokenising, training, test scoring, batch
prediction, export) show a spinner with the elapsed time, or for training a bar with the
job's own progress and ETA (:class:`core.jobs.records.JobSnapshot`: computed there, only
drawn here). Output that is piped or captured stays clean: results go to stdout,
progress only to an interactive stderr.
"""

from __future__ import annotations

import contextlib

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn


def _console() -> Console:
    return Console(stderr=True)


@contextlib.contextmanager
def spinner(message: str):
    """A spinner with the elapsed time while the block runs; the line stays, with its time, afterwards."""
    console = _console()
    if not console.is_terminal:
        yield
        return
    columns = (SpinnerColumn(finished_text="[green]✓"), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(message, total=1)
        yield
        progress.update(task, completed=1)


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(round(seconds), 60)
    return f"ETA {minutes}:{secs:02d}"


class TrainingProgress:
    """A width-aware bar for one training job, redrawn from its snapshots (see :meth:`show`)."""

    def __init__(self):
        console = _console()
        self._progress = None
        if console.is_terminal:
            self._progress = Progress(
                SpinnerColumn(finished_text="[green]✓"),
                TextColumn("{task.description:<26}"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[detail]}"),
                TimeElapsedColumn(),
                TextColumn("{task.fields[eta]}"),
                console=console,
            )
        self._task = None

    def __enter__(self) -> TrainingProgress:
        if self._progress is not None:
            self._progress.start()
            self._task = self._progress.add_task("starting", total=1.0, detail="", eta="")
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()

    def show(self, snap) -> None:
        """Draw ``snap`` (a :class:`core.jobs.records.JobSnapshot`): phase, share done, epoch and batch, speed, ETA."""
        if self._progress is None:
            return
        detail = ""
        if snap.epoch:
            detail = f"epoch {snap.epoch}/{snap.epochs} · batch {snap.batch}/{snap.batches_per_epoch}"
            if snap.samples_per_second:
                detail += f" · {snap.samples_per_second:,.0f} samples/s"
            if snap.batch_history:
                detail += f" · loss {snap.batch_history[-1]['loss']:.3f}"
        self._progress.update(
            self._task, completed=snap.progress, description=snap.phase, detail=detail, eta=_eta(snap.eta_seconds)
        )
