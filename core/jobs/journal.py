"""The job journal: one JSON file per job in ``<runs>/.jobs``, so a restart can tell what happened.

Finished jobs are listed again after a restart; a job that was queued or running when
the server stopped is reported as failed ("interrupted"), never silently forgotten.
Every entry is written atomically; a damaged entry is dropped. A job that trained to the end
records how long its user waited (:func:`wait_seconds`): what the Start page quotes. An entry also names the
process that wrote it (host and pid) and the run family its job writes to, so another
process (the command line deleting a run) can tell which runs a live job uses
(:meth:`JobJournal.busy_families`).

Several app replicas and workers, on one host or many, may share the runs folder: a
restart marks interrupted only the jobs whose writer is known to be gone (this host, pid
dead) or that nobody has touched for :data:`STALE_ENTRY_SECONDS`; another live writer's
jobs are its own to report.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

from core import atomic, processes
from core.config import TrainConfig
from core.errors import LabError
from core.jobs.records import DONE, FAILED, FINISHED_STATES, JobRecord
from core.runs.store import base_run_id

#: An unfinished entry unchanged this long is a gone writer's, even one whose pid cannot be checked (another
#: host) or was reused: an entry is rewritten when its job starts and ends, and a queue of a few jobs of at
#: most the time budget each (:func:`core.settings.time_budget_seconds`) drains within hours, not a day.
STALE_ENTRY_SECONDS = 24 * 3600


class JobJournal:
    """The ``.jobs`` folder of a runs store.

    Args:
        folder: where the entries live (``<runs>/.jobs``).
        keep: finished jobs remembered across restarts (older entries are deleted).
    """

    def __init__(self, folder: Path, keep: int = 50):
        self.folder, self.keep = Path(folder), keep

    @classmethod
    def of(cls, store) -> JobJournal:
        """The journal of a :class:`core.runs.store.RunStore`: ``<runs>/.jobs``."""
        return cls(store.root / ".jobs")

    def write(self, job: JobRecord) -> None:
        """Record a job's state on disk (a read-only runs folder must not stop training)."""
        entry = {
            "job_id": job.job_id,
            "state": job.state,
            "phase": job.phase,
            "config": job.config.to_dict(),
            "owner": job.owner,
            "run_id": job.run_id,
            "error": job.error,
            "cached": job.cached,
            "test_metrics": job.test_metrics,
            "train_seconds": job.train_seconds,
            "wait_seconds": wait_seconds(job),
            "written": time.time(),
            "host": processes.host_id(),
            "pid": os.getpid(),
            "family": job_family(job),
        }
        with contextlib.suppress(OSError, ValueError):
            atomic.write_json(self.folder / f"{job.job_id}.json", entry, allow_nan=True)

    def recover(self, history_of) -> list[JobRecord]:
        """The jobs from before a restart, oldest first; unfinished ones whose writer is gone are marked failed.

        Another live process's unfinished jobs (a replica on this or another host) are left
        as they are and not listed: that process runs them and reports them.
        ``history_of(run_id)`` reads a done job's stored history (its curves on the Train page).
        """
        jobs = []
        for entry in self._entries():
            if _running_elsewhere(entry):
                continue
            try:
                job = JobRecord(
                    entry["job_id"], TrainConfig.from_dict(entry["config"]), False, True, entry.get("owner")
                )
            except (KeyError, LabError, TypeError):
                continue
            job.state, job.phase, job.run_id = entry["state"], entry.get("phase", ""), entry.get("run_id")
            job.error, job.cached = entry.get("error"), bool(entry.get("cached"))
            job.test_metrics, job.train_seconds = entry.get("test_metrics"), entry.get("train_seconds")
            if job.state not in FINISHED_STATES:
                job.state, job.phase = FAILED, "interrupted"
                job.error = (
                    f"Interrupted: the server stopped while this job was {entry['state']}. "
                    f"Start it again; every saved run is intact."
                )
                self.write(job)
            if job.run_id and job.state == DONE:
                with contextlib.suppress(Exception):
                    history = history_of(job.run_id)
                    job.batch_history, job.epoch_history = history["batches"], history["epochs"]
            job.started = job.finished_at = time.monotonic()
            jobs.append(job)
        return jobs

    def measured_waits(self) -> list[tuple[TrainConfig, float, float]]:
        """``(config, wait seconds, training seconds)`` of the jobs this host trained to the end (:func:`wait_seconds`)."""
        waits = []
        for entry in self._read_entries():
            wait, train = entry.get("wait_seconds"), entry.get("train_seconds")
            if entry.get("host") != processes.host_id() or not isinstance(wait, (int, float)):
                continue
            with contextlib.suppress(LabError, TypeError, KeyError):
                waits.append((TrainConfig.from_dict(entry["config"]), float(wait), float(train or 0.0)))
        return waits

    def busy_families(self) -> set[str]:
        """The run families (:func:`core.runs.manage.family`) of queued and running jobs of *other* live processes.

        This process's own jobs are its job manager's to report (it knows them first). An
        entry whose writer is gone (a killed server or CLI) does not count: its job is not
        running, whatever it says (the next start marks it interrupted). Another host's
        counts until it is stale: whether its writer lives cannot be known from here.
        """
        return {entry["family"] for entry in self._read_entries() if entry.get("family") and _running_elsewhere(entry)}

    def _read_entries(self) -> list[dict]:
        entries = []
        for path in self.folder.glob("job-*.json") if self.folder.is_dir() else ():
            with contextlib.suppress(OSError, ValueError):
                entries.append(json.loads(path.read_text("utf-8")))
        return [entry for entry in entries if isinstance(entry, dict)]

    def _entries(self) -> list[dict]:
        """The readable entries, oldest first; damaged ones, and finished or gone ones beyond ``keep``, are deleted.

        An unfinished entry of another live process is never deleted, however old the rest.
        """
        if not self.folder.is_dir():
            return []
        atomic.sweep_temp_files(self.folder)
        entries = []
        for path in self.folder.glob("job-*.json"):
            try:
                entry = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError):
                entry = None
            if isinstance(entry, dict):
                entries.append((path, entry))
                continue
            with contextlib.suppress(OSError):
                path.unlink()
        entries.sort(key=lambda item: _written(item[1]))
        prunable = [path for path, entry in entries if not _running_elsewhere(entry)]
        doomed = set(prunable[: max(0, len(prunable) - self.keep)])
        for path in doomed:
            with contextlib.suppress(OSError):
                path.unlink()
        return [entry for path, entry in entries if path not in doomed]


