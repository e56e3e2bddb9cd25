"""Server start to a usable first page: how long the first visitor of a freshly started server waits.

For a cold corpus cache (a new, empty ``IMDB_LAB_CACHE``: the archive is parsed, as on the
very first start) and then a warm one (the same cache, a second server start, as after
``make run``'s warm-up step), each run: start ``streamlit run app.py``, time it to the
health endpoint, then open the default page (Start here) in Debian's Chromium and time it
until the page has run to its end with the data loaded ("training and ... test reviews
loaded"). Target (issue 16): at most 5 s from healthy to the first page, with a warm cache.

    python -m bench.first_page [--data ARCHIVE] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.appserver import CHROMIUM, CHROMIUM_ARGS, streamlit_server
from bench.common import emit, machine

READY = '[data-testid="stApp"][data-test-script-state="notRunning"]'
LOADED_TEXT = "test reviews loaded"


def one_start(browser, env: dict, log: Path) -> dict:
    started = time.perf_counter()
    with streamlit_server(env, log, timeout=180) as (url, _process):
        healthy = time.perf_counter()
        page = browser.new_page()
        try:
            page.goto(url, timeout=180_000)
            page.get_by_text(LOADED_TEXT).wait_for(timeout=180_000)
            page.wait_for_selector(READY, timeout=180_000)
            shown = time.perf_counter()
        finally:
            page.close()
    return {"start_to_healthy_s": round(healthy - started, 2), "healthy_to_first_page_s": round(shown - healthy, 2)}


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA"))
    parser.add_argument("--repeats", type=int, default=3, help="warm starts (the median is reported)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        root = Path(tmp)
        env = {"IMDB_LAB_CACHE": str(root / "cache"), "IMDB_LAB_RUNS": str(root / "runs")}
        if args.data:
            env["IMDB_DATA"] = args.data
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            cold = one_start(browser, env, root / "cold.log")
            warm = [one_start(browser, env, root / f"warm{i}.log") for i in range(args.repeats)]
        finally:
            browser.close()
    first_pages = [w["healthy_to_first_page_s"] for w in warm]
    median = statistics.median(first_pages)
    emit(
        {
            "benchmark": "first_page",
            "machine": machine(),
            "cold_cache": cold,
            "warm_cache": warm,
            "warm_healthy_to_first_page_median_s": median,
            "meets_5_s_warm": median <= 5.0,
        }
    )


if __name__ == "__main__":
    main()
