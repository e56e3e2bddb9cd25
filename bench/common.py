"""Shared benchmark plumbing: environment facts and JSON output."""

from __future__ import annotations

import json
import os
import platform
import sys


def machine() -> dict:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def emit(result: dict) -> None:
    """Print the one JSON object a benchmark produces."""
    json.dump(result, sys.stdout, indent=2, sort_keys=True, default=float)
    sys.stdout.write("\n")
