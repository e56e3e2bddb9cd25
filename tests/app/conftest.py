"""Fixtures for the page tests: data environments and the fake job manager (see ui_helpers)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import streamlit as st

from core import settings
from core.jobs.manager import DONE, JobManager
from core.model.baseline import BaselineConfig
from core.runs.baseline_store import BaselineStore
from core.runs.store import RunStore
from tests.app.ui_helpers import FakeJobManager
from tests.conftest import TEACHER_TOKEN, TINY
from ui.classroom import identity
from ui.shared import resources, server_objects

#: A second run, for comparing and overlaying (two epochs, so it has a curve).
TINY_OTHER = TINY.replace(units=4, epochs=2)


@pytest.fixture
def data_env(monkeypatch, shared_archive, session_cache, tmp_path):
    """The shared archive through IMDB_DATA, with the session's corpus cache."""
    monkeypatch.setenv("IMDB_DATA", str(shared_archive))
    monkeypatch.setenv("IMDB_LAB_CACHE", str(session_cache))
    monkeypatch.setenv("IMDB_LAB_RUNS", str(tmp_path / "runs"))
    monkeypatch.delenv("IMDB_LAB_TEST_SLICE", raising=False)
    return shared_archive


@pytest.fixture
def no_data_env(monkeypatch, tmp_path):
    """No dataset anywhere: IMDB_DATA names a missing file, empty cache and homes."""
    missing = tmp_path / "nowhere" / "aclImdb_v1.tar.gz"
    monkeypatch.setenv("IMDB_DATA", str(missing))
    monkeypatch.setenv("IMDB_LAB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("IMDB_LAB_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    st.cache_resource.clear()
    server_objects.forget_all()
    yield missing
    st.cache_resource.clear()  # the next test must not see this test's "no data"
    server_objects.forget_all()


@pytest.fixture
def fake_manager(monkeypatch, data_env):
    manager = FakeJobManager()
    monkeypatch.setattr(resources, "job_manager", lambda: manager)
    return manager


@pytest.fixture(scope="session")
def tiny_runs(imdb, tmp_path_factory) -> Path:
    """Two tiny stored runs (Predict and Evaluate tests), trained once per session."""
    root = tmp_path_factory.getbasetemp() / "ui-runs"
    manager = JobManager(runs_dir=root, data_loader=lambda: imdb, isolation="thread")
    try:
        for config in (TINY, TINY_OTHER):
            snapshot = manager.wait(manager.submit(config), timeout=300)
            assert snapshot.state == DONE, snapshot.error
    finally:
        manager.shutdown()
    return root


@pytest.fixture(scope="session")
def baseline_runs(imdb, tiny_runs, tmp_path_factory) -> Path:
    """A copy of the tiny runs with a small baseline (3,000 training, 1,000 test reviews), fitted once per session."""
    root = tmp_path_factory.mktemp("baseline-runs")
    for run in tiny_runs.iterdir():
        if not run.name.startswith("."):
            shutil.copytree(run, root / run.name)
    BaselineStore(root).get_or_fit(imdb, BaselineConfig(train_limit=3000, test_limit=1000))
    return root


@pytest.fixture(scope="module")
def fresh_caches():
    """Another module may have cached a different dataset under the same (default) path."""
    st.cache_resource.clear()
    st.cache_data.clear()
    server_objects.forget_all()
    yield


@pytest.fixture
def runs_env(data_env, tiny_runs, monkeypatch) -> RunStore:
    monkeypatch.setenv("IMDB_LAB_RUNS", str(tiny_runs))
    return RunStore(tiny_runs)


@pytest.fixture(autouse=True)
def _fresh_teacher_tries():
    """Every test starts as a fresh server would: the full ration of tries at the teacher token, nothing logged."""
    server_objects.forget(identity.TRIES_OBJECT)
    server_objects.forget(identity.MODE_LOGGED_OBJECT)
    yield


@pytest.fixture
def teacher_token(monkeypatch) -> str:
    """A server with teacher mode: its token."""
    monkeypatch.setenv(settings.TEACHER_TOKEN_ENV, TEACHER_TOKEN)
    return TEACHER_TOKEN


@pytest.fixture(autouse=True)
def _restore_main_module():
    """AppTest installs its script as ``__main__``; a process spawned later re-runs ``__main__`` first.

    Left in place, a script from ``AppTest.from_function`` (which cannot guard itself) would
    crash every later training or prediction process of the suite; so each page test puts
    pytest's own ``__main__`` back.
    """
    main = sys.modules.get("__main__")
    yield
    if main is not None:
        sys.modules["__main__"] = main


@pytest.fixture
def board_runs(runs_env, tmp_path, monkeypatch) -> RunStore:
    """A copy of the tiny runs, so this board's nicknames and reveal flag stay in this test."""
    root = tmp_path / "runs"
    shutil.copytree(runs_env.root, root)
    monkeypatch.setenv("IMDB_LAB_RUNS", str(root))
    return RunStore(root)
