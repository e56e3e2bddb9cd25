"""Background training jobs: a queue, worker threads, live snapshots, cancel.

One :class:`JobManager` per process (the app keeps it in ``st.cache_resource``) owns
the queue and ``max_running`` worker threads. A page submits a config, gets a job id,
and polls :meth:`JobManager.snapshot` as often as it likes: snapshots are immutable
copies taken under a short lock, so readers never block the worker for long and never
see a half-updated state. Any number of browser tabs can watch the same job.

States: ``queued`` -> ``running`` -> ``done`` | ``cancelled`` | ``failed``. A request
for a config its owner already stored finishes at once as a cached ``done`` job. The
records and snapshots are in :mod:`core.jobs.records`, the journal in
:mod:`core.jobs.journal`, where a job trains in :mod:`core.jobs.isolation`.

The manager is also where runs are deleted (:meth:`JobManager.delete_run`) and the
retention rule applied (at start-up and after each job, :mod:`core.runs.manage`): it
knows which runs its jobs use, and holds the lock that keeps a job from starting on a
run between the check and the delete.
"""

from __future__ import annotations

import threading
import time
import traceback
import uuid
import weakref

from core import settings
from core.access import Actor, NotAllowed
from core.config import TrainConfig
from core.data import glassbox
from core.errors import LabError
from core.jobs import admission
from core.jobs.isolation import Spare, default_trainer, run_here, run_in_process
from core.jobs.journal import JobJournal, job_family
from core.jobs.records import (
    CANCELLED,
    DONE,
    FAILED,
    FINISHED_STATES,
    QUEUED,
    RUNNING,
    SCORING_PARTIAL,
    JobRecord,
    JobRefused,
    JobSnapshot,
    apply_outcome,
    finish_as_cached,
    snapshot_of,
)
from core.runs import manage
from core.runs.store import RunInfo, RunStore

__all__ = [
    "CANCELLED",
    "DONE",
    "FAILED",
    "FINISHED_STATES",
    "QUEUED",
    "RUNNING",
    "JobManager",
    "JobRefused",
    "JobSnapshot",
    "default_trainer",
]


class ManagerExists(LabError):
    """A second job manager for one runs folder in one process: it would think the first one's jobs had failed."""


#: Runs folder -> the manager that owns it in this process (claimed at start, released by shutdown;
#: weak, so a manager whose start failed half-way holds nothing).
_OWNERS: weakref.WeakValueDictionary[str, JobManager] = weakref.WeakValueDictionary()
_OWNERS_LOCK = threading.Lock()


