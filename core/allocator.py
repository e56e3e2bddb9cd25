"""TensorFlow processes run on tcmalloc when the machine has it: glibc's malloc costs training half its speed here.

Measured on a 2-core AMD EPYC (no AVX-512), one ``conv-lstm`` epoch over 6,000 reviews: with
glibc's ``malloc`` TensorFlow's per-step buffers are mapped and unmapped again, about 1.6
million page faults and 4.8 s of system time in a 12 s fit (the "30% system CPU" seen with
``vmstat``); ``libtcmalloc_minimal`` keeps freed memory for reuse: 110,000 faults, 1.1 s
of system time, 1.3-2.4x the samples per second (docs/training-speed.md). glibc's own
``mmap_threshold`` tunables did not change the fault count.

An allocator must be chosen before a process starts, so this module only builds the
environment for one: :func:`child_environment` for the training and prediction children
(:mod:`core.processes` starts them with it) and :func:`reexec_with_preload` for the command
line and the benchmarks, which train in their own process. No library, or
``IMDB_LAB_ALLOCATOR=system``: everything runs on glibc, as before (``make run`` and
``make test`` install Debian's ``libtcmalloc-minimal4`` where they can).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: Where Debian's ``libtcmalloc-minimal4`` (and most x86_64 distributions) put the library.
CANDIDATES = (
    "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4",
    "/usr/lib64/libtcmalloc_minimal.so.4",
    "/usr/lib/libtcmalloc_minimal.so.4",
)
#: ``system`` turns the preload off (for a comparison, or where it misbehaves).
SETTING = "IMDB_LAB_ALLOCATOR"
#: Set in a process that :func:`reexec_with_preload` started, so that it never loops.
_REEXECUTED = "IMDB_LAB_REEXECUTED"


def library() -> str | None:
    """The tcmalloc library to preload, or None (not installed, or switched off)."""
    if os.environ.get(SETTING, "").strip().lower() == "system":
        return None
    return next((path for path in CANDIDATES if Path(path).is_file()), None)


def in_use() -> str:
    """The allocator this process runs on: ``tcmalloc`` or ``glibc`` (benchmarks print it)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        return "unknown"
    return "tcmalloc" if "libtcmalloc" in maps else "glibc"


def child_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with tcmalloc added to ``LD_PRELOAD``, when there is one."""
    env = dict(os.environ if base is None else base)
    path = library()
    preloaded = env.get("LD_PRELOAD", "")
    if path and path not in preloaded.split(":"):
        env["LD_PRELOAD"] = f"{path}:{preloaded}" if preloaded else path
    return env


def reexec_with_preload() -> None:
    """Start this very command again on tcmalloc (``os.execve``), unless it already runs on it or cannot.

    For entry points that train in their own process (``python -m core train``, the
    benchmarks); call it first thing, before threads or files are opened.
    """
    if os.environ.get(_REEXECUTED) or library() is None or in_use() == "tcmalloc":
        return
    env = child_environment()
    env[_REEXECUTED] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)
