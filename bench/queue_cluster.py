"""The distributed executor's pieces on one machine: a real ``redis-server`` and ``rq worker`` processes.

The scale benchmark and the tests start them here, with the very command lines
``docs/deploy.md`` gives an operator (:data:`REDIS_ARGS`,
:func:`core.jobs.queue_worker.worker_command`), on loopback ports.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

from bench.appserver import REPO, free_port
from core.jobs.queue_worker import worker_command, worker_environment

REDIS = "redis-server"
#: A throwaway Redis: loopback only, nothing written to disk (an operator's keeps its default persistence).
REDIS_ARGS = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
#: Its password (``requirepass``) is random per start and lives in a config file only its owner reads,
#: never on a command line (``ps`` shows those to every user); the URL carries it as ``redis://:PASSWORD@``.
REDIS_CONFIG = "redis.conf"


class ClusterFailed(RuntimeError):
    """A piece did not start (the message says which, and how to get it)."""


@contextlib.contextmanager
def redis_server(folder: Path, timeout: float = 10):
    """Yield the URL (password included) of a fresh ``redis-server`` on a free loopback port; stopped on exit."""
    binary = shutil.which(REDIS)
    if binary is None:
        raise ClusterFailed("redis-server is not installed: `make test` installs Debian's redis-server.")
    port, password = free_port(), secrets.token_urlsafe(24)
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / f"{port}-{REDIS_CONFIG}"
    config.touch(mode=0o600)
    config.write_text(f"requirepass {password}\n")
    log = folder / f"redis-{port}.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            [binary, str(config), "--port", str(port), *REDIS_ARGS, "--dir", str(folder)],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"redis://:{password}@127.0.0.1:{port}/0"
    try:
        _wait_for_redis(url, process, log, timeout)
        yield url
    finally:
        _stop(process, grace=5)


def _wait_for_redis(url: str, process, log: Path, timeout: float) -> None:
    import redis

    deadline = time.monotonic() + timeout
    while True:
        try:
            redis.Redis.from_url(url).ping()
            return
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise ClusterFailed(f"redis-server did not start:\n{log.read_text()[-2000:]}") from None
            time.sleep(0.05)


class Worker:
    """One running ``rq worker`` (its process, name and log)."""

    def __init__(self, url: str, name: str, env: dict, log: Path, gpu: bool = False):
        self.name, self.log = name, log
        with open(log, "wb") as log_file:
            self.process = subprocess.Popen(
                worker_command(gpu=gpu, name=name),
                cwd=REPO,
                env={
                    **os.environ,
                    "TF_CPP_MIN_LOG_LEVEL": "2",
                    "PYTHONPATH": str(REPO),
                    **env,
                    **worker_environment(url),
                },
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL the worker and its work horse (a machine lost at once)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        _stop(self.process, grace=10, group=True)


def start_workers(url: str, count: int, env: dict, folder: Path, *, gpu: bool = False, prefix="worker") -> list:
    """Start ``count`` workers and wait until Redis lists them all (they then take jobs)."""
    from redis import Redis
    from rq import Worker as RqWorker

    folder.mkdir(parents=True, exist_ok=True)
    # A name of its own each start: a worker killed a moment ago (an earlier test's, same prefix and
    # pid) can still be registered in Redis, and RQ refuses a second worker of the same name.
    start = secrets.token_hex(3)
    workers = [
        Worker(url, f"{prefix}-{i + 1}-{os.getpid()}-{start}", env, folder / f"{prefix}-{i + 1}.log", gpu)
        for i in range(count)
    ]
    connection, deadline = Redis.from_url(url), time.monotonic() + 60
    names = {worker.name for worker in workers}
    while not names <= {w.name for w in RqWorker.all(connection=connection)}:
        dead = [w for w in workers if w.process.poll() is not None]
        if dead or time.monotonic() > deadline:
            for worker in workers:
                worker.stop()
            log = (dead or workers)[0].log
            raise ClusterFailed(f"rq worker did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    return workers


@contextlib.contextmanager
def workers(url: str, count: int, env: dict, folder: Path, **options):
    """:func:`start_workers`, stopped on exit."""
    started = start_workers(url, count, env, folder, **options)
    try:
        yield started
    finally:
        for worker in started:
            worker.stop()


def _stop(process, grace: float, group: bool = False) -> None:
    if process.poll() is not None:
        return
    send = (lambda sig: os.killpg(process.pid, sig)) if group else process.send_signal
    with contextlib.suppress(ProcessLookupError):
        send(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            send(signal.SIGKILL)
        process.wait()
