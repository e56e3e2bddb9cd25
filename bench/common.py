"""Shared benchmark plumbing: environment facts and JSON output."""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

from core import allocator


def _cpuinfo() -> tuple[str, bool]:
    """(model name, has AVX-512) from /proc/cpuinfo; figures from different machines differ up to 3x."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "unknown", False
    name = next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name")), "")
    return name or "unknown", " avx512f" in text


def machine() -> dict:
    cpu, avx512 = _cpuinfo()
    return {
        "cpu": cpu,
        "avx512": avx512,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        # Training speed depends on it (core.allocator): glibc's malloc costs TensorFlow up to half its speed.
        "allocator": allocator.in_use(),
    }


def emit(result: dict) -> None:
    """Print the one JSON object a benchmark produces."""
    json.dump(result, sys.stdout, indent=2, sort_keys=True, default=float)
    sys.stdout.write("\n")
