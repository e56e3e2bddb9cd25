"""The job journal: one JSON file per job in ``<runs>/.jobs``, so a restart can tell what happened.

Finished jobs are listed again after a restart; a job that was queued or running when
the server stopped is reported as failed ("interrupted"), never silently forgotten.
Every entry is written atomically; a damaged entry is dropped.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

from core import atomic
from core.config import TrainConfig
from core.errors import LabError
from core.jobs.records import DONE, FAILED, FINISHED_STATES, JobRecord


class JobJournal:
    """The ``.jobs`` folder of a runs store.

    Args:
        folder: where the entries live (``<runs>/.jobs``).
        keep: finished jobs remembered across restarts (older entries are deleted).
    """

    def __init__(self, folder: Path, keep: int = 50):
        self.folder, self.keep = Path(folder), keep

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
