"""Results derived from a stored run (the memory horizon, unit roles), kept in a JSON file beside the runs.

Each takes seconds of the prediction process and depends only on the run (and the code's
version of the measurement), so it is computed once per run and read back after that. The
file's name holds the run id, the run's creation time (a retrained run of the same id is
another run) and the measurement's version (a changed measurement is not read back).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from core import atomic


def path_of(runs_root: Path, folder: str, run_id: str, created: float, version: int) -> Path:
    """Where one run's derived result lives: ``<runs>/<folder>/<run id>-<created ms>-v<version>.json``."""
    return Path(runs_root) / folder / f"{run_id}-{int(created * 1000)}-v{version}.json"


def read_or_compute(path: Path, compute: Callable[[], dict]) -> dict:
    """The JSON stored at ``path``; else ``compute()``'s result, stored there (atomically) and returned."""
    if path.is_file():
        try:
            return json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            pass  # a damaged file is computed again
    result = compute()
    atomic.write_json(path, result)
    return result
