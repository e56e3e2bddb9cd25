"""Fixtures for the page tests: data environments and the fake job manager (see ui_helpers)."""

from __future__ import annotations

import pytest
import streamlit as st

from pages import common
from tests.app.ui_helpers import FakeJobManager


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
    yield missing
    st.cache_resource.clear()  # the next test must not see this test's "no data"


@pytest.fixture
def fake_manager(monkeypatch, data_env):
    manager = FakeJobManager()
    monkeypatch.setattr(common, "job_manager", lambda: manager)
    return manager
