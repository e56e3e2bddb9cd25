"""A runs folder shared by several hosts: temporary names name their writer, sweeps spare other hosts' saves,
and two workers storing the same config at once both keep their run."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from core import atomic, processes
from core.errors import RunError
from core.runs.store import RunStore, base_run_id
from tests.conftest import TINY
from tests.core.runs import fake_runs

GONE_PID = 2**22 + 12345  # beyond Linux's pid_max: a process that cannot be alive here


@pytest.fixture
def store(tmp_path) -> RunStore:
    return RunStore(tmp_path / "runs")


def _temp_folder(root, host: str, pid: int, *, age_seconds: float = 0.0):
    """A temporary run folder as ``host``'s process ``pid`` leaves it mid-save, last touched ``age_seconds`` ago."""
    folder = root / f"{atomic.TEMP_MARK}run-abc-1234abcd{processes.writer_mark(host, pid)}"
    folder.mkdir(parents=True)
    (folder / "model.keras").write_bytes(b"half")
    if age_seconds:
        then = time.time() - age_seconds
        os.utime(folder, (then, then))
    return folder


def test_host_id_is_sanitized_and_overridable(monkeypatch):
    monkeypatch.setenv(processes.HOST_ID_ENV, "Web_Replica-2.Cluster.local")
    assert processes.host_id() == "web-replica-2.cluster.local"
    monkeypatch.setenv(processes.HOST_ID_ENV, "  ")
    assert processes.host_id()  # the hostname, never empty
    assert set(processes.host_id()) <= set("abcdefghijklmnopqrstuvwxyz0123456789.-")


def test_writer_marks_parse_back_with_hyphens_in_names_and_hosts(monkeypatch):
    monkeypatch.setenv(processes.HOST_ID_ENV, "node-7-a")
    for folder in (True, False):
        temp = atomic.temp_beside(Path("/x/tutorial-v1-0123456789-r2.json"), folder=folder)
        assert atomic.TEMP_MARK in temp.name
        assert atomic.temp_writer(temp.name) == ("node-7-a", os.getpid())
    assert atomic.temp_beside(Path("/x/a.npz")).suffix == ".npz"  # numpy keeps the name it is given
    assert atomic.temp_writer(".tmp-half-written-999999-abc") == ("node-7-a", 999999)  # before marks: this host
    assert atomic.temp_writer("job-1.json.tmp-1234abcd.json") == ("node-7-a", None)
    assert processes.writer_alive("node-7-a", os.getpid()) is True
    assert processes.writer_alive("node-7-a", GONE_PID) is False
    assert processes.writer_alive("other-host", os.getpid()) is None  # another host's pid: unknown here


def test_sweep_spares_another_hosts_save_in_progress(store, monkeypatch):
    monkeypatch.setenv(processes.HOST_ID_ENV, "replica-a")
    theirs = _temp_folder(store.root, "replica-b", GONE_PID)  # no such pid here: means nothing for replica-b
    stale = _temp_folder(store.root, "replica-c", GONE_PID, age_seconds=atomic.STALE_TEMP_SECONDS + 60)
    dead = _temp_folder(store.root, "replica-a", GONE_PID)
    live = _temp_folder(store.root, "replica-a", os.getpid())
    legacy = store.root / f"{atomic.TEMP_MARK}half-written-{GONE_PID}-abc"
    legacy.mkdir()
    assert sorted(store.sweep()) == sorted(p.name for p in (stale, dead, legacy))
    assert theirs.is_dir() and live.is_dir()
    monkeypatch.setenv(processes.HOST_ID_ENV, "replica-b")  # replica-b's own start-up sweep knows its pid is gone
    assert store.sweep() == [theirs.name]
    assert live.is_dir()  # replica-a's, alive as far as replica-b can tell


