"""Atomic writes: a file (or a run's folder) is either the old one, the new one, or absent.

Everything the lab writes (cache, runs, downloads, the job journal) goes through here:
:func:`atomic_path` writes to a temporary name in the same folder, fsyncs, then
``os.replace``; :func:`atomic_folder` does the same for a whole folder. A process killed
mid-write leaves only a ``*.tmp-*`` file or folder, which the sweeps remove. Hand-written
on purpose: the standard library has no atomic write, and this house rule needs one.

The runs folder may be shared by several hosts, so a temporary name carries its writer
(:func:`core.processes.writer_mark`) and a sweep removes only what is surely abandoned
(:func:`abandoned`): this host's, of a dead process, or anyone's left untouched for hours.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from core import processes

TEMP_MARK = ".tmp-"
#: A temporary item untouched this long is abandoned whoever wrote it: a save takes seconds and a
#: deletion less, and another host's pid cannot be checked from here (that host's own sweep can).
STALE_TEMP_SECONDS = 6 * 3600
#: Characters of the final name a temporary name repeats: enough to tell what it was, short of NAME_MAX.
_NAME_KEPT = 100


def fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; on success move it into place.

    The caller writes the whole file to the yielded path (any writer that takes a
    path: numpy, Keras, open()). On error the temporary file is removed and ``final``
    is untouched.
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_beside(final)
    try:
        yield temp
        fsync_file(temp)
        os.replace(temp, final)
        fsync_dir(final.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def write_bytes(final: Path, data: bytes) -> None:
    """Atomically write ``data`` to ``final``."""
    with atomic_path(final) as temp:
        temp.write_bytes(data)


def json_bytes(obj, allow_nan: bool = False) -> bytes:
    """``obj`` as indented UTF-8 JSON (never pickle); ``allow_nan`` writes NaN as Python's ``json`` reads it back."""
    return json.dumps(obj, indent=2, sort_keys=True, allow_nan=allow_nan).encode("utf-8")


def write_json(final: Path, obj, allow_nan: bool = False) -> None:
    """Atomically write ``obj`` as :func:`json_bytes`."""
    write_bytes(final, json_bytes(obj, allow_nan))


@contextlib.contextmanager
def atomic_folder(final: Path, temp: Path) -> Iterator[Path]:
    """Build a folder at ``temp`` (beside ``final``); on success fsync its files and rename it to ``final``.

    ``final`` is whole or absent: on any error the temporary folder is removed. An
    existing ``final`` is never replaced (:class:`FileExistsError`).
    """
    final, temp = Path(final), Path(temp)
    temp.mkdir(parents=True)
    try:
        yield temp
        for path in temp.rglob("*"):
            if path.is_file():
                fsync_file(path)
        if final.exists():
            raise FileExistsError(f"{final.name} already exists")
        os.rename(temp, final)
        fsync_dir(final.parent)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def temp_beside(final: Path, *, folder: bool = False) -> Path:
    """A fresh temporary name beside ``final`` that names its writer, so no other host's sweep removes it.

    A file's is ``<name>.tmp-<random>@<host>~<pid><suffix>`` (numpy and Keras look at the
    suffix); a folder's is hidden, ``.tmp-<name>-<random>@<host>~<pid>``, which scans skip.
    """
    final = Path(final)
    token = f"{uuid.uuid4().hex[:8]}{processes.writer_mark()}"
    if folder:
        return final.with_name(f"{TEMP_MARK}{final.name[:_NAME_KEPT]}-{token}")
    return final.with_name(f"{final.name[:_NAME_KEPT]}{TEMP_MARK}{token}{final.suffix}")


def temp_writer(name: str) -> tuple[str, int | None]:
    """``(host, pid)`` of the process that made the temporary item ``name``.

    Names from before writer marks are this host's: ``.tmp-<name>-<pid>-<random>`` gives
    its pid, a file's ``<name>.tmp-<random>`` none (as before, such a file is always swept).
    """
    mark = processes.parse_writer_mark(name)
    if mark is not None:
        return mark
    pid = name.rsplit("-", 2)[-2] if name.count("-") >= 3 else ""
    return processes.host_id(), int(pid) if pid.isdigit() else None


def abandoned(path: Path, now: float | None = None) -> bool:
    """Whether the temporary item ``path`` may be removed: its writer on this host is dead, or it is stale.

    Another host's item counts as in progress until :data:`STALE_TEMP_SECONDS` after its last
    change: its pid cannot be checked here, and deleting a save in progress loses a run.
    """
    try:
        age = (time.time() if now is None else now) - path.lstat().st_mtime
    except OSError:
        return False  # already gone
    return age > STALE_TEMP_SECONDS or processes.writer_alive(*temp_writer(path.name)) is False


def remove_folder(folder: Path) -> None:
    """Delete ``folder`` so that readers see it whole or absent, never half-deleted.

    It is first renamed to a hidden temporary name beside it (:func:`temp_beside`: one
    atomic step, from then on it is gone for every reader), then removed; a process killed
    in between leaves only that temporary folder, which the runs sweep removes. Raises
    :class:`FileNotFoundError` if ``folder`` is absent.
    """
    folder = Path(folder)
    doomed = temp_beside(folder, folder=True)
    os.rename(folder, doomed)
    with contextlib.suppress(OSError):
        os.utime(doomed)  # a rename keeps the old mtime: a months-old run is not a stale leftover
    fsync_dir(folder.parent)
    shutil.rmtree(doomed, ignore_errors=True)


def sweep_temp_files(folder: Path) -> list[Path]:
    """Remove the temporary files under ``folder`` that are :func:`abandoned`; return them."""
    removed = []
    if Path(folder).is_dir():
        for path in Path(folder).rglob(f"*{TEMP_MARK}*"):
            if path.is_file() and abandoned(path):
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
    return removed


@contextlib.contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold ``lock_file``'s exclusive lock (``fcntl.flock``): one holder at a time, across threads and processes.

    For work that must happen once while others wait for its result (the baseline's fit):
    each caller opens its own file description, so two threads of one process exclude
    each other as two processes do. The lock ends with the holder (even one that is
    killed); the empty file stays, harmless. Local file systems only, like the rest.
    """
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
