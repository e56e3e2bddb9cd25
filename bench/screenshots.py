"""The README's pictures, remade from the running app: Start, live training, the X-ray, the class board.

Starts the app on a free port (:mod:`bench.appserver`) with a runs folder that holds a real
trained run (the best stored one, or a small ``lstm`` run trained first, as ``bench.load``
does), drives Debian's Chromium (Playwright's Python package, never ``playwright install``)
and writes ``docs/screenshots/*.png``, overwriting the old ones. No review of the data set
is shown: Predict's X-ray reads a sentence typed here. Prints one JSON object: the files
written, the run used, and how long it took.

    make screenshots   # or: python -m bench.screenshots [--data PATH] [--runs DIR]
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

from bench.appserver import CHROMIUM, CHROMIUM_ARGS, REPO, streamlit_server
from bench.common import data_and_runs, emit, machine
from bench.load import ensure_a_run

OUT = REPO / "docs" / "screenshots"
REVIEW = "The acting was wooden but the ending made up for everything."
VIEWPORT = {"width": 1400, "height": 900}
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _open(page, url: str, heading: str) -> None:
    page.goto(url)
    page.wait_for_selector(f'h1:has-text("{heading}")', timeout=120_000)
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_timeout(1500)  # charts draw after the run ends


def _shoot(page, name: str, height: int = 900) -> str:
    """The top ``height`` pixels of the page (Streamlit scrolls inside its main block: grow the viewport)."""
    page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
    page.wait_for_timeout(800)
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path))
    page.set_viewport_size(VIEWPORT)
    return str(path.relative_to(REPO))


def take(url: str) -> list[str]:
    """Start, Train while a job trains, Predict's X-ray of :data:`REVIEW`, the class board."""
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=VIEWPORT).new_page()
        page.set_default_timeout(60_000)
        _open(page, url, "IMDB LSTM Lab")
        written.append(_shoot(page, "start"))

        _open(page, f"{url}/train", "Train a model")
        page.locator('[data-testid="stButton"] button', has_text="Train").first.click()
        job = page.locator("h3", has_text="Training job")
        job.wait_for(timeout=180_000)
        page.get_by_text(re.compile(r"batch \d+/\d+")).first.wait_for(timeout=180_000)
        page.wait_for_timeout(15_000)  # some curve to see
        job.scroll_into_view_if_needed()
        page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollTop -= 60")
        path = OUT / "train-live.png"
        page.set_viewport_size({"width": VIEWPORT["width"], "height": 1000})
        page.wait_for_timeout(800)
        page.screenshot(path=str(path))
        written.append(str(path.relative_to(REPO)))
        stop = page.locator('[data-testid="stButton"] button', has_text="Stop")
        if stop.count() and stop.first.is_enabled():
            stop.first.click()

        _open(page, f"{url}/predict", "Predict")
        page.get_by_label("Your review").fill(REVIEW)
        page.get_by_label("Your review").press("Control+Enter")
        page.locator(".lab-why .w").first.wait_for(timeout=120_000)
        page.wait_for_selector(IDLE, timeout=120_000)
        page.locator("h3", has_text="See inside the").first.scroll_into_view_if_needed()
        page.wait_for_timeout(1500)
        path = OUT / "xray.png"
        page.screenshot(path=str(path))
        written.append(str(path.relative_to(REPO)))

        _open(page, f"{url}/board", "Class board")
        written.append(_shoot(page, "board"))
        browser.close()
    return written


def run(data: str | None, runs_dir: str | None) -> dict:
    started = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        runs = runs_dir or os.environ.get("IMDB_LAB_RUNS", str(REPO / "runs"))
        setup = ensure_a_run(runs, data)
        env = {"IMDB_LAB_RUNS": runs, "IMDB_LAB_WARM_TRAINER": "0", **({"IMDB_DATA": data} if data else {})}
        with streamlit_server(env, Path(tmp) / "server.log") as (url, _process):
            written = take(url)
    return {"machine": machine(), "setup": setup, "written": written, "seconds": round(time.perf_counter() - started)}


def main() -> None:
    args = data_and_runs(__doc__.splitlines()[0])
    emit(run(args.data, args.runs))


if __name__ == "__main__":
    main()
