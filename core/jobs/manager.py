"""Background training jobs: a queue, worker threads, live snapshots, cancel.

One :class:`JobManager` per process (the app keeps it in ``st.cache_resource``) owns
the queue and ``max_running`` worker threads. A page submits a config, gets a job id,
and polls :meth:`JobManager.snapshot` as often as it likes: snapshots are immutable
copies taken under a short lock, so readers never block the worker for long and never
see a half-updated state. Any number of browser tabs can watch the same job.

States: ``queued`` -> ``running`` -> ``done`` | ``cancelled`` | ``failed``. A request
for a config that is already stored finishes at once as a cached ``done`` job.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field

from core import atomic

from core.config import TrainConfig
from core.errors import LabError
from core.runs.store import RunStore, store_outcome
from core.model.progress import Reporter
from core.model.training import TrainResult

QUEUED, RUNNING, DONE, CANCELLED, FAILED = "queued", "running", "done", "cancelled", "failed"


class JobRefused(LabError):
    """A job was not queued: queue full, one already waiting for this owner, or too slow."""
FINISHED_STATES = (DONE, CANCELLED, FAILED)


@dataclass(frozen=True)
class JobSnapshot:
    """A consistent, immutable view of a job at one moment."""

    job_id: str
    state: str
    config: TrainConfig
    owner: str | None
    queue_position: int | None
    phase: str
    epoch: int
    epochs: int
    batch: int
    batches_per_epoch: int
    samples_seen: int
    samples_per_second: float
    elapsed_seconds: float
    eta_seconds: float | None
    batch_history: tuple
    epoch_history: tuple
    error: str | None
    run_id: str | None
    cached: bool
    partial: bool
    test_metrics: dict | None
    train_seconds: float | None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def progress(self) -> float:
        """Share of the planned batches done, 0..1."""
        total = self.epochs * self.batches_per_epoch
        if self.state == DONE:
            return 1.0
        return min(1.0, ((self.epoch - 1) * self.batches_per_epoch + self.batch) / total) if total and self.epoch else 0.0


@dataclass
class _Job:
    job_id: str
    config: TrainConfig
    retrain: bool
    keep_partial: bool
    owner: str | None
    state: str = QUEUED
    phase: str = "queued"
    epoch: int = 0
    epochs: int = 0
    batch: int = 0
    batches_per_epoch: int = 0
    samples_seen: int = 0
    started: float | None = None
    train_started: float | None = None
    finished_at: float | None = None
    batch_history: list = field(default_factory=list)
    epoch_history: list = field(default_factory=list)
    error: str | None = None
    run_id: str | None = None
    cached: bool = False
    partial: bool = False
    test_metrics: dict | None = None
    train_seconds: float | None = None
    cancel_requested: bool = False
    data: object = None  # the dataset this job trains on (ImdbData)


class _JobReporter(Reporter):
    """Writes training progress into a job record under the manager's lock."""

    def __init__(self, manager: "JobManager", job: _Job):
        self.manager, self.job = manager, job

    def phase(self, name):
        with self.manager._lock:
            self.job.phase = name

    def started(self, epochs, batches_per_epoch, train_samples):
        with self.manager._lock:
            self.job.epochs, self.job.batches_per_epoch = epochs, batches_per_epoch
            self.job.train_started = time.monotonic()

    def batch(self, epoch, batch, loss, accuracy, samples):
        with self.manager._lock:
            job = self.job
            job.epoch, job.batch, job.samples_seen = epoch, batch, samples
            job.batch_history.append({"step": len(job.batch_history) + 1, "epoch": epoch, "batch": batch,
                                      "loss": loss, "accuracy": accuracy})

    def epoch(self, epoch, logs):
        with self.manager._lock:
            self.job.epoch_history.append(dict(logs))

    def should_stop(self):
        return self.job.cancel_requested

    def wants_partial(self):
        return self.job.keep_partial


def default_trainer(config: TrainConfig, data, reporter: Reporter) -> TrainResult:
    from core.model.training import train

    return train(config, data, reporter)