class JobManager:
    """Queue and run training jobs in background threads; see the module docstring."""

    def __init__(
        self,
        runs_dir=None,
        max_running: int = 1,
        trainer=None,
        data_loader=None,
        isolation: str = "thread",
        max_queued: int | None = None,
        time_budget_seconds: float | None = None,
        retention: manage.Retention | None = None,
        warm: bool = False,
    ):
        """Start ``max_running`` workers and recover the journal of a previous run.

        Long because each argument is one setting stored with its check, in order.

        Args:
            runs_dir: the runs store (default: ``$IMDB_LAB_RUNS``, else ``<project>/runs``).
            max_running: jobs training at once (the app: 1 on a 2-core server).
            trainer: replaces :func:`core.model.training.train` (tests; must be importable
                at module level for ``isolation="process"``).
            data_loader: returns the dataset jobs train on (default: :func:`load_dataset`).
            isolation: ``"process"`` trains each job in a child process (what the app
                uses); ``"thread"`` trains in this process (CLI, tests).
            max_queued: cap on waiting jobs (a classroom's queue must stay bounded); each
                owner (browser session) may have one job waiting at a time.
            time_budget_seconds: refuse, before queueing, a job whose estimated training
                time exceeds it.
            retention: which runs to delete at start-up and after each job (default: from
                the settings, :meth:`core.runs.manage.Retention.from_settings`; unset keeps all).
            warm: with ``isolation="process"``, keep the next job's process started ahead
                (:class:`core.jobs.isolation.Spare`: TensorFlow imported, the default dataset
                read), so a job's first batch comes seconds sooner; still one process per job.
        """
        if isolation not in ("thread", "process"):
            raise ValueError("isolation must be 'thread' or 'process'")
        self.isolation = isolation
        self.store = RunStore(runs_dir)
        self._closed = False
        self._claim_runs_folder()
        self.store.sweep()
        self.max_running = max_running
        self.max_queued = max_queued
        self.time_budget_seconds = time_budget_seconds
        self._trainer = trainer  # None: core.model.training.train
        self._data_loader = data_loader
        self._data = None
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._jobs: dict[str, JobRecord] = {}
        self._queue: list[str] = []
        self._journal = JobJournal.of(self.store)
        for job in self._journal.recover(self.store.history):
            self._jobs[job.job_id] = job
        self.retention = retention if retention is not None else manage.Retention.from_settings()
        self.apply_retention()
        self._warm = warm and isolation == "process"
        self._spare: Spare | None = None
        if self._warm:
            threading.Thread(target=self._start_spare, name="spare-starter", daemon=True).start()
        self._workers = [
            threading.Thread(target=self._work, name=f"trainer-{i + 1}", daemon=True) for i in range(max_running)
        ]
        for worker in self._workers:
            worker.start()

    # ------------------------------------------------------------ public API

    def submit(
        self,
        config: TrainConfig,
        *,
        retrain: bool = False,
        owner: str | None = None,
        keep_partial: bool = True,
        data=None,
        client: str | None = None,
    ) -> str:
        """Queue ``config``; a stored run of the same config, trained by this owner, finishes at once (cached).

        This owner's job already queued or training the same config on the same data is
        shared: its id comes back, and nothing new is queued (unless ``retrain``). Another
        owner's is not: every owner owns their runs.

        Args:
            config: what to train.
            retrain: train even when the same config is stored (the new run gets ``-r2``...).
            owner: the browser session asking (one waiting job per owner).
            keep_partial: on cancel, store what was learned as a ``-partial`` run.
            data: the dataset to train on (default: the manager's ``data_loader``), so a
                session that chose its own data source trains on it.
            client: where the request came from (the browser's IP address): at most
                :func:`core.settings.max_queued_per_client` of its jobs wait at once.

        Returns:
            The job id, for :meth:`snapshot`, :meth:`cancel` and :meth:`wait`.

        Raises:
            JobRefused: the queue is full, this owner already waits, or it is too slow.
        """
        job_id = f"job-{uuid.uuid4().hex[:8]}"
        job = JobRecord(job_id, config, retrain, keep_partial, owner, client=client)
        # The glass-box task trains on its own generated data, whatever data the session chose.
        job.data = glassbox.data_for(config, lambda: data if data is not None else self._load_data())
        if not retrain:
            self._finish_from_cache(job)
        if job.state == QUEUED:
            admission.check_size(job.config, settings.max_parameters(), settings.max_job_memory_bytes())
            admission.estimate(job, self.calibration(job.data, config=job.config))
            admission.check_time_budget(job, self.time_budget_seconds)
        with self._wake:
            if self._closed:
                raise LabError("The job manager is shut down.")
            if job.state == QUEUED and not retrain:
                twin = self._twin(job)
                if twin is not None:  # the same config on the same data: watch that job
                    return twin.job_id
            if job.state == QUEUED:
                waiting = [(self._jobs[j].owner, self._jobs[j].client) for j in self._queue]
                admission.check_queue(waiting, owner, self.max_queued, client, settings.max_queued_per_client())
            self._jobs[job_id] = job
            if job.state == QUEUED:
                self._queue.append(job_id)
                self._wake.notify()
        self._journal.write(job)
        return job_id

    def snapshot(self, job_id: str) -> JobSnapshot:
        with self._lock:
            return self._snapshot(self._jobs[job_id])

    def jobs(self) -> list[JobSnapshot]:
        with self._lock:
            return [self._snapshot(job) for job in self._jobs.values()]

    def cancel(self, job_id: str, keep_partial: bool = True, *, by: Actor | None = None) -> None:
        """Cancel: a queued job never starts; a running one stops within one batch.

        Args:
            job_id: the job.
            keep_partial: store what was learned as a ``-partial`` run (scored on the test
                set first); cancelling again with False while it is scored skips that.
            by: who asks (the app always says); None is the server itself (shutdown, CLI, tests).

        Raises:
            NotAllowed: ``by`` is neither the job's owner nor the teacher.
        """
        with self._lock:
            job = self._jobs[job_id]
            if by is not None and not by.may_act_on(job.owner):
                raise NotAllowed("This is someone else's job: only they, or the teacher, can stop it.")
            if job.state == QUEUED:
                self._queue.remove(job_id)
                job.state, job.phase, job.finished_at = CANCELLED, "cancelled before it started", time.monotonic()
            elif job.state == RUNNING:
                job.cancel_requested, job.keep_partial = True, keep_partial
                if job.phase != SCORING_PARTIAL:
                    job.phase = "stopping"
        self._journal.write(job)

    def clear_queue(self, *, by: Actor) -> list[str]:
        """The teacher empties the queue: every waiting job is cancelled; the cancelled job ids.

        Raises:
            NotAllowed: ``by`` is not the teacher.
        """
        if not by.teacher:
            raise NotAllowed("Only the teacher can clear the queue.")
        with self._lock:
            waiting = list(self._queue)
        for job_id in waiting:
            self.cancel(job_id, by=by)
        return waiting

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

    def busy_families(self) -> set[str]:
        """Run families in use (:func:`core.runs.manage.in_use`): this manager's waiting and running jobs, and
        those of other live processes on the same runs folder (their journal entries)."""
        with self._lock:
            mine = self._busy_families()
        return mine | self._journal.busy_families()

    def delete_run(self, run_id: str) -> RunInfo:
        """Delete a stored run unless a job uses it (:func:`core.runs.manage.delete`); the deleted run's info.

        Raises:
            RunError: no such run, or it is in use (the message says which job to wait for).
        """
        others = self._journal.busy_families()
        with self._lock:  # no job is queued for this run between the check and the delete
            return manage.delete(self.store, run_id, self._busy_families() | others)

    def apply_retention(self) -> list[str]:
        """Delete the runs the retention rule drops, never one in use; the deleted run ids."""
        if not self.retention.active:
            return []
        return manage.apply_retention(self.retention, self.store, self.busy_families(), self.delete_run)

    def _claim_runs_folder(self) -> None:
        """One manager per runs folder per process: a second would read the first's running jobs as interrupted.

        A web server that built its manager again (a cleared cache, issue 28) would show a
        running job as failed, lose its Stop button and start a second training beside it.
        """
        self._owner_key = str(self.store.root.resolve())
        with _OWNERS_LOCK:
            owner = _OWNERS.get(self._owner_key)
            if owner is not None and not owner._closed:
                raise ManagerExists(
                    f"A job manager for {self.store.root} is already running in this process; "
                    "use that one (shut it down first to start another)."
                )
            _OWNERS[self._owner_key] = self

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
        with _OWNERS_LOCK:
            if _OWNERS.get(self._owner_key) is self:
                del _OWNERS[self._owner_key]
        deadline = time.monotonic() + wait
        for worker in self._workers:
            if worker is not threading.current_thread():
                worker.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            spare, self._spare = self._spare, None
        if spare is not None:
            spare.close()

    # ------------------------------------------------------------ internals

    def _finish_from_cache(self, job: JobRecord) -> None:
        """A stored run of exactly this config and data makes the job done at once, with its history."""
        cached = self.store.find_cached(job.config, job.data.fingerprint, job.owner)
        if cached is not None:
            finish_as_cached(job, cached, self.store.history(cached.run_id))
            job.started = job.finished_at = time.monotonic()

    def calibration(self, data=None, *, live: bool = True, config: TrainConfig | None = None):
        """This machine's :class:`core.runs.calibration.Calibration`: stored runs, and the running job's pace.

        Args:
            data: the dataset whose review lengths the cost model reads (default: the manager's).
            live: count a running job's measured speed too (once it has trained enough reviews).
            config: the config to estimate (runs of its shape count first).
        """
        data = data if data is not None else self._load_data()
        running = []
        if live:
            with self._lock:
                running = [snapshot_of(j, None) for j in self._jobs.values() if j.state == RUNNING]
        return admission.calibration(self.store, data, running, config)

    def _start_spare(self) -> None:
        """Start the next job's process for the default dataset, unless one waits or the manager is closing."""
        try:
            path = str(self._load_data().source.path)
            with self._lock:
                if self._closed or (self._spare is not None and self._spare.process.is_alive()):
                    return
                self._spare = Spare(path)
        except Exception:  # no spare: jobs start their own process, as without one
            traceback.print_exc()

    def _load_data(self):
        if self._data is None:
            self._data = admission.training_data(self._data_loader)
        return self._data

    def _twin(self, job: JobRecord) -> JobRecord | None:
        """(Under the lock.) The same owner's queued or running job that trains exactly ``job``'s config on its data.

        Only its own owner joins a job: another student asking for the same network trains
        their own run (a student is never told "your training finished" for someone else's).
        """
        family = job_family(job)
        for other in self._jobs.values():
            if (
                other.state in (QUEUED, RUNNING)
                and not other.cancel_requested
                and other.owner == job.owner
                and job_family(other) == family
            ):
                return other
        return None

    def _busy_families(self) -> set[str]:
        """(Under the lock.) The run families of this manager's queued and running jobs."""
        return {job_family(job) for job in self._jobs.values() if job.state in (QUEUED, RUNNING)} - {None}

    def _snapshot(self, job: JobRecord) -> JobSnapshot:
        position = self._queue.index(job.job_id) + 1 if job.state == QUEUED else None
        return snapshot_of(job, position)

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                job = self._jobs[self._queue.pop(0)]
                job.state, job.phase, job.started = RUNNING, "loading data", time.monotonic()
            self._journal.write(job)
            self._run(job)
            with self._wake:
                job.finished_at = time.monotonic()
                job.data = None  # a finished job need not keep a dataset alive
                self._wake.notify_all()
            self._journal.write(job)
            try:
                self.apply_retention()
            except Exception:  # retention must never stop the worker
                traceback.print_exc()
            if self._warm:
                self._start_spare()  # after the job, not during it: it would share the job's two cores

    def _run(self, job: JobRecord) -> None:
        try:
            data = job.data
            if self.isolation == "process":
                with self._lock:
                    spare, self._spare = self._spare, None
                outcome = run_in_process(job, data, self.store, self._lock, self._trainer, spare)
            else:
                outcome = run_here(job, data, self.store, self._lock, self._trainer)
            with self._lock:
                apply_outcome(job, outcome)
        except Exception as error:  # the worker must survive any job's failure
            message = str(error) if isinstance(error, LabError) else f"{type(error).__name__}: {error}"
            with self._lock:
                job.state, job.phase, job.error = FAILED, "failed", message
            if not isinstance(error, LabError):
                traceback.print_exc()
