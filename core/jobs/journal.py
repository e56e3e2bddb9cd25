"""The job journal: one JSON file per job in ``<runs>/.jobs``, so a restart can tell what happened.

Finished jobs are listed again after a restart; a job that was queued or running when
the server stopped is reported as failed ("interrupted"), never silently forgotten.
Every entry is written atomically; a damaged entry is dropped. An entry also names the
process that wrote it and the run family its job writes to, so another process (the
command line deleting a run) can tell which runs a live job uses (:meth:`JobJournal.busy_families`).
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
            "written": time.time(),
            "pid": os.getpid(),
            "family": job_family(job),
        }
        with contextlib.suppress(OSError, ValueError):
            atomic.write_json(self.folder / f"{job.job_id}.json", entry, allow_nan=True)

    def recover(self, history_of) -> list[JobRecord]:
        """The jobs from before a restart, oldest first; unfinished ones are marked failed and rewritten.

        ``history_of(run_id)`` reads a done job's stored history (its curves on the Train page).
        """
        jobs = []
        for entry in self._entries():
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

    def busy_families(self) -> set[str]:
        """The run families (:func:`core.runs.manage.family`) of queued and running jobs of *other* live processes.

        This process's own jobs are its job manager's to report (it knows them first). An
        entry whose writer is gone (a killed server or CLI) does not count: its job is not
        running, whatever it says (the next start marks it interrupted).
        """
        busy = set()
        for entry in self._read_entries():
            pid, family = entry.get("pid"), entry.get("family")
            unfinished = entry.get("state") not in FINISHED_STATES and family
            if unfinished and isinstance(pid, int) and pid != os.getpid() and processes.pid_alive(pid):
                busy.add(family)
        return busy

    def _read_entries(self) -> list[dict]:
        entries = []
        for path in self.folder.glob("job-*.json") if self.folder.is_dir() else ():
            with contextlib.suppress(OSError, ValueError):
                entries.append(json.loads(path.read_text("utf-8")))
        return [entry for entry in entries if isinstance(entry, dict)]

    def _entries(self) -> list[dict]:
        """The newest ``keep`` readable entries, oldest first; older and damaged ones are deleted."""
        if not self.folder.is_dir():
            return []
        atomic.sweep_temp_files(self.folder)
        entries = []
        for path in self.folder.glob("job-*.json"):
            try:
                entries.append((path, json.loads(path.read_text("utf-8"))))
            except (OSError, ValueError):
                with contextlib.suppress(OSError):
                    path.unlink()
        entries.sort(key=lambda item: item[1].get("written", 0))
        for path, _ in entries[: -self.keep]:
            with contextlib.suppress(OSError):
                path.unlink()
        return [entry for _, entry in entries[-self.keep :]]


def job_family(job: JobRecord) -> str | None:
    """The run family ``job`` writes to (its config on its data), while it still has its data."""
    fingerprint = getattr(job.data, "fingerprint", None)
    return base_run_id(job.config, fingerprint) if fingerprint else None
