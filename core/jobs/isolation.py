"""Where a local job's training runs: in this process (a thread) or in a spawned child process.

Both ways take a :class:`~core.jobs.records.JobRecord`, write its progress into it
under the manager's lock (through :class:`JobReporter`), and return the same outcome
dict (:func:`core.runs.store.store_outcome`): run id, cancelled, diverged, test metrics.
The app uses the process executor, so TensorFlow never runs in the web server and a
crash or out-of-memory fails only that job; the CLI and tests use the thread.

A :class:`Spare` is the next job's process, started ahead: a job that finds one ready
skips starting Python, importing TensorFlow and reading the dataset (about 7 s of a
click-to-first-batch wait). It is still one process per job: a spare trains one job and
ends, so a crash or a kill takes down only that job, never the next one.
"""

from __future__ import annotations

import threading
import time

from core import processes
from core.errors import LabError
from core.jobs.records import PACE_WINDOW, SCORING_PHASES, JobRecord, stop_at_deadline
from core.model.progress import Reporter
from core.runs.store import RunStore, store_outcome

#: Seconds a training process gets to finish after it reported (saving is already done by then).
PROCESS_EXIT_GRACE = 30.0


class JobReporter(Reporter):
    """Writes training progress into a job record under the manager's lock."""

    def __init__(self, lock: threading.Lock, job: JobRecord):
        self.lock, self.job = lock, job

    def phase(self, name):
        with self.lock:
            self.job.phase = name
            if name in SCORING_PHASES and self.job.train_finished is None:
                self.job.train_finished = time.monotonic()

    def started(self, epochs, batches_per_epoch, train_samples):
        with self.lock:
            self.job.epochs, self.job.batches_per_epoch = epochs, batches_per_epoch
            self.job.train_started = time.monotonic()

    def batch(self, epoch, batch, loss, accuracy, samples):
        with self.lock:
            job = self.job
            job.epoch, job.batch, job.samples_seen = epoch, batch, samples
            job.batch_times = [*job.batch_times[1 - PACE_WINDOW :], time.monotonic()]
            job.batch_history.append(
                {"step": len(job.batch_history) + 1, "epoch": epoch, "batch": batch, "loss": loss, "accuracy": accuracy}
            )

    def epoch(self, epoch, logs):
        with self.lock:
            self.job.epoch_history.append(dict(logs))

    def should_stop(self):
        with self.lock:
            stop_at_deadline(self.job, time.monotonic())
        return self.job.cancel_requested

    def wants_partial(self):
        return self.job.keep_partial


def default_trainer(config, data, reporter: Reporter):
    """:func:`core.model.training.train`, imported when a job first trains (it imports Keras)."""
    from core.model.training import train

    return train(config, data, reporter)


def run_here(job: JobRecord, data, store: RunStore, lock: threading.Lock, trainer=None) -> dict:
    """Train ``job`` in this thread and store its run; the outcome dict."""
    result = (trainer or default_trainer)(job.config, data, JobReporter(lock, job))

    def saving():
        with lock:
            job.phase = "saving"

    return store_outcome(
        store, result, job.config, data, keep_partial=job.keep_partial, before_save=saving, owner=job.owner
    )


class Spare:
    """A training process started before its job (:func:`core.jobs.worker_process.spare_main`), for ``data_path``."""

    def __init__(self, data_path: str):
        from core.jobs import worker_process

        ctx = processes.context()
        self.data_path = data_path
        self.cancel, self.keep_partial = ctx.Event(), ctx.Value("b", True)
        self.process, self.conn = processes.start(
            worker_process.spare_main, (data_path, self.keep_partial, self.cancel), name="train-spare", duplex=True
        )

    def serves(self, data) -> bool:
        """Whether this spare can train a job on ``data`` now (same dataset, still alive)."""
        return self.data_path == str(data.source.path) and self.process.is_alive()

    def close(self) -> None:
        """Retire the spare unused: the end of its pipe ends it."""
        processes.stop(self.process, self.conn, grace=5.0)


def run_in_process(
    job: JobRecord, data, store: RunStore, lock: threading.Lock, trainer=None, spare: Spare | None = None
) -> dict:
    """Train ``job`` in a lower-priority child (:mod:`core.jobs.worker_process`); the outcome dict.

    ``spare``: a :class:`Spare` ready for ``data`` trains it (handed over here, used once);
    otherwise a child is spawned for the job. The child reports over its pipe; a cancel is
    an event it checks after every batch. A child that dies without a result (killed, out
    of memory) raises :class:`LabError`; the server stays up.
    """
    process, conn, cancel, keep_partial = _claim(spare, job, data, store, lock, trainer) or _spawn(
        job, data, store, lock, trainer
    )
    reporter = JobReporter(lock, job)
    outcome = None
    try:
        while True:
            with lock:
                stop_at_deadline(job, time.monotonic())
            if job.cancel_requested:  # a second cancel may turn keep_partial off (skip scoring)
                keep_partial.value = job.keep_partial
                cancel.set()
            if not conn.poll(0.1):
                if not process.is_alive() and not conn.poll(0):
                    break
                continue
            try:
                kind, *args = conn.recv()
            except EOFError:
                break
            if kind == "result":
                outcome = args[0]
            elif kind == "error":
                raise LabError(args[0])
            else:
                getattr(reporter, kind)(*args)
    finally:
        code = processes.stop(process, conn, grace=PROCESS_EXIT_GRACE)
    if outcome is None:
        hint = " (killed: out of memory?)" if code is not None and code < 0 else ""
        raise LabError(
            f"The training process ended without a result, exit code {code}{hint}. "
            f"The server is fine; try a smaller model or batch."
        )
    return outcome


def _claim(spare: Spare | None, job: JobRecord, data, store: RunStore, lock: threading.Lock, trainer):
    """Hand ``job`` to ``spare`` if it is ready for ``data``: ``(process, conn, cancel, keep_partial)``, else None."""
    if spare is None:
        return None
    if spare.serves(data):
        spare.keep_partial.value = job.keep_partial
        with lock:
            job.phase = "handing the job to the training process started ahead"
        try:
            spare.conn.send(("job", job.config.to_dict(), str(store.root), trainer, job.owner))
            return spare.process, spare.conn, spare.cancel, spare.keep_partial
        except OSError:  # it died just now: a fresh child takes the job
            pass
    spare.close()
    return None


def _spawn(job: JobRecord, data, store: RunStore, lock: threading.Lock, trainer):
    """A fresh child for ``job``: ``(process, conn, cancel, keep_partial)``."""
    from core.jobs import worker_process

    ctx = processes.context()
    cancel = ctx.Event()
    keep_partial = ctx.Value("b", job.keep_partial)
    with lock:
        job.phase = "starting the training process"
    process, conn = processes.start(
        worker_process.child_main,
        (job.config.to_dict(), str(data.source.path), str(store.root), keep_partial, cancel, trainer, job.owner),
        name=f"train-{job.job_id}",
        duplex=False,
    )
    return process, conn, cancel, keep_partial
