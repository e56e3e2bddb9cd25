"""The real app in a subprocess, driven by headless Chromium (Debian's, never `playwright install`).

One server and one browser per session: the server gets the shared archive, its own
cache and runs folders and ``IMDB_LAB_TEST_SLICE=300`` so a training job takes seconds.
Screenshots go to ``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from bench import appserver
from bench.appserver import CHROMIUM as CHROMIUM_PATH, CHROMIUM_ARGS
from core.access import Actor
from core.runs.class_board import ClassBoard
from tests.conftest import REPO, TEACHER_TOKEN

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path(CHROMIUM_PATH)
TEST_SLICE = 300


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@contextlib.contextmanager
def streamlit_server(env: dict, log: Path, script: str = "app.py"):
    """The app (or a test's own ``script``) on a free port (bench.appserver); a server that fails to start fails the test."""
    try:
        with appserver.streamlit_server(env, log, script=script) as (url, _process):
            yield url
    except appserver.ServerFailed as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def browser_runs_dir(tmp_path_factory) -> Path:
    """The runs folder of the ``app_url`` server (tests may store runs there for its pages)."""
    return tmp_path_factory.mktemp("browser-runs")


@pytest.fixture
def revealed_test_set(browser_runs_dir) -> None:
    """The teacher has revealed the test set on the class board: every tab sees Evaluate's test-split sections.

    The server has a teacher token, so until then a tab sees validation accuracy only
    (:mod:`ui.classroom.reveal`); no browser test looks at the hidden state.
    """
    ClassBoard(browser_runs_dir).reveal_test(True, by=Actor(None, teacher=True))


@pytest.fixture(scope="session")
def app_url(shared_archive, session_cache, browser_runs_dir, artifacts):
    """The app with the shared archive, its own runs folder and the test slice."""
    env = {
        "IMDB_DATA": str(shared_archive),
        "IMDB_LAB_CACHE": str(session_cache),
        "IMDB_LAB_RUNS": str(browser_runs_dir),
        "IMDB_LAB_TEST_SLICE": str(TEST_SLICE),
        "IMDB_LAB_TEACHER_TOKEN": TEACHER_TOKEN,
    }
    with streamlit_server(env, artifacts / "streamlit-server.log") as url:
        yield url


@pytest.fixture(scope="module")
def no_data_app_url(tmp_path_factory, artifacts):
    """The app with no dataset anywhere (IMDB_DATA names a missing file; empty cache and homes)."""
    root = tmp_path_factory.mktemp("no-data")
    env = {
        "IMDB_DATA": str(root / "missing.tar.gz"),
        "IMDB_LAB_CACHE": str(root / "cache"),
        "IMDB_LAB_RUNS": str(root / "runs"),
        "HOME": str(root / "home"),
        "KERAS_HOME": str(root / "keras"),
    }
    with streamlit_server(env, artifacts / "streamlit-no-data.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()
