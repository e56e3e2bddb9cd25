"""The training worker of the distributed executor: ``rq worker`` with :class:`TrainingWorker`.

One worker per training box, started with :func:`worker_command` (the same command line
the docs, the scale benchmark and the tests use). It is RQ's ``SpawnWorker``: every job
runs in a freshly spawned work horse (not a fork of a long-lived process), so a crash or
an out-of-memory kill fails only that job and the worker takes the next. Horses start
on tcmalloc where the machine has it (:mod:`core.allocator`) and lower their own
priority (:func:`core.jobs.queue_task.train`).
"""

from __future__ import annotations

import os
import sys

from rq.worker import SpawnWorker

from core import allocator
from core.jobs.queue_state import GPU_QUEUE, SERIALIZER, TRAIN_QUEUE

WORKER_CLASS = "core.jobs.queue_worker.TrainingWorker"


def worker_command(url: str, *, gpu: bool = False, name: str | None = None) -> list[str]:
    """The command line that starts one training worker on ``url`` (``gpu``: serve the GPU queue)."""
    command = [sys.executable, "-m", "rq.cli", "worker", "--url", url, "--worker-class", WORKER_CLASS]
    command += ["--serializer", SERIALIZER, "--disable-job-desc-logging"]
    if name:
        command += ["--name", name]
    return [*command, GPU_QUEUE if gpu else TRAIN_QUEUE]


class TrainingWorker(SpawnWorker):
    """RQ's spawn-per-job worker whose work horses start on tcmalloc (the worker itself runs no TensorFlow)."""

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
