"""The real app in a subprocess, driven by headless Chromium (Debian's, never `playwright install`).

One server and one browser per session: the server gets the shared archive, its own
cache and runs folders and ``IMDB_LAB_TEST_SLICE=300`` so a training job takes seconds.
Screenshots go to ``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
TEST_SLICE = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"streamlit did not become healthy in {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@contextlib.contextmanager
def streamlit_server(env: dict, log: Path):
    """``streamlit run app.py`` on a free port with ``env``; its process group is stopped on exit."""
    port = _free_port()
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=REPO, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **env}, stdout=log_file,
            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture(scope="session")
def app_url(shared_archive, session_cache, tmp_path_factory, artifacts):
    """The app with the shared archive, its own runs folder and the test slice."""
    env = {"IMDB_DATA": str(shared_archive), "IMDB_LAB_CACHE": str(session_cache),
           "IMDB_LAB_RUNS": str(tmp_path_factory.mktemp("browser-runs")), "IMDB_LAB_TEST_SLICE": str(TEST_SLICE)}
    with streamlit_server(env, artifacts / "streamlit-server.log") as url:
        yield url


@pytest.fixture(scope="module")
def no_data_app_url(tmp_path_factory, artifacts):
    """The app with no dataset anywhere (IMDB_DATA names a missing file; empty cache and homes)."""
    root = tmp_path_factory.mktemp("no-data")
    env = {"IMDB_DATA": str(root / "missing.tar.gz"), "IMDB_LAB_CACHE": str(root / "cache"),
           "IMDB_LAB_RUNS": str(root / "runs"), "HOME": str(root / "home"), "KERAS_HOME": str(root / "keras")}
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