def _written(entry: dict) -> float:
    written = entry.get("written")
    return float(written) if isinstance(written, (int, float)) else 0.0


def _running_elsewhere(entry: dict) -> bool:
    """Whether another process may still run ``entry``'s job: unfinished, its writer not known gone, not stale.

    An entry of this very process (pid and host) is an earlier job manager's here, or an
    earlier process's that had this pid (a restarted container): gone either way. One
    from before hosts were kept is this host's.
    """
    if entry.get("state") in FINISHED_STATES:
        return False
    host, pid = entry.get("host") or processes.host_id(), entry.get("pid")
    if not isinstance(pid, int) or (host == processes.host_id() and pid == os.getpid()):
        return False
    if time.time() - _written(entry) > STALE_ENTRY_SECONDS:
        return False
    return processes.writer_alive(host, pid) is not False


def wait_seconds(job: JobRecord) -> float | None:
    """What a user waited for a job that trained to the end: from its start (the queue's wait not counted) to its
    stored run: starting the training process, training, scoring, saving. None for any other job."""
    if job.state != DONE or job.cached or job.started is None or job.finished_at is None:
        return None
    return job.finished_at - job.started


def job_family(job: JobRecord) -> str | None:
    """The run family ``job`` writes to (its config on its data), while it still has its data."""
    fingerprint = getattr(job.data, "fingerprint", None)
    return base_run_id(job.config, fingerprint) if fingerprint else None
