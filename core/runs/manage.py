"""Managing stored runs: a nickname and tags, deleting one, and the retention rule of a shared server.

A run's folder name is its id, derived from its config and data (the cache key), so a
rename gives it a *nickname*, kept with its tags in the run's ``labels.json`` (replaced
atomically; the model is never rewritten). A delete renames the folder away in one
step, then removes it (:func:`core.atomic.remove_folder`): readers see the run whole or
absent.

**In use.** A run is in use while a queued or running job trains its config on its data
(the same :func:`family`, i.e. :func:`core.runs.store.base_run_id`): that job reads the
family's stored runs to number its own (``-r2``, ``-partial-2``) and the Train page
compares it with them. The job manager and the job journal (for jobs of other
processes, such as a ``python -m core train``) say which families are busy; this stage
only takes them as a set of ids. A model the prediction process already loaded is not
"in use": it keeps answering from memory, and the pages stop offering the run.

**Retention** (:class:`Retention`, from ``IMDB_LAB_KEEP_RUNS_PER_OWNER`` and
``IMDB_LAB_KEEP_RUN_DAYS``; unset: keep everything). A run is kept when it is among the
newest N runs of its owner (the browser session that trained it), *or* younger than D
days, *or* in use, *or* the best run (the app's default model). Runs without an owner
(trained from the command line, or saved before owners were recorded) are only subject
to the age rule: they are usually a teacher's prepared runs.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass

from core import atomic, settings
from core.access import Actor
from core.errors import LabError, RunError
from core.runs.store import LABELS_FILE, RunInfo, RunStore, base_run_id, best_run

MAX_NICKNAME = 60
MAX_TAG = 32
MAX_TAGS = 20


def family(run: RunInfo) -> str:
    """The id every run of this config and data starts with: what a job of that config will write next to."""
    return base_run_id(run.config, run.data_fingerprint)


def in_use(run: RunInfo, busy_families: Collection[str]) -> bool:
    """Whether a queued or running job trains ``run``'s config on its data (see the module docstring)."""
    return family(run) in busy_families


def may_delete(run: RunInfo, actor: Actor) -> bool:
    """Whether ``actor`` may delete or relabel ``run`` in the app: the session that trained it, or the teacher.

    Runs without an owner (command line, older runs) only the teacher or the command line may delete.
    """
    return actor.may_act_on(run.owner)


def _clean(text: str, limit: int, what: str) -> str:
    text = " ".join(str(text).split())
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise RunError(f"A {what} cannot contain control characters.")
    if len(text) > limit:
        raise RunError(f"A {what} has at most {limit} characters ({len(text)} given).")
    return text


def _write_labels(store: RunStore, run: RunInfo, nickname: str | None, tags: tuple[str, ...]) -> RunInfo:
    atomic.write_json(run.path / LABELS_FILE, {"nickname": nickname, "tags": list(tags)})
    return store.get(run.run_id)


def rename(store: RunStore, run_id: str, nickname: str) -> RunInfo:
    """Give run ``run_id`` a nickname (an empty one removes it); its id and folder stay. The updated run."""
    run = store.get(run_id)
    return _write_labels(store, run, _clean(nickname, MAX_NICKNAME, "nickname") or None, run.tags)


def tag(store: RunStore, run_id: str, tags: Collection[str], *, remove: bool = False) -> RunInfo:
    """Add ``tags`` to run ``run_id`` (or ``remove`` them); tags are lowercased, kept in order. The updated run."""
    run = store.get(run_id)
    given = [_clean(t, MAX_TAG, "tag").lower() for t in tags]
    if not all(given):
        raise RunError("A tag cannot be empty.")
    kept = tuple(t for t in run.tags if t not in given) if remove else tuple(dict.fromkeys([*run.tags, *given]))
    if len(kept) > MAX_TAGS:
        raise RunError(f"A run has at most {MAX_TAGS} tags; remove some first.")
    return _write_labels(store, run, run.nickname, kept)


def delete(store: RunStore, run_id: str, busy_families: Collection[str] = ()) -> RunInfo:
    """Delete run ``run_id`` atomically; :class:`RunError` if it is missing or in use. The deleted run's info.

    Call it under the job manager's lock (:meth:`core.jobs.manager.JobManager.delete_run`)
    so that no job starts between the check and the delete.
    """
    run = store.get(run_id)
    if in_use(run, busy_families):
        raise RunError(
            f"Run {run_id} is in use: a job is training the same config on the same data. "
            f"Delete it once that job has finished (or cancel the job)."
        )
    try:
        atomic.remove_folder(run.path)
    except FileNotFoundError:
        raise RunError(f"No run {run_id} in {store.root} (already deleted?).") from None
    except OSError as error:
        raise RunError(f"Could not delete run {run_id}: {error.strerror or error}.") from None
    return run


def apply_retention(retention, store: RunStore, busy_families: Collection[str], delete_run) -> list[str]:
    """Delete the runs ``retention`` drops, never one in use; the deleted run ids.

    ``delete_run(run_id)`` is the executor's, which checks "in use" again under the lock
    that admits jobs (a run that became busy or vanished since is skipped).
    """
    if not retention.active:
        return []
    deleted = []
    for run in retention.victims(store.list(), busy_families):
        try:
            delete_run(run.run_id)
        except LabError:  # in use since, or gone
            continue
        deleted.append(run.run_id)
    return deleted


@dataclass(frozen=True)
class Retention:
    """Which runs a shared server keeps (see the module docstring).

    Args:
        keep_per_owner: the newest runs kept per owner (None: no limit).
        keep_days: runs younger than this many days are kept (None: no limit).

    Example::

        Retention(keep_per_owner=3).victims(store.list(), busy_families=set())

    :func:`apply_retention` deletes the victims: the local job manager's at start-up and after each
    job, each training worker's after each of its jobs (:mod:`core.jobs.queue_task`).
    """

    keep_per_owner: int | None = None
    keep_days: float | None = None

    @classmethod
    def from_settings(cls) -> Retention:
        return cls(settings.keep_runs_per_owner(), settings.keep_run_days())

    @property
    def active(self) -> bool:
        return self.keep_per_owner is not None or self.keep_days is not None

    def victims(self, runs: list[RunInfo], busy_families: Collection[str] = (), now: float | None = None) -> list:
        """The runs of ``runs`` this rule deletes, oldest first."""
        if not self.active:
            return []
        now = time.time() if now is None else now
        best = best_run(runs)
        newer_of_owner: dict[str, int] = {}
        doomed = []
        for run in sorted(runs, key=lambda r: r.created, reverse=True):
            # Each rule that applies says "drop"; a run goes only when every one of them does.
            drops = []
            if self.keep_per_owner is not None and run.owner is not None:
                newer_of_owner[run.owner] = newer_of_owner.get(run.owner, 0) + 1
                drops.append(newer_of_owner[run.owner] > self.keep_per_owner)
            if self.keep_days is not None:
                drops.append(now - run.created >= self.keep_days * 86400)
            protected = (best is not None and run.run_id == best.run_id) or in_use(run, busy_families)
            if drops and all(drops) and not protected:
                doomed.append(run)
        return doomed[::-1]