class JobManager:
    """Queue and run training jobs in background threads; see the module docstring."""

    def __init__(self, runs_dir=None, max_running: int = 1, trainer=None, data_loader=None,
                 isolation: str = "thread", max_queued: int | None = None,
                 time_budget_seconds: float | None = None):
        """``isolation="process"`` trains each job in a child process (what the app uses);
        ``"thread"`` trains in this process (CLI, tests that patch the trainer).

        ``max_queued`` caps the waiting jobs (a classroom's queue must stay bounded), and
        ``time_budget_seconds`` refuses, before queueing, a job whose estimated training time
        exceeds it. Each owner (browser session) may have one job waiting at a time.
        """
        if isolation not in ("thread", "process"):
            raise ValueError("isolation must be 'thread' or 'process'")
        self.isolation = isolation
        self.store = RunStore(runs_dir)
        self.store.sweep()
        self.max_running = max_running
        self.max_queued = max_queued
        self.time_budget_seconds = time_budget_seconds
        self._trainer = trainer  # None: core.model.training.train
        self._data_loader = data_loader
        self._data = None
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._jobs: dict[str, _Job] = {}
        self._queue: list[str] = []
        self._journal = self.store.root / ".jobs"
        self._recover_journal()
        self._closed = False
        self._workers = [threading.Thread(target=self._work, name=f"trainer-{i + 1}", daemon=True)
                         for i in range(max_running)]
        for worker in self._workers:
            worker.start()

    # ------------------------------------------------------------ public API

    def submit(self, config: TrainConfig, *, retrain: bool = False, owner: str | None = None,
               keep_partial: bool = True, data=None) -> str:
        """Queue ``config``; a stored run of the same config finishes at once (cached).

        ``data`` is the dataset to train on (default: the manager's ``data_loader``), so a
        session that chose its own data source trains on it.
        """
        job_id = f"job-{uuid.uuid4().hex[:8]}"
        job = _Job(job_id, config, retrain, keep_partial, owner)
        job.data = data if data is not None else self._load_data()
        if not retrain:
            cached = self.store.find_cached(config, job.data.fingerprint)
            if cached is not None:
                job.state, job.phase, job.cached, job.run_id = DONE, "cached", True, cached.run_id
                job.test_metrics, job.train_seconds = cached.test_metrics, cached.train_seconds
                job.epochs = job.epoch = cached.epochs_trained
                history = self.store.history(cached.run_id)
                job.batch_history, job.epoch_history = history["batches"], history["epochs"]
                job.started = job.finished_at = time.monotonic()
        if job.state == QUEUED and self.time_budget_seconds is not None:
            from core.model.cost import estimate_epoch_seconds

            estimate = estimate_epoch_seconds(config, job.data.train.lengths) * config.epochs
            if estimate > self.time_budget_seconds:
                raise JobRefused(f"This training would take about {estimate / 60:.0f} min here, more than this "
                                 f"server allows ({self.time_budget_seconds / 60:.0f} min). Use fewer epochs, a "
                                 f"shorter maxlen, fewer units or no recurrent dropout.")
        with self._wake:
            if self._closed:
                raise LabError("The job manager is shut down.")
            if job.state == QUEUED:
                waiting = [self._jobs[j] for j in self._queue]
                if owner is not None and any(j.owner == owner for j in waiting):
                    raise JobRefused("You already have a job waiting in the queue; wait for it or cancel it first.")
                if self.max_queued is not None and len(waiting) >= self.max_queued:
                    raise JobRefused(f"The training queue is full ({self.max_queued} jobs waiting). "
                                     f"Try again when a job has finished.")
            self._jobs[job_id] = job
            if job.state == QUEUED:
                self._queue.append(job_id)
                self._wake.notify()
        self._write_journal(job)
        return job_id

    def snapshot(self, job_id: str) -> JobSnapshot:
        with self._lock:
            return self._snapshot(self._jobs[job_id])

    def jobs(self) -> list[JobSnapshot]:
        with self._lock:
            return [self._snapshot(job) for job in self._jobs.values()]

    def cancel(self, job_id: str, keep_partial: bool = True) -> None:
        """Cancel: a queued job never starts; a running one stops within one batch."""
        with self._lock:
            job = self._jobs[job_id]
            if job.state == QUEUED:
                self._queue.remove(job_id)
                job.state, job.phase, job.finished_at = CANCELLED, "cancelled before it started", time.monotonic()
            elif job.state == RUNNING:
                job.cancel_requested, job.keep_partial = True, keep_partial
                job.phase = "stopping"

    def wait(self, job_id: str, timeout: float | None = None) -> JobSnapshot:
        """Block until the job finishes (CLI and tests)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._wake:
            while self._jobs[job_id].state not in FINISHED_STATES:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(f"{job_id} still {self._jobs[job_id].state}")
                self._wake.wait(remaining if remaining is not None else 1.0)
            return self._snapshot(self._jobs[job_id])

    def shutdown(self, wait: float = 60.0) -> None:
        """Cancel every job and wait (up to ``wait`` seconds) for the workers to stop.

        A worker thread still inside TensorFlow when the interpreter exits is ended in the
        middle of C++ code, which aborts the whole process; a cancelled job stops after
        its current batch.
        """
        with self._wake:
            self._closed = True
            for job in self._jobs.values():
                job.cancel_requested = True
            self._wake.notify_all()
        deadline = time.monotonic() + wait
        for worker in self._workers:
            if worker is not threading.current_thread():
                worker.join(max(0.0, deadline - time.monotonic()))

    # ------------------------------------------------------------ journal

    #: Finished jobs remembered across restarts.
    JOURNAL_KEEP = 50

    def _write_journal(self, job: _Job) -> None:
        """Record a job's state on disk so a restart can tell what happened to it."""
        entry = {"job_id": job.job_id, "state": job.state, "phase": job.phase, "config": job.config.to_dict(),
                 "owner": job.owner, "run_id": job.run_id, "error": job.error, "cached": job.cached,
                 "test_metrics": job.test_metrics, "train_seconds": job.train_seconds, "written": time.time()}
        with contextlib.suppress(OSError, ValueError):  # a read-only runs folder must not stop training
            atomic.write_json(self._journal / f"{job.job_id}.json", entry, allow_nan=True)

    def _recover_journal(self) -> None:
        """Jobs from before a restart: finished ones are listed again, unfinished ones failed."""
        if not self._journal.is_dir():
            return
        atomic.sweep_temp_files(self._journal)
        entries = []
        for path in self._journal.glob("job-*.json"):
            try:
                entries.append((path, json.loads(path.read_text("utf-8"))))
            except (OSError, ValueError):
                with contextlib.suppress(OSError):
                    path.unlink()
        entries.sort(key=lambda item: item[1].get("written", 0))
        for path, _ in entries[:-self.JOURNAL_KEEP]:
            with contextlib.suppress(OSError):
                path.unlink()
        for _, entry in entries[-self.JOURNAL_KEEP:]:
            try:
                job = _Job(entry["job_id"], TrainConfig.from_dict(entry["config"]), False, True, entry.get("owner"))
            except (KeyError, LabError, TypeError):
                continue
            job.state, job.phase, job.run_id = entry["state"], entry.get("phase", ""), entry.get("run_id")
            job.error, job.cached = entry.get("error"), bool(entry.get("cached"))
            job.test_metrics, job.train_seconds = entry.get("test_metrics"), entry.get("train_seconds")
            if job.state not in FINISHED_STATES:
                job.state, job.phase = FAILED, "interrupted"
                job.error = (f"Interrupted: the server stopped while this job was {entry['state']}. "
                             f"Start it again; every saved run is intact.")
                self._write_journal(job)
            if job.run_id and job.state == DONE:
                with contextlib.suppress(Exception):
                    history = self.store.history(job.run_id)
                    job.batch_history, job.epoch_history = history["batches"], history["epochs"]
            job.started = job.finished_at = time.monotonic()
            self._jobs[job.job_id] = job

    # ------------------------------------------------------------ internals

    def _load_data(self):
        if self._data is None:
            if self._data_loader is None:
                from core.data.dataset import load_dataset

                self._data = load_dataset()
            else:
                self._data = self._data_loader()
        return self._data

    def _snapshot(self, job: _Job) -> JobSnapshot:
        now = time.monotonic()
        elapsed = ((job.finished_at or now) - job.started) if job.started else 0.0
        train_elapsed = ((job.finished_at or now) - job.train_started) if job.train_started else 0.0
        speed = job.samples_seen / train_elapsed if train_elapsed > 0 else 0.0
        total = job.epochs * job.batches_per_epoch
        done = (job.epoch - 1) * job.batches_per_epoch + job.batch if job.epoch else 0
        eta = None
        if job.state == RUNNING and done and total:
            eta = train_elapsed * (total - done) / done
        position = self._queue.index(job.job_id) + 1 if job.state == QUEUED else None
        return JobSnapshot(
            job_id=job.job_id, state=job.state, config=job.config, owner=job.owner, queue_position=position,
            phase=job.phase, epoch=job.epoch, epochs=job.epochs or job.config.epochs, batch=job.batch,
            batches_per_epoch=job.batches_per_epoch, samples_seen=job.samples_seen,
            samples_per_second=speed, elapsed_seconds=elapsed, eta_seconds=eta,
            batch_history=tuple(job.batch_history), epoch_history=tuple(job.epoch_history), error=job.error,
            run_id=job.run_id, cached=job.cached, partial=job.partial,
            test_metrics=dict(job.test_metrics) if job.test_metrics else None, train_seconds=job.train_seconds,
        )

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                job = self._jobs[self._queue.pop(0)]
                job.state, job.phase, job.started = RUNNING, "loading data", time.monotonic()
            self._write_journal(job)
            self._run(job)
            with self._wake:
                job.finished_at = time.monotonic()
                job.data = None  # a finished job need not keep a dataset alive
                self._wake.notify_all()
            self._write_journal(job)

    def _run(self, job: _Job) -> None:
        try:
            data = job.data
            outcome = self._run_in_process(job, data) if self.isolation == "process" else self._run_here(job, data)
            with self._lock:
                job.test_metrics, job.train_seconds = outcome["test_metrics"], outcome["train_seconds"]
                job.run_id = outcome["run_id"]
                job.partial = job.run_id is not None and (outcome["cancelled"] or outcome["diverged"])
                if outcome["diverged"]:
                    job.state, job.phase = FAILED, "diverged"
                    job.error = ("Training diverged (the loss became NaN or infinite). Lower the learning rate; "
                                 "the history up to that point was kept.")
                elif outcome["cancelled"]:
                    job.state = CANCELLED
                    job.phase = "cancelled" + (" (partial run kept)" if job.run_id else "")
                else:
                    job.state, job.phase = DONE, "done"
        except Exception as error:  # the worker must survive any job's failure
            message = str(error) if isinstance(error, LabError) else f"{type(error).__name__}: {error}"
            with self._lock:
                job.state, job.phase, job.error = FAILED, "failed", message
            if not isinstance(error, LabError):
                traceback.print_exc()

    def _run_here(self, job: _Job, data) -> dict:
        result = (self._trainer or default_trainer)(job.config, data, _JobReporter(self, job))

        def saving():
            with self._lock:
                job.phase = "saving"

        return store_outcome(self.store, result, job.config, data, keep_partial=job.keep_partial,
                             before_save=saving)

    def _run_in_process(self, job: _Job, data) -> dict:
        import multiprocessing

        from core.jobs import worker_process

        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe(duplex=False)
        cancel = context.Event()
        keep_partial = context.Value("b", job.keep_partial)
        process = context.Process(
            target=worker_process.child_main, name=f"train-{job.job_id}", daemon=True,
            args=(job.config.to_dict(), str(data.source.path), str(self.store.root), keep_partial, child_end,
                  cancel, self._trainer))
        with self._lock:
            job.phase = "starting the training process"
        process.start()
        child_end.close()
        reporter = _JobReporter(self, job)
        outcome = None
        try:
            while True:
                if job.cancel_requested and not cancel.is_set():
                    keep_partial.value = job.keep_partial
                    cancel.set()
                if not parent_end.poll(0.1):
                    if not process.is_alive() and not parent_end.poll(0):
                        break
                    continue
                try:
                    message = parent_end.recv()
                except EOFError:
                    break
                kind, args = message[0], message[1:]
                if kind == "result":
                    outcome = args[0]
                elif kind == "error":
                    raise LabError(args[0])
                else:
                    getattr(reporter, kind)(*args)
        finally:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
            parent_end.close()
        if outcome is None:
            code = process.exitcode
            hint = " (killed: out of memory?)" if code is not None and code < 0 else ""
            raise LabError(f"The training process ended without a result, exit code {code}{hint}. "
                           f"The server is fine; try a smaller model or batch.")
        return outcome