def test_temp_file_sweep_spares_other_writers(tmp_path, monkeypatch):
    monkeypatch.setenv(processes.HOST_ID_ENV, "replica-a")
    folder = tmp_path / ".jobs"
    folder.mkdir()
    name = "job-1.json.tmp-1234abcd"
    theirs = folder / f"{name}{processes.writer_mark('replica-b', 4242)}.json"
    mine_live = folder / f"{name}{processes.writer_mark()}.json"
    mine_dead = folder / f"{name}{processes.writer_mark('replica-a', GONE_PID)}.json"
    stale = folder / f"{name}{processes.writer_mark('replica-b', 4343)}.json"
    legacy = folder / "job-2.json.tmp-1234abcd.json"
    for path in (theirs, mine_live, mine_dead, stale, legacy):
        path.write_text("{}")
    old = time.time() - atomic.STALE_TEMP_SECONDS - 60
    os.utime(stale, (old, old))
    assert sorted(atomic.sweep_temp_files(folder)) == sorted([mine_dead, stale, legacy])
    assert theirs.exists() and mine_live.exists()


def test_a_deleted_run_leaves_a_marked_folder_that_other_hosts_spare(store, monkeypatch):
    monkeypatch.setenv(processes.HOST_ID_ENV, "replica-a")
    run = fake_runs.save_fake_run(store)
    renamed = []
    real_rmtree = atomic.shutil.rmtree
    monkeypatch.setattr(atomic.shutil, "rmtree", lambda path, **kw: renamed.append(path))  # killed mid-delete
    atomic.remove_folder(run.path)
    monkeypatch.setattr(atomic.shutil, "rmtree", real_rmtree)
    (doomed,) = renamed
    assert not run.path.exists() and atomic.temp_writer(doomed.name) == ("replica-a", os.getpid())
    assert time.time() - doomed.stat().st_mtime < 60  # a months-old run is not a stale leftover
    monkeypatch.setenv(processes.HOST_ID_ENV, "replica-b")
    assert store.sweep() == [] and doomed.is_dir()


def test_two_workers_saving_the_same_config_both_keep_their_run(store, monkeypatch):
    """Both choose ``<base>`` before either has renamed its folder into place: the second takes ``-r2``."""
    both_written = threading.Barrier(2, timeout=30)
    waited = set()
    real_write = RunStore._write_run_files

    def write_then_wait(folder, *args, **kwargs):
        real_write(folder, *args, **kwargs)
        if threading.get_ident() not in waited:  # only the first attempt: the retry runs alone
            waited.add(threading.get_ident())
            both_written.wait()

    monkeypatch.setattr(RunStore, "_write_run_files", staticmethod(write_then_wait))
    saved, errors = [], []

    def worker(accuracy):
        try:
            saved.append(store.save(fake_runs.fake_result(accuracy), TINY, fake_runs.fake_data()))
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(accuracy,)) for accuracy in (0.7, 0.9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    base = base_run_id(TINY, fake_runs.FINGERPRINT)
    assert errors == []
    assert sorted(run.run_id for run in saved) == [base, f"{base}-r2"]
    assert sorted(run.test_accuracy for run in store.list()) == [0.7, 0.9]
    assert not [p for p in store.root.iterdir() if p.name.startswith(atomic.TEMP_MARK)]


def test_a_run_folder_appearing_at_the_rename_takes_the_next_id(store, monkeypatch):
    """The other worker's rename lands between the existence check and ours: ENOTEMPTY, not a lost run."""
    base = base_run_id(TINY, fake_runs.FINGERPRINT)
    real_rename = os.rename

    def rename_after_another(src, dst):
        if os.path.basename(dst) == base and not os.path.exists(dst):
            os.makedirs(os.path.join(dst, "model.keras"))  # another worker's whole folder, just in place
        real_rename(src, dst)

    monkeypatch.setattr(atomic.os, "rename", rename_after_another)
    run = store.save(fake_runs.fake_result(), TINY, fake_runs.fake_data())
    assert run.run_id == f"{base}-r2"


def test_an_explicit_run_id_that_is_taken_still_raises(store):
    first = fake_runs.save_fake_run(store)
    with pytest.raises(RunError, match="already exists"):
        store.save(fake_runs.fake_result(), TINY, fake_runs.fake_data(), run_id=first.run_id)
    assert [run.run_id for run in store.list()] == [first.run_id]
