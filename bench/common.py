"""Shared benchmark plumbing: environment facts and JSON output."""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

from core import allocator


def _cpuinfo() -> tuple[str, bool]:
    """(model name with family and model, has AVX-512) from /proc/cpuinfo; machines differ up to 3x.

    Some hosts name every AMD EPYC alike ("AMD EPYC"): family 25 model 1 is Zen 3 (no AVX-512),
    model 17 Zen 4, so the family and model numbers are part of the name.
    """
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor() or "unknown", False
    return cpu_from(text)


def cpu_from(text: str) -> tuple[str, bool]:
    """:func:`_cpuinfo` for the text of a ``/proc/cpuinfo`` (its first processor names the machine)."""
    fields = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    name = fields.get("model name") or "unknown"
    if "cpu family" in fields and "model" in fields:
        name += f" (family {fields['cpu family']}, model {fields['model']})"
    return name, " avx512f" in text


def _versions() -> dict:
    """TensorFlow's and Keras's versions, read from the installed packages (nothing is imported)."""
    from importlib import metadata

    found = {}
    for package in ("tensorflow", "keras"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def _threads() -> dict:
    """The thread settings TensorFlow runs with: the environment's, and TF's own when it is loaded (0: one per core)."""
    names = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS", "TF_ENABLE_ONEDNN_OPTS")
    settings = {name: os.environ.get(name) for name in names}
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        settings["intra_op"] = tf.config.threading.get_intra_op_parallelism_threads()
        settings["inter_op"] = tf.config.threading.get_inter_op_parallelism_threads()
    return settings


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
        **_versions(),
        "threads": _threads(),
    }


def emit(result: dict) -> None:
    """Print the one JSON object a benchmark produces."""
    json.dump(result, sys.stdout, indent=2, sort_keys=True, default=float)
    sys.stdout.write("\n")


def data_and_runs(description: str):
    """The ``--data`` and ``--runs`` options of a benchmark that starts the app on a runs folder."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA"), help="IMDB archive or folder")
    parser.add_argument("--runs", default=None, help="runs folder (default $IMDB_LAB_RUNS or ./runs)")
    return parser.parse_args()
