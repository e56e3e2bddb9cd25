"""One interface for everything the pages and the command line do with jobs, and the choice of executor.

Two executors implement :class:`JobExecutor` with the same rules and the same
snapshots: the ``local`` one (:class:`core.jobs.manager.JobManager`, a queue and worker
threads in this process, trainings in child processes: the one-machine default, zero
set-up) and the distributed one (:class:`core.jobs.redis_queue.QueueExecutor`: RQ
workers on Redis, for several app replicas). One setting chooses:
``$IMDB_LAB_QUEUE_URL`` (:func:`core.settings.queue_url`).
"""

from __future__ import annotations

from typing import Protocol

from core import settings
from core.access import Actor
from core.config import TrainConfig
from core.jobs.records import JobSnapshot
from core.runs.store import RunInfo, RunStore


class JobExecutor(Protocol):
    """Submit, watch, cancel and wait for training jobs; delete runs no job uses."""

    store: RunStore
    time_budget_seconds: float | None  # the longest likely training it queues (:mod:`core.jobs.admission`)

    def submit(
        self,
        config: TrainConfig,
        *,
        retrain: bool = False,
        owner: str | None = None,
        keep_partial: bool = True,
        data=None,
        client: str | None = None,
    ) -> str: ...

    def snapshot(self, job_id: str) -> JobSnapshot: ...

    def jobs(self) -> list[JobSnapshot]: ...

    def cancel(self, job_id: str, keep_partial: bool = True, *, by: Actor | None = None) -> None: ...

    def clear_queue(self, *, by: Actor) -> list[str]: ...

    def wait(self, job_id: str, timeout: float | None = None) -> JobSnapshot: ...

    def busy_families(self) -> set[str]: ...

    def delete_run(self, run_id: str) -> RunInfo: ...

    def calibration(self, data=None, *, live: bool = True, config: TrainConfig | None = None): ...

    def shutdown(self, wait: float = 60.0) -> None: ...


def open_executor(
    *, runs_dir=None, data_loader=None, max_queued=None, time_budget_seconds=None, queue_url=None
) -> JobExecutor:
    """The app's executor: on the queue at ``queue_url`` (default: the setting), else the local one.

    The local one trains one job at a time in a child process (``isolation="process"``),
    so TensorFlow never runs in the web server, with the next job's process started ahead
    unless ``$IMDB_LAB_WARM_TRAINER`` is 0 (:func:`core.settings.warm_trainer`).
    """
    url = queue_url or settings.queue_url()
    limits = {"max_queued": max_queued, "time_budget_seconds": time_budget_seconds}
    if url:
        from core.jobs.redis_queue import QueueExecutor

        return QueueExecutor(url, runs_dir=runs_dir, data_loader=data_loader, **limits)
    from core.jobs.manager import JobManager

    return JobManager(
        runs_dir=runs_dir,
        max_running=1,
        data_loader=data_loader,
        isolation="process",
        warm=settings.warm_trainer(),
        **limits,
    )
