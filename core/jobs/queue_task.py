"""What an RQ worker runs for one training job: :func:`train`, a plain function of the job id.

RQ spawns one work horse per job (:mod:`core.jobs.queue_worker`), so a crash or an
out-of-memory kill fails only that job. The horse claims the job in Redis (a job
cancelled meanwhile is skipped), lowers its priority, loads the dataset from the
shared data path and the corpus cache, trains, saves the run in its own runs store
(``$IMDB_LAB_RUNS``, the volume every replica mounts) and writes the outcome, all
through :mod:`core.jobs.queue_state`. A heartbeat thread tells the replicas it is alive.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
import traceback

from core import processes
from core.errors import LabError
from core.jobs import queue_state as qs
from core.jobs.records import FAILED, QUEUED, RUNNING, SCORING_PHASES, apply_outcome
from core.model.progress import Reporter

#: Test seam: ``module:function`` of a trainer to use instead of :func:`core.model.training.train`.
TRAINER_ENV = "IMDB_LAB_TRAINER"


class RedisReporter(Reporter):
    """Writes progress into the job's Redis hash; reads the cancel flag after every batch."""

    def __init__(self, connection, job_id: str):
        self.connection, self.job_id, self.key = connection, job_id, qs.job_key(job_id)
        self.steps, self.keep_partial = 0, True
        self._train_finished = False

    def _set(self, **fields) -> None:
        self.connection.hset(self.key, mapping=qs.encode_fields(**fields))

    def phase(self, name):
        fields = {"phase": name}
        if name in SCORING_PHASES and not self._train_finished:
            self._train_finished = True
            fields["train_finished"] = time.time()
        self._set(**fields)

    def started(self, epochs, batches_per_epoch, train_samples):
        self._set(epochs=epochs, batches_per_epoch=batches_per_epoch, train_started=time.time())

    def batch(self, epoch, batch, loss, accuracy, samples):
        self.steps += 1
        row = {"step": self.steps, "epoch": epoch, "batch": batch, "loss": loss, "accuracy": accuracy, "t": time.time()}
        pipe = self.connection.pipeline(transaction=False)
        pipe.hset(self.key, mapping=qs.encode_fields(epoch=epoch, batch=batch, samples_seen=samples))
        pipe.rpush(qs.batches_key(self.job_id), qs.encode_value(row))
        pipe.execute()

    def epoch(self, epoch, logs):
        self.connection.rpush(qs.epochs_key(self.job_id), qs.encode_value(dict(logs)))

    def should_stop(self):
        cancel, keep = self.connection.hmget(self.key, ["cancel_requested", "keep_partial"])
        self.keep_partial = qs.decode_value(keep, True)
        return bool(qs.decode_value(cancel, False))

    def wants_partial(self):
        return self.keep_partial


def train(job_id: str) -> dict:
    """Train job ``job_id`` (RQ calls this in a fresh work horse); the outcome, also written to Redis."""
    from rq import get_current_job

    connection = get_current_job().connection
    values = _claim(connection, job_id)
    if values is None:  # cancelled (or finished) before a worker took it
        return {"skipped": True}
    beat = _Heartbeat(connection, job_id)
    beat.start()
    try:
        outcome = _train_and_store(connection, job_id, values)
        record = qs.record_of(values, [], [])
        apply_outcome(record, outcome)
        fields = {k: getattr(record, k) for k in ("state", "phase", "error", "run_id", "partial")}
        _end(connection, job_id, values, test_metrics=outcome["test_metrics"],
             train_seconds=outcome["train_seconds"], **fields)  # fmt: skip
        _apply_retention(connection)
        return outcome
    except LabError as error:
        _end(connection, job_id, values, state=FAILED, phase="failed", error=str(error))
        return {"error": str(error)}
    except Exception as error:
        traceback.print_exc()
        _end(connection, job_id, values, state=FAILED, phase="failed", error=f"{type(error).__name__}: {error}")
        raise
    finally:
        beat.stop()


