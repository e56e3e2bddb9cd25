"""Atomic file writes: a file is either the old one, the new one, or absent.

Everything the lab writes (cache, runs, downloads) goes through :func:`atomic_path`:
write to a temporary name in the same folder, fsync, then ``os.replace``. A process
killed mid-write leaves only a ``*.tmp-*`` file, which :func:`sweep_temp_files` removes.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from pathlib import Path
from typing import Iterator

TEMP_MARK = ".tmp-"


def fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, final)
        fsync_dir(final.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def write_bytes(final: Path, data: bytes) -> None:
    """Atomically write ``data`` to ``final``."""
    with atomic_path(final) as temp:
        temp.write_bytes(data)


def write_json(final: Path, obj, allow_nan: bool = False) -> None:
    """Atomically write ``obj`` as indented UTF-8 JSON (never pickle).

    ``allow_nan`` writes NaN as Python's ``json`` reads it back (not strict JSON).
    """
    write_bytes(final, json.dumps(obj, indent=2, sort_keys=True, allow_nan=allow_nan).encode("utf-8"))


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
