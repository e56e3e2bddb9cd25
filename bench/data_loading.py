"""Data-loading benchmark: cold load (no cache), warm load (cache), peak memory.

Each load runs in a fresh Python process so its peak RSS and timing are its own.
Targets on 2-core machines: cold <= 20 s, warm <= 1.5 s, peak RSS <= 1.5 GB.

    python -m bench.data_loading [--data PATH] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from bench.common import emit, machine

_CHILD = """
import json, resource, sys, time
from core.data.dataset import load_dataset
t0 = time.perf_counter()
data = load_dataset(sys.argv[1] or None)
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "cache_hit": data.cache_hit,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "reviews": len(data.train) + len(data.test)}))
"""


def _load_once(data: str | None, cache: str) -> dict:
    env = {**os.environ, "IMDB_LAB_CACHE": cache}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, data or ""], env=env, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cold, warm = [], []
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(_load_once(args.data, cache))
            warm.append(_load_once(args.data, cache))
    assert not any(r["cache_hit"] for r in cold) and all(r["cache_hit"] for r in warm)
    median = lambda rows, key: round(statistics.median(r[key] for r in rows), 3)  # noqa: E731
    emit(
        {
            "machine": machine(),
            "repeats": args.repeats,
            "reviews": cold[0]["reviews"],
            "cold_seconds_median": median(cold, "seconds"),
            "warm_seconds_median": median(warm, "seconds"),
            "cold_peak_rss_mb_median": median(cold, "peak_rss_mb"),
            "warm_peak_rss_mb_median": median(warm, "peak_rss_mb"),
            "cold_seconds": [round(r["seconds"], 3) for r in cold],
            "warm_seconds": [round(r["seconds"], 3) for r in warm],
            "targets": {"cold_seconds": 20, "warm_seconds": 1.5, "peak_rss_mb": 1536},
        }
    )


if __name__ == "__main__":
    main()
