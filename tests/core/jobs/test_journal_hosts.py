"""The job journal on a runs folder shared by several replicas: a restart marks interrupted only the jobs whose
writer is gone, other replicas' live jobs stay theirs (and busy), and pruning never deletes them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from core import processes
from core.jobs.journal import STALE_ENTRY_SECONDS, JobJournal, job_family
from core.jobs.manager import DONE, FAILED, QUEUED, RUNNING, JobManager
from core.jobs.records import JobRecord
from core.runs.store import RunStore
from tests.conftest import REPO, TINY
from tests.core.runs import fake_runs

GONE_PID = 2**22 + 12345  # beyond Linux's pid_max: a process that cannot be alive here


@pytest.fixture
def journal(tmp_path, monkeypatch) -> JobJournal:
    monkeypatch.setenv(processes.HOST_ID_ENV, "replica-a")
    return JobJournal.of(RunStore(tmp_path / "runs"))


def _entry(journal, job_id, *, state=RUNNING, host="replica-a", pid=GONE_PID, age_seconds=0.0, units=8):
    """A journal entry as ``host``'s process ``pid`` left it, last written ``age_seconds`` ago."""
    job = JobRecord(job_id, TINY.replace(units=units), False, True, "session-a", state=state)
    job.data = fake_runs.fake_data()
    journal.write(job)
    path = journal.folder / f"{job_id}.json"
    entry = json.loads(path.read_text())
    entry.update(pid=pid, written=time.time() - age_seconds)
    if host is None:
        del entry["host"]  # written before hosts were kept
    else:
        entry["host"] = host
    path.write_text(json.dumps(entry))
    return path


def _state(path) -> str:
    return json.loads(path.read_text())["state"]


def test_entries_name_their_host_and_pid(journal):
    job = JobRecord("job-mine", TINY, False, True, None)
    journal.write(job)
    entry = json.loads((journal.folder / "job-mine.json").read_text())
    assert (entry["host"], entry["pid"]) == ("replica-a", os.getpid())


def test_recover_marks_only_gone_writers_jobs_interrupted(journal):
    dead_here = _entry(journal, "job-dead-here")
    legacy = _entry(journal, "job-legacy", host=None)
    mine = _entry(journal, "job-earlier-manager", pid=os.getpid())  # this pid: an earlier manager or process
    other_host = _entry(journal, "job-other-host", host="replica-b", pid=GONE_PID)
    stale = _entry(journal, "job-stale", host="replica-b", age_seconds=STALE_ENTRY_SECONDS + 60)
    live_here = _entry(journal, "job-live-here", pid=os.getppid())  # another live process on this host
    recovered = {job.job_id: job for job in journal.recover(lambda run_id: {})}
    gone = {"job-dead-here", "job-legacy", "job-earlier-manager", "job-stale"}
    assert set(recovered) == gone
    assert all(job.state == FAILED and "Interrupted" in job.error for job in recovered.values())
    assert [_state(p) for p in (dead_here, legacy, mine, stale)] == [FAILED] * 4
    assert _state(other_host) == RUNNING and _state(live_here) == RUNNING  # theirs, untouched


def test_busy_families_count_other_hosts_until_stale(journal):
    family = job_family(JobRecord("x", TINY, False, True, None, data=fake_runs.fake_data()))
    _entry(journal, "job-other-host", host="replica-b", pid=GONE_PID)
    assert journal.busy_families() == {family}  # its pid means nothing here: it may well be running
    _entry(journal, "job-other-host", host="replica-b", age_seconds=STALE_ENTRY_SECONDS + 60)
    assert journal.busy_families() == set()
    _entry(journal, "job-other-host", pid=os.getppid())
    assert journal.busy_families() == {family}
    for pid in (GONE_PID, os.getpid()):  # a dead one, and this process's own (its manager reports it)
        _entry(journal, "job-other-host", pid=pid)
        assert journal.busy_families() == set()


def test_pruning_never_deletes_a_live_writers_unfinished_entry(tmp_path, monkeypatch):
    monkeypatch.setenv(processes.HOST_ID_ENV, "replica-a")
    journal = JobJournal(tmp_path / "runs" / ".jobs", keep=2)
    theirs = _entry(journal, "job-theirs", host="replica-b", age_seconds=3600)  # the oldest of all
    dead = _entry(journal, "job-dead", age_seconds=3000)
    finished = [_entry(journal, f"job-done-{i}", state=DONE, age_seconds=2000 - i) for i in range(4)]
    recovered = [job.job_id for job in journal.recover(lambda run_id: {})]
    assert recovered == ["job-done-2", "job-done-3"]
    assert theirs.exists() and _state(theirs) == RUNNING
    assert not dead.exists() and [p.exists() for p in finished] == [False, False, True, True]


def test_journal_temp_files_of_another_host_survive_a_restart(journal):
    journal.folder.mkdir(parents=True)
    theirs = journal.folder / f"job-1.json.tmp-1234abcd{processes.writer_mark('replica-b', 4242)}.json"
    dead = journal.folder / f"job-2.json.tmp-1234abcd{processes.writer_mark('replica-a', GONE_PID)}.json"
    for path in (theirs, dead):
        path.write_text("{}")
    journal.recover(lambda run_id: {})
    assert theirs.exists() and not dead.exists()


#: Replica A, in its own process: one job that trains until the test closes its stdin, its id printed once running.
REPLICA_A = """
import os, sys, threading, time
from core.jobs.manager import RUNNING, JobManager
from tests.conftest import REPO, TINY
from tests.core.runs import fake_runs

data, release = fake_runs.fake_data(), threading.Event()
manager = JobManager(runs_dir=sys.argv[1], trainer=lambda *_: release.wait(120), data_loader=lambda: data)
job = manager.submit(TINY, retrain=True, owner="session-a")
while manager.snapshot(job).state != RUNNING:
    time.sleep(0.01)
print(job, flush=True)
sys.stdin.read()
os._exit(0)
"""


def test_a_second_replica_leaves_the_first_ones_running_job_alone(tmp_path, monkeypatch):
    """Two app replicas on one runs folder, on two hosts: B's start-up neither fails nor lists A's running job."""
    runs = tmp_path / "runs"
    env = {**os.environ, processes.HOST_ID_ENV: "replica-a", "PYTHONPATH": str(REPO)}
    replica_a = subprocess.Popen(
        [sys.executable, "-c", REPLICA_A, str(runs)], cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        job = replica_a.stdout.readline().decode().strip()
        assert job.startswith("job-"), "replica A did not start its job"
        monkeypatch.setenv(processes.HOST_ID_ENV, "replica-b")
        replica_b = JobManager(runs_dir=runs, data_loader=fake_runs.fake_data)
        try:
            assert job not in {snap.job_id for snap in replica_b.jobs()}
            assert replica_b.busy_families() == {
                job_family(JobRecord("x", TINY, False, True, None, data=fake_runs.fake_data()))
            }
        finally:
            replica_b.shutdown()
        entry = runs / ".jobs" / f"{job}.json"
        assert _state(entry) in (QUEUED, RUNNING)  # untouched (A may not have written "running" yet)
    finally:
        replica_a.stdin.close()
        replica_a.wait(30)
    monkeypatch.setenv(processes.HOST_ID_ENV, "replica-a")  # A restarts on its host: its job is known gone now
    assert [job.job_id for job in JobJournal.of(RunStore(runs)).recover(lambda run_id: {})] == [job]
    assert _state(entry) == FAILED
