"""Atomic writes: a file (or a run's folder) is either the old one, the new one, or absent.

Everything the lab writes (cache, runs, downloads, the job journal) goes through here:
:func:`atomic_path` writes to a temporary name in the same folder, fsyncs, then
``os.replace``; :func:`atomic_folder` does the same for a whole folder. A process killed
mid-write leaves only a ``*.tmp-*`` file or folder, which the sweeps remove. Hand-written
on purpose: the standard library has no atomic write, and this house rule needs one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

TEMP_MARK = ".tmp-"


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
    temp = final.with_name(f"{final.name}{TEMP_MARK}{uuid.uuid4().hex[:8]}{final.suffix}")
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


def remove_folder(folder: Path) -> None:
    """Delete ``folder`` so that readers see it whole or absent, never half-deleted.

    It is first renamed to a hidden ``.tmp-<name>-<pid>-<random>`` beside it (one atomic
    step: from then on it is gone for every reader), then removed; a process killed in
    between leaves only that temporary folder, which the runs sweep removes. Raises
    :class:`FileNotFoundError` if ``folder`` is absent.
    """
    folder = Path(folder)
    doomed = folder.with_name(f"{TEMP_MARK}{folder.name}-{os.getpid()}-{uuid.uuid4().hex[:6]}")
    os.rename(folder, doomed)
    fsync_dir(folder.parent)
    shutil.rmtree(doomed, ignore_errors=True)


def sweep_temp_files(folder: Path) -> list[Path]:
    """Remove temporary files that a killed writer left under ``folder``; return them."""
    removed = []
    if Path(folder).is_dir():
        for path in Path(folder).rglob(f"*{TEMP_MARK}*"):
            if path.is_file():
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
    return removed