def _end(connection, job_id: str, values: dict, **fields) -> None:
    with qs.admission_lock(connection):
        qs.write_end(connection, job_id, values, **fields)


def _apply_retention(connection) -> list[str]:
    """The retention rule of this worker's settings (:class:`core.runs.manage.Retention`), after each job."""
    from core.jobs.journal import JobJournal
    from core.runs import manage
    from core.runs.store import RunStore

    retention, store = manage.Retention.from_settings(), RunStore()

    def busy() -> set[str]:
        return qs.busy_families(connection) | JobJournal.of(store).busy_families()

    def delete_run(run_id: str):
        with qs.admission_lock(connection):  # no job is admitted for this run meanwhile
            return manage.delete(store, run_id, busy())

    try:
        return manage.apply_retention(retention, store, busy() if retention.active else set(), delete_run)
    except Exception:  # retention must never fail a trained job
        traceback.print_exc()
        return []


def _claim(connection, job_id: str) -> dict | None:
    """Mark the job running on this worker, unless it was cancelled meanwhile; its decoded values."""
    with qs.admission_lock(connection):
        values = qs.decode(connection.hgetall(qs.job_key(job_id)))
        if values.get("state") != QUEUED:
            return None
        fields = {"state": RUNNING, "phase": "loading data", "started": time.time(), "heartbeat": time.time(),
                  "worker": {"host": processes.host_id(), "pid": os.getpid()}}  # fmt: skip
        connection.hset(qs.job_key(job_id), mapping=qs.encode_fields(**fields))
    return {**values, **fields}


def _train_and_store(connection, job_id: str, values: dict) -> dict:
    processes.lower_priority()
    from core.backend import import_keras

    import_keras()  # quietly, before anything else loads TensorFlow
    from core.config import TrainConfig
    from core.runs.store import RunStore, store_outcome

    reporter = RedisReporter(connection, job_id)
    from core.data import glassbox

    config = TrainConfig.from_dict(values["config"])
    data = glassbox.data_for(config, lambda: _dataset(values))  # the glass-box task: generated here too
    result = _trainer()(config, data, reporter)
    return store_outcome(
        RunStore(),
        result,
        config,
        data,
        keep_partial=reporter.wants_partial(),
        before_save=lambda: reporter.phase("saving"),
        owner=values.get("owner"),
    )


def _dataset(values: dict):
    """The dataset the replica chose, from the same path on this worker (or this worker's ``$IMDB_DATA``)."""
    from core import settings
    from core.data.dataset import load_dataset

    path = values.get("data_path")
    if not path or not os.path.exists(path):
        path = settings.data_path_from_env()
    if path is None:
        raise LabError(
            f"This training worker cannot find the dataset at {values.get('data_path')}. Mount it at the "
            f"same path as on the app servers, or set {settings.DATA_ENV} on the worker."
        )
    data = load_dataset(path, allow_download=False)
    if data.fingerprint != values.get("data_fingerprint"):
        raise LabError(
            f"The dataset this worker reads ({path}) is not the one the app chose (its fingerprint differs). "
            f"Give the worker the same data."
        )
    return data


def _trainer():
    name = os.environ.get(TRAINER_ENV)
    if not name:
        from core.model.training import train as real_train

        return real_train
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)


class _Heartbeat:
    """Writes ``heartbeat`` into the job's hash every :data:`~core.jobs.queue_state.HEARTBEAT_SECONDS`."""

    def __init__(self, connection, job_id: str):
        self.connection, self.key = connection, qs.job_key(job_id)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _beat(self) -> None:
        while not self._stop.wait(qs.HEARTBEAT_SECONDS):
            try:
                self.connection.hset(self.key, "heartbeat", qs.encode_value(time.time()))
            except Exception:  # Redis away for a moment: the next beat tries again
                continue
