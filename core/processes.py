"""Child processes, one way for the whole lab: the training jobs and the prediction process.

Both start with ``spawn`` (never ``fork`` a server full of threads and TensorFlow state),
talk to the parent over a pipe, and are stopped the same way: close the pipe (a child
reading it sees the end and exits), wait a grace period, then kill. Children started by
a server lower their own priority, so page reruns win every contest for the CPU. They
start on tcmalloc where the machine has it (:mod:`core.allocator`: TensorFlow trains up
to 2.4x faster than on glibc's malloc here).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import socket
import threading

from core import allocator

#: Added to a training child's niceness: the server's page reruns win every contest for CPU.
CHILD_NICENESS = 10
#: ``spawn`` starts a child with this process's environment: changed only around one start at a time.
_ENVIRONMENT_LOCK = threading.Lock()
#: Environment variable naming this host in writer marks (default: the hostname); two replicas on one
#: machine (or a test) that set different values act as different hosts. Here, not in :mod:`core.settings`:
#: settings writes through :mod:`core.atomic`, which marks its temporary names with it.
HOST_ID_ENV = "IMDB_LAB_HOST_ID"
#: ``@<host>~<pid>``: a host id never holds ``@`` or ``~``, so the mark parses back whatever the name around it.
_WRITER_MARK = re.compile(r"@([a-z0-9.-]{1,63})~(\d+)")


def context():
    """The ``spawn`` multiprocessing context (for the events and shared values a child needs too)."""
    return multiprocessing.get_context("spawn")


def start(target, args: tuple, *, name: str, duplex: bool):
    """Start ``target(child_end, *args)`` in a spawned daemon process; return ``(process, parent_end)``.

    With ``duplex=False`` the child only sends (progress) and the parent only receives.
    """
    ctx = context()
    if duplex:
        parent_end, child_end = ctx.Pipe()
    else:
        parent_end, child_end = ctx.Pipe(duplex=False)
    process = ctx.Process(target=target, args=(child_end, *args), name=name, daemon=True)
    with _child_environment():
        process.start()
    child_end.close()  # the child holds its own copy: the parent sees EOF when the child dies
    return process, parent_end


@contextlib.contextmanager
def _child_environment():
    """This process's environment as a child should start with it (:func:`core.allocator.child_environment`).

    ``multiprocessing``'s spawn takes no environment of its own; the preload is set for
    the moment of one start and put back, so this process's later plain subprocesses
    (a browser, a shell) never get it.
    """
    with _ENVIRONMENT_LOCK:
        before = os.environ.get("LD_PRELOAD")
        wanted = allocator.child_environment().get("LD_PRELOAD")
        if wanted is not None:
            os.environ["LD_PRELOAD"] = wanted
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("LD_PRELOAD", None)
            else:
                os.environ["LD_PRELOAD"] = before


def stop(process, conn, grace: float = 5.0) -> int | None:
    """Close the pipe (the child exits when it reads the end), wait ``grace`` seconds, then kill; the exit code."""
    conn.close()
    process.join(timeout=grace)
    if process.is_alive():
        process.kill()
        process.join(timeout=5)
    return process.exitcode


def lower_priority(niceness: int = CHILD_NICENESS) -> None:
    """In a child: yield the CPU to the web server (ignored where the OS refuses)."""
    with contextlib.suppress(OSError):
        os.nice(niceness)


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one we may not signal counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def host_id() -> str:
    """This host as writer marks name it: ``$IMDB_LAB_HOST_ID`` or the hostname, lowercase ``[a-z0-9.-]``."""
    raw = os.environ.get(HOST_ID_ENV, "").strip() or socket.gethostname()
    return re.sub(r"[^a-z0-9.-]+", "-", raw.lower()).strip("-.")[:63] or "host"


def writer_mark(host: str | None = None, pid: int | None = None) -> str:
    """``@<host>~<pid>`` (default: this process), for names and entries another host must attribute."""
    return f"@{host_id() if host is None else host}~{os.getpid() if pid is None else pid}"


def parse_writer_mark(text: str) -> tuple[str, int] | None:
    """The ``(host, pid)`` of the last writer mark in ``text``; None when it has none (written before marks)."""
    marks = _WRITER_MARK.findall(text)
    return (marks[-1][0], int(marks[-1][1])) if marks else None


def writer_alive(host: str, pid: int | None) -> bool | None:
    """Whether the process ``pid`` on ``host`` is alive; None for another host (its pids mean nothing here).

    A writer on this host that left no pid counts as gone (what the sweeps did before marks).
    """
    if host != host_id():
        return None
    return pid is not None and pid > 0 and pid_alive(pid)


class ParentWatch:
    """In a child: tells whether the parent that started it is gone (a SIGKILLed server cannot stop its children)."""

    def __init__(self):
        self.parent_pid = os.getppid()

    def parent_gone(self) -> bool:
        return os.getppid() != self.parent_pid
