"""The training worker of the distributed executor: ``rq worker`` with :class:`TrainingWorker`.

One worker per training box, started with :func:`worker_command` (the same command line
the docs, the scale benchmark and the tests use) and :func:`worker_environment` (the Redis
URL, password included, goes in the environment: a command line is visible to every user
of the machine in ``ps``). It is RQ's ``SpawnWorker``: every job runs in a freshly spawned
work horse (not a fork of a long-lived process), so a crash or an out-of-memory kill fails
only that job and the worker takes the next. Horses start on tcmalloc where the machine has
it (:mod:`core.allocator`) and lower their own priority (:func:`core.jobs.queue_task.train`).

**Only the training task.** RQ imports and calls whatever ``module.function`` a job names
(and its success, failure and stopped callbacks), so anyone who can write to Redis could
run any importable function on a training machine. :class:`TrainingJob`, the only job
class this worker uses, refuses every job but :data:`~core.jobs.queue_state.TRAIN_TASK`
before importing anything it names, and never imports a callback (the lab sets none): the
refused job fails through RQ's own failure path with the reason in its result.
"""

from __future__ import annotations

import os
import sys

from rq.exceptions import DeserializationError
from rq.job import Job
from rq.worker import SpawnWorker

from core import allocator
from core.errors import LabError
from core.jobs.queue_state import GPU_QUEUE, SERIALIZER, TRAIN_QUEUE, TRAIN_TASK

WORKER_CLASS = "core.jobs.queue_worker.TrainingWorker"
#: Where ``rq worker`` reads the Redis URL from when ``--url`` is not given.
URL_ENV = "RQ_REDIS_URL"


def worker_command(*, gpu: bool = False, name: str | None = None) -> list[str]:
    """The command line that starts one training worker (``gpu``: serve the GPU queue); the URL: :func:`worker_environment`."""
    command = [sys.executable, "-m", "rq.cli", "worker", "--worker-class", WORKER_CLASS]
    command += ["--serializer", SERIALIZER, "--disable-job-desc-logging"]
    if name:
        command += ["--name", name]
    return [*command, GPU_QUEUE if gpu else TRAIN_QUEUE]


def worker_environment(url: str) -> dict[str, str]:
    """What a worker's environment adds: the queue's URL (never on the command line, where ``ps`` shows it)."""
    return {URL_ENV: url}


class RefusedJob(LabError):
    """A job on the training queue names something other than the lab's training task."""


class TrainingJob(Job):
    """RQ's job that runs only :data:`~core.jobs.queue_state.TRAIN_TASK` and no callback; see the module docstring."""

    def refusal(self) -> str | None:
        """Why this worker will not run the job (None: it is the training task, with no callbacks)."""
        try:
            name, instance = self.func_name, self.instance
        except DeserializationError:
            return "its data cannot be read"
        if name != TRAIN_TASK or instance is not None:
            return f"it names {str(name)[:100]!r}, not the lab's training task ({TRAIN_TASK})"
        if self._success_callback_name or self._failure_callback_name or self._stopped_callback_name:
            return "it names callbacks (the lab's jobs have none)"
        return None

    @property
    def func(self):
        why = self.refusal()
        if why is not None:
            raise RefusedJob(f"Refused job {self.id}: {why}. This worker runs nothing else.")
        return super().func

    @property
    def success_callback(self):
        return None

    @property
    def failure_callback(self):
        return None

    @property
    def stopped_callback(self):
        return None


class TrainingWorker(SpawnWorker):
    """RQ's spawn-per-job worker for training jobs only (:class:`TrainingJob`, whatever ``--job-class`` says).

    Its work horses start on tcmalloc (the worker itself runs no TensorFlow).
    """

    job_class = TrainingJob

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.job_class = TrainingJob  # ``rq worker`` passes its default job class: never run with RQ's own

    def fork_work_horse(self, job, queue):
        before = os.environ.get("LD_PRELOAD")
        os.environ.update(allocator.child_environment())
        try:
            super().fork_work_horse(job, queue)
        finally:  # only the horse gets the preload
            if before is None:
                os.environ.pop("LD_PRELOAD", None)
            else:
                os.environ["LD_PRELOAD"] = before
