"""The distributed executor: trainings on RQ workers, every job's state in Redis, runs on a shared volume.

Chosen by one setting (``$IMDB_LAB_QUEUE_URL``, :func:`core.jobs.executor.open_executor`);
it does for every app replica what the local :class:`core.jobs.manager.JobManager` does
for one server, with the same methods and the same :class:`~core.jobs.records.JobSnapshot`.

- **Admission** (queue cap, one waiting job per owner, the time budget, a config its owner
  already queued or is training shared by its job id) runs under one Redis lock, so it holds across replicas.
- **Progress** is written by the worker (:mod:`core.jobs.queue_task`) and read by any
  replica: a job started through one replica can be watched on another.
- **Cancel** sets a flag the worker reads after every batch; if the job has not reached
  its next batch after :data:`CANCEL_GRACE_SECONDS`, RQ's stop command ends its work horse.
- **A lost worker** (killed, out of memory, machine gone) fails its job: RQ marks the job
  failed when the horse dies, and a job whose heartbeat stops is failed by the next reader.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
import uuid

from core import settings
from core.access import Actor, NotAllowed
from core.config import TrainConfig
from core.data import glassbox
from core.errors import LabError
from core.jobs import admission, queue_state as qs
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
    JobSnapshot,
    deadline_seconds,
    finish_as_cached,
    snapshot_of,
)
from core.runs import manage
from core.runs.store import RunInfo, RunStore

#: Seconds a cancelled job gets to reach its next batch before RQ's stop command ends it.
CANCEL_GRACE_SECONDS = 30.0
#: RQ ends a work horse this long after the job's deadline (:func:`core.jobs.records.deadline_seconds`).
TIMEOUT_MARGIN_SECONDS = 900
_LOST = "The training worker stopped without a result ({why}). The app is fine; start the training again."


class QueueUnavailable(LabError):
    """Redis does not answer: no training can be queued, watched or stopped until it is back."""


def _reachable(method):
    """Turn a Redis connection error inside ``method`` into :class:`QueueUnavailable`, a message for the page."""

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        import redis

        try:
            return method(self, *args, **kwargs)
        except redis.RedisError as error:
            raise QueueUnavailable(
                f"The job queue ({settings.redacted_url(self.url)}) is not answering ({type(error).__name__}). Training jobs cannot be "
                f"queued, watched or stopped until it is back; runs already trained still predict, and "
                f"trainings in progress keep going on their workers."
            ) from None

    return call


class QueueExecutor:
    """Submit, watch and cancel training jobs on an RQ queue at ``url``; see the module docstring."""

    def __init__(
        self,
        url: str,
        runs_dir=None,
        data_loader=None,
        max_queued: int | None = None,
        time_budget_seconds: float | None = None,
        cancel_grace_seconds: float = CANCEL_GRACE_SECONDS,
    ):
        import redis
        from rq import Queue
        from rq.serializers import JSONSerializer

        self.connection = redis.Redis.from_url(url)
        try:
            self.connection.ping()
        except redis.RedisError as error:
            raise LabError(
                f"Cannot reach the job queue at {settings.redacted_url(url)} ({type(error).__name__}: "
                f"{settings.redacted_url(str(error))}). Start Redis, or unset the queue URL."
            ) from None
        self.url, self.serializer = url, JSONSerializer
        self.queues = {name: Queue(name, connection=self.connection, serializer=JSONSerializer)
                       for name in (qs.TRAIN_QUEUE, qs.GPU_QUEUE)}  # fmt: skip
        self.store = RunStore(runs_dir)
        self.max_queued, self.time_budget_seconds = max_queued, time_budget_seconds
        self.cancel_grace_seconds = cancel_grace_seconds
        self._data_loader, self._data = data_loader, None
        self._journal = JobJournal.of(self.store)  # the command line's local jobs on the same store
        self._local = threading.Lock()
        self._batches: dict[str, list] = {}  # job id -> batch rows read so far (the rest is read incrementally)
        self._eta: dict[str, tuple] = {}  # job id -> the previous snapshot's ETA, for smoothing

    # ------------------------------------------------------------ public API

    @_reachable
    def submit(
        self, config: TrainConfig, *, retrain=False, owner=None, keep_partial=True, data=None, client=None
    ) -> str:
        """Queue ``config`` (see :meth:`core.jobs.manager.JobManager.submit`: the same rules, across replicas)."""
        job = JobRecord(f"job-{uuid.uuid4().hex[:8]}", config, retrain, keep_partial, owner, client=client)
        # The glass-box task trains on its own generated data, whatever data the session chose.
        job.data = glassbox.data_for(config, lambda: data if data is not None else self._load_data())
        cached = None if retrain else self.store.find_cached(config, job.data.fingerprint, owner)
        if cached is not None:
            finish_as_cached(job, cached, self.store.history(cached.run_id))
            job.started = job.finished_at = time.monotonic()
            self._write_new(job)
            return job.job_id
        admission.check_size(job.config, settings.max_parameters(), settings.max_job_memory_bytes())
        admission.estimate(job, self.calibration(job.data, config=config))
        admission.check_time_budget(job, self.time_budget_seconds)
        family = job_family(job)
        with self._admission():
            twin = None if retrain else self.connection.get(qs.family_key(family))
            if twin is not None and self._joinable(twin.decode(), owner):
                return twin.decode()
            waiting = self._waiting()
            admission.check_queue(waiting, owner, self.max_queued, client, settings.max_queued_per_client())
            queue = self._route(config)
            self._write_new(job, family=family, queue=queue.name)
            self.connection.set(qs.family_key(family), job.job_id)
            timeout = int(deadline_seconds(job) + TIMEOUT_MARGIN_SECONDS)
            queue.enqueue(qs.TRAIN_TASK, job.job_id, job_id=job.job_id, job_timeout=timeout,
                          result_ttl=qs.FINISHED_TTL_SECONDS, failure_ttl=qs.FINISHED_TTL_SECONDS)  # fmt: skip
        return job.job_id

    @_reachable
    def snapshot(self, job_id: str) -> JobSnapshot:
        pipe = self.connection.pipeline(transaction=False)
        with self._local:
            seen = self._batches.setdefault(job_id, [])
            start = len(seen)
        pipe.hgetall(qs.job_key(job_id))
        pipe.lrange(qs.batches_key(job_id), start, -1)
        pipe.lrange(qs.epochs_key(job_id), 0, -1)
        fields, new_rows, epochs = pipe.execute()
        if not fields:
            raise KeyError(job_id)
        values = self._reconcile(job_id, qs.decode(fields))
        with self._local:
            if len(seen) == start:
                seen.extend(qs.decode_value(row) for row in new_rows)
            job = qs.record_of(values, seen, [qs.decode_value(row) for row in epochs])
            job.eta_last = self._eta.get(job_id)
            snap = snapshot_of(job, self._position(values) if job.state == QUEUED else None)
            self._eta[job_id] = job.eta_last
            if snap.finished:
                self._batches.pop(job_id, None)
        return snap

    @_reachable
    def jobs(self) -> list[JobSnapshot]:
        """The latest :data:`~core.jobs.queue_state.LISTED_JOBS` jobs of every replica, oldest first."""
        snapshots = []
        for raw in self.connection.zrange(qs.JOBS_KEY, -qs.LISTED_JOBS, -1):
            try:
                snapshots.append(self.snapshot(raw.decode()))
            except KeyError:  # forgotten by Redis since
                continue
        return snapshots

    @_reachable
    def cancel(self, job_id: str, keep_partial: bool = True, *, by: Actor | None = None) -> None:
        """Cancel: a queued job never starts; a running one stops within one batch (then RQ stops it)."""
        with self._admission():
            values = qs.decode(self.connection.hgetall(qs.job_key(job_id)))
            if not values:
                raise KeyError(job_id)
            if by is not None and not by.may_act_on(values.get("owner")):
                raise NotAllowed("This is someone else's job: only they, or the teacher, can stop it.")
            if values["state"] == QUEUED:
                self._rq_job(job_id).cancel()
                qs.write_end(self.connection, job_id, values, state=CANCELLED, phase="cancelled before it started")
            elif values["state"] == RUNNING:
                phase = values["phase"] if values["phase"] == SCORING_PARTIAL else "stopping"
                fields = qs.encode_fields(cancel_requested=True, keep_partial=keep_partial, phase=phase)
                self.connection.hset(qs.job_key(job_id), mapping=fields)
                timer = threading.Timer(self.cancel_grace_seconds, self._force_stop, args=(job_id,))
                timer.daemon = True
                timer.start()

    @_reachable
    def clear_queue(self, *, by: Actor) -> list[str]:
        """The teacher empties the queue (every replica's waiting jobs); the cancelled job ids."""
        if not by.teacher:
            raise NotAllowed("Only the teacher can clear the queue.")
        waiting = [job_id for queue in self.queues.values() for job_id in queue.get_job_ids()]
        for job_id in waiting:
            self.cancel(job_id, by=by)
        return waiting

    @_reachable
    def wait(self, job_id: str, timeout: float | None = None) -> JobSnapshot:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not (snap := self.snapshot(job_id)).finished:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"{job_id} still {snap.state}")
            time.sleep(0.1)
        return snap

    @_reachable
    def busy_families(self) -> set[str]:
        """Run families that a queued or running job of any replica uses, and the command line's local jobs."""
        return qs.busy_families(self.connection) | self._journal.busy_families()

    @_reachable
    def delete_run(self, run_id: str) -> RunInfo:
        """Delete a stored run unless a job of any replica uses it (:func:`core.runs.manage.delete`)."""
        with self._admission():  # no job is queued for this run between the check and the delete
            return manage.delete(self.store, run_id, self.busy_families())

    @_reachable
    def calibration(self, data=None, *, live: bool = True, config: TrainConfig | None = None):
        """The cluster's time calibration: the shared store's runs and the running jobs' pace."""
        data = data if data is not None else self._load_data()
        running = [snap for snap in self.jobs() if snap.state == RUNNING] if live else []
        return admission.calibration(self.store, data, running, config)

    def shutdown(self, wait: float = 60.0) -> None:
        """A replica going away leaves every job alone: the workers own them, other replicas watch them."""
        self.connection.close()

    # ------------------------------------------------------------ internals

    def _admission(self):
        return qs.admission_lock(self.connection)

    def _write_new(self, job: JobRecord, **extra) -> None:
        """A new job in Redis; a cached one with its stored curves, and forgotten in time like every finished job."""
        data = job.data
        extra.update(data_path=str(data.source.path), data_fingerprint=data.fingerprint, submitted=time.time())
        keys = (qs.job_key(job.job_id), qs.batches_key(job.job_id), qs.epochs_key(job.job_id))
        pipe = self.connection.pipeline()
        pipe.hset(keys[0], mapping=qs.encode(job, **extra))
        for key, rows in zip(keys[1:], (job.batch_history, job.epoch_history), strict=True):
            if rows:
                pipe.rpush(key, *(qs.encode_value(row) for row in rows))
        pipe.zadd(qs.JOBS_KEY, {job.job_id: time.time()})
        if job.state in FINISHED_STATES:
            for key in keys:
                pipe.expire(key, qs.FINISHED_TTL_SECONDS)
        pipe.execute()

    def _joinable(self, job_id: str, owner: str | None) -> bool:
        """Whether ``owner`` may watch ``job_id`` instead of queueing the same config: their own, still waiting or training."""
        state, its_owner = (qs.decode_value(v) for v in self.connection.hmget(qs.job_key(job_id), ["state", "owner"]))
        return state in (QUEUED, RUNNING) and its_owner == owner

    def _waiting(self) -> list[tuple]:
        """``(owner, client)`` of every waiting job."""
        ids = [job_id for queue in self.queues.values() for job_id in queue.get_job_ids()]
        fields = [self.connection.hmget(qs.job_key(job_id), ["owner", "client"]) for job_id in ids]
        return [tuple(qs.decode_value(value) for value in pair) for pair in fields]

    def _route(self, config: TrainConfig):
        """The GPU queue when a GPU worker listens and cuDNN can run the config; else the CPU queue."""
        from rq import Worker

        gpu = self.queues[qs.GPU_QUEUE]
        if config.cudnn_ready and Worker.count(queue=gpu) > 0:
            return gpu
        return self.queues[qs.TRAIN_QUEUE]

    def _rq_job(self, job_id: str):
        from rq.job import Job

        return Job.fetch(job_id, connection=self.connection, serializer=self.serializer)

    def _position(self, values: dict) -> int | None:
        queue = self.queues.get(values.get("queue"), self.queues[qs.TRAIN_QUEUE])
        index = queue.get_job_position(values["job_id"])
        return None if index is None else index + 1

    def _reconcile(self, job_id: str, values: dict) -> dict:
        """An unfinished job whose worker is gone (RQ says so, or no heartbeat) is finished here, once."""
        if values.get("state") not in (QUEUED, RUNNING):
            return values
        why = self._lost_because(job_id, values)
        if why is None:
            return values
        with self._admission():
            current = qs.decode(self.connection.hgetall(qs.job_key(job_id)))
            if current.get("state") not in (QUEUED, RUNNING):
                return current
            if why == "stopped" and current.get("cancel_requested"):
                fields = {"state": CANCELLED, "phase": "cancelled (stopped by the queue, nothing kept)"}
            else:
                fields = {"state": FAILED, "phase": "failed", "error": _LOST.format(why=why)}
            qs.write_end(self.connection, job_id, current, **fields)
        return {**current, **fields}

    def _lost_because(self, job_id: str, values: dict) -> str | None:
        from rq.exceptions import NoSuchJobError
        from rq.job import JobStatus

        age = qs.heartbeat_age(values)
        if values["state"] == RUNNING and age is not None and age > qs.HEARTBEAT_STALE_SECONDS:
            return f"no heartbeat for {age:.0f} s: killed, out of memory, or its machine is gone"
        try:
            status = self._rq_job(job_id).get_status()
        except NoSuchJobError:
            return "the queue lost the job"
        if status == JobStatus.STOPPED:
            return "stopped"
        if status in (JobStatus.FAILED, JobStatus.CANCELED):
            return "killed: out of memory?"
        return None

    def _force_stop(self, job_id: str) -> None:
        """After the grace period: a cancelled job still before its next batch is stopped by RQ."""
        from rq.command import send_stop_job_command
        from rq.exceptions import InvalidJobOperation, NoSuchJobError

        values = qs.decode(self.connection.hgetall(qs.job_key(job_id)))
        if values.get("state") == RUNNING and values.get("phase") == "stopping":
            with contextlib.suppress(InvalidJobOperation, NoSuchJobError):  # it ended meanwhile
                send_stop_job_command(self.connection, job_id, serializer=self.serializer)

    def _load_data(self):
        if self._data is None:
            self._data = admission.training_data(self._data_loader)
        return self._data


__all__ = ["CANCEL_GRACE_SECONDS", "DONE", "QueueExecutor"]
