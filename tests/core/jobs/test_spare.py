"""The training process started ahead (``warm``): it takes the next job, and each job still has its own process."""

from __future__ import annotations

import time

import pytest

from core.jobs.manager import DONE, FAILED, JobManager
from tests.conftest import TINY, make_archive
from tests.core.jobs import contract_trainers
from tests.core.jobs.contract_trainers import KILL_SEED


@pytest.fixture(scope="module")
def small_data(tmp_path_factory, session_cache, monkeypatch_module):
    from core.data.dataset import load_dataset
    from tests.core.conftest import _toy_reviews

    monkeypatch_module.setenv("IMDB_LAB_CACHE", str(session_cache))  # where the spare reads it too
    return load_dataset(make_archive(tmp_path_factory.mktemp("spare") / "small.tar.gz", _toy_reviews(160, 2)))


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def _spare_pid(manager: JobManager, other_than: int | None = None, timeout: float = 60) -> int:
    """The pid of the manager's spare once one is alive (and is not ``other_than``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        spare = manager._spare
        if spare is not None and spare.process.is_alive() and spare.process.pid != other_than:
            return spare.process.pid
        time.sleep(0.1)
    raise AssertionError("no training process was started ahead")


def test_the_spare_takes_the_next_job_and_a_killed_job_leaves_the_next_one_its_own(small_data, tmp_path):
    manager = JobManager(runs_dir=tmp_path / "runs", data_loader=lambda: small_data, isolation="process",
                         trainer=contract_trainers.trainer, warm=True)  # fmt: skip
    try:
        first = _spare_pid(manager)
        job = manager.submit(TINY.replace(seed=31))
        assert manager.wait(job, timeout=240).state == DONE
        assert manager._spare is None or manager._spare.process.pid != first  # it trained that job and ended
        second = _spare_pid(manager, other_than=first)  # the next one is started after the job
        doomed = manager.submit(TINY.replace(seed=KILL_SEED))
        snap = manager.wait(doomed, timeout=240)
        assert snap.state == FAILED and "out of memory" in snap.error
        third = _spare_pid(manager, other_than=second)  # the kill took down its own process only
        assert manager.wait(manager.submit(TINY.replace(seed=32)), timeout=240).state == DONE
        assert third not in (first, second)
    finally:
        manager.shutdown()
    assert manager._spare is None  # shut down: no process left waiting


def test_without_warm_no_process_waits(small_data, tmp_path):
    manager = JobManager(runs_dir=tmp_path / "runs", data_loader=lambda: small_data, isolation="process")
    try:
        time.sleep(0.5)
        assert manager._spare is None
    finally:
        manager.shutdown()
