"""A job's state in Redis, shared by every app replica and training worker of one queue.

The replicas write a job when it is submitted or cancelled; the worker training it writes
its progress (one pipelined round trip per batch, which also reads the cancel flag) and
a heartbeat every :data:`HEARTBEAT_SECONDS`. Every key name and every encoding is here,
in one place. Values are JSON (never pickle); times are wall-clock seconds, because the
writer may be another host (monotonic clocks are per machine).

Keys, all under :data:`PREFIX`: ``job:<id>`` (a hash, one JSON value per field),
``job:<id>:batches`` and ``job:<id>:epochs`` (lists), ``jobs`` (a sorted set of job ids
by submission time), ``family:<run family>`` (the job training that config now, for
sharing and for "in use"), and ``admission`` (the lock the admission rules run under).
"""

from __future__ import annotations

import json
import time

from core.config import TrainConfig
from core.jobs.records import PACE_WINDOW, JobRecord

PREFIX = "imdb-lab:"
#: Seconds between a training worker's heartbeats.
HEARTBEAT_SECONDS = 2.0
#: A running job with no heartbeat for this long lost its worker (killed, out of memory, machine gone).
HEARTBEAT_STALE_SECONDS = 20.0
#: Finished jobs are listed this long, then Redis forgets them (their runs stay on disk).
FINISHED_TTL_SECONDS = 7 * 24 * 3600
#: Jobs the replicas list (newest first); older ones are only reachable by id.
LISTED_JOBS = 200

#: Record fields kept in the job hash (everything a snapshot needs but the histories).
_FIELDS = (
    "job_id", "config", "retrain", "keep_partial", "owner", "state", "phase", "epoch", "epochs", "batch",
    "batches_per_epoch", "samples_seen", "error", "run_id", "cached", "partial", "test_metrics",
    "train_seconds", "cancel_requested", "estimate_seconds", "scoring_seconds", "test_reviews", "client",
)  # fmt: skip
#: Record times, stored as wall-clock seconds and read back onto this machine's monotonic clock.
_TIMES = ("started", "train_started", "train_finished", "finished_at")


def job_key(job_id: str) -> str:
    return f"{PREFIX}job:{job_id}"


def batches_key(job_id: str) -> str:
    return f"{PREFIX}job:{job_id}:batches"


def epochs_key(job_id: str) -> str:
    return f"{PREFIX}job:{job_id}:epochs"


def family_key(family: str) -> str:
    return f"{PREFIX}family:{family}"


#: The RQ queue CPU workers serve, and the one for workers on GPU machines (configs cuDNN can run).
TRAIN_QUEUE = "imdb-lab-train"
GPU_QUEUE = "imdb-lab-train-gpu"
#: RQ's JSON serializer: job arguments are a job id, nothing is pickled.
SERIALIZER = "rq.serializers.JSONSerializer"
#: The one function a training worker runs (:class:`core.jobs.queue_worker.TrainingJob` refuses any other).
TRAIN_TASK = "core.jobs.queue_task.train"

JOBS_KEY = f"{PREFIX}jobs"
ADMISSION_LOCK = f"{PREFIX}admission"


def _to_wall(monotonic_time: float | None) -> float | None:
    return None if monotonic_time is None else time.time() - (time.monotonic() - monotonic_time)


def _to_monotonic(wall_time: float | None) -> float | None:
    return None if wall_time is None else time.monotonic() - (time.time() - wall_time)


def encode(job: JobRecord, **extra) -> dict[str, str]:
    """The hash fields of ``job`` (plus ``extra`` fields such as the worker or the data path)."""
    values = {name: getattr(job, name) for name in _FIELDS}
    values["config"] = job.config.to_dict()
    values["estimate_seconds"] = list(job.estimate_seconds) if job.estimate_seconds else None
    values.update({name: _to_wall(getattr(job, name)) for name in _TIMES})
    values.update(extra)
    return {name: json.dumps(value, allow_nan=True) for name, value in values.items()}


def decode(fields: dict) -> dict:
    """A job hash as Python values (field names and values may be bytes)."""
    text = {(k.decode() if isinstance(k, bytes) else k): v for k, v in fields.items()}
    return {name: json.loads(value) for name, value in text.items()}


def record_of(values: dict, batches: list[dict], epochs: list[dict]) -> JobRecord:
    """A :class:`JobRecord` (on this machine's clock) from decoded hash ``values`` and the histories."""
    job = JobRecord(
        values["job_id"],
        TrainConfig.from_dict(values["config"]),
        bool(values.get("retrain")),
        bool(values.get("keep_partial", True)),
        values.get("owner"),
    )
    for name in _FIELDS[5:]:
        if name in values and name != "config":
            setattr(job, name, values[name])
    if job.estimate_seconds is not None:
        job.estimate_seconds = tuple(job.estimate_seconds)
    for name in _TIMES:
        setattr(job, name, _to_monotonic(values.get(name)))
    job.batch_history = [{k: v for k, v in row.items() if k != "t"} for row in batches]
    job.batch_times = [_to_monotonic(row["t"]) for row in batches[-PACE_WINDOW:] if "t" in row]
    job.epoch_history = list(epochs)
    return job


def heartbeat_age(values: dict) -> float | None:
    """Seconds since the training worker's last heartbeat (None: it never sent one)."""
    beat = values.get("heartbeat")
    return None if beat is None else time.time() - beat


def encode_value(value) -> str:
    return json.dumps(value, allow_nan=True)


def decode_value(raw, default=None):
    """One hash value as Python (``default`` when the field is absent)."""
    return default if raw is None else json.loads(raw)


def encode_fields(**fields) -> dict[str, str]:
    """Hash fields given as Python values (times already wall-clock)."""
    return {name: encode_value(value) for name, value in fields.items()}


def admission_lock(connection):
    """The one lock every admission and state change of a job runs under, on every replica and worker."""
    return connection.lock(ADMISSION_LOCK, timeout=30, blocking_timeout=30)


def write_end(connection, job_id: str, values: dict, **fields) -> None:
    """(Under :func:`admission_lock`.) Write a job's final ``fields``; it no longer holds its run
    family, and Redis forgets it after :data:`FINISHED_TTL_SECONDS`."""
    pipe = connection.pipeline()
    pipe.hset(job_key(job_id), mapping=encode_fields(finished_at=time.time(), **fields))
    family = values.get("family")
    if family and connection.get(family_key(family)) == job_id.encode():
        pipe.delete(family_key(family))
    for key in (job_key(job_id), batches_key(job_id), epochs_key(job_id)):
        pipe.expire(key, FINISHED_TTL_SECONDS)
    pipe.execute()


def busy_families(connection) -> set[str]:
    """The run families a queued or running job of the queue trains (:func:`core.runs.manage.in_use`)."""
    prefix = family_key("")
    return {key.decode()[len(prefix) :] for key in connection.scan_iter(match=family_key("*"), count=500)}
