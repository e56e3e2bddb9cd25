"""Start the real app (``streamlit run app.py``) on a free local port, and the browser that visits it, for benchmarks and tests."""

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

REPO = Path(__file__).resolve().parents[1]

#: Debian's chromium (never a browser a test tool downloads) and the flags a closed network needs.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


class ServerFailed(RuntimeError):
    """The app exited or never became healthy; the message holds the end of its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def health(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def streamlit_server(env: dict, log: Path, timeout: float = 90, options: dict | None = None, script: str = "app.py"):
    """Yield ``(url, process)`` of a running app; its whole process group is stopped on exit.

    ``options`` are Streamlit settings for this run only (``{"runner.postScriptGC": "true"}``),
    on top of ``.streamlit/config.toml``. ``script``: what to run, relative to the repository
    (a test may run a small page of its own that draws one part of the app).
    """
    port = free_port()
    extra = [arg for name, value in (options or {}).items() for arg in (f"--{name}", str(value))]
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
                *extra,
            ],
            cwd=REPO,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **env},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while not health(url):
            if process.poll() is not None:
                raise ServerFailed(f"streamlit exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise ServerFailed(f"streamlit did not become healthy in {timeout} s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def rss_mb(pid: int) -> float:
    """Resident memory of one process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
