"""Classroom load benchmark: many sessions on one server while a model trains.

Phase 1 (active): ``--sessions`` sessions open the app, move the maxlen slider on the
Explore page, press Train (each queues a job behind the running one, or is refused in words
when the queue is full: counted in ``jobs_pressed_train``) and score a typed review on the
Predict page, ``--rounds`` times each, while one ``lstm`` training job runs. The server's ``/_stcore/health`` is polled throughout.
Sessions are websocket clients speaking Streamlit's protocol (``bench/wsclient.py``, the
default: the server's work only) or real browser tabs (``--clients browser``: Playwright
contexts in Debian's Chromium, which share the server's cores here).

Phase 2 (idle): ``--idle`` websocket sessions connect (each asks for one script run, as a
browser tab does), stay a moment, and disconnect; ``--cycles`` times. The server's
memory is read after each cycle.

Before the server starts, a runs folder without a run gets one (a small ``lstm`` run, about a
minute; the JSON's ``setup`` says whether it was trained or reused): the Predict page has no
review box without a model.

Prints one JSON object: failures, exceptions seen, p50/p95 rerun and prediction times,
health latency, memory per cycle. Loopback only, bounded in count and time.

    python -m bench.load [--sessions 30] [--rounds 3] [--clients ws|browser] [--idle 200] [--cycles 3]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from bench.appserver import CHROMIUM, CHROMIUM_ARGS, REPO, rss_mb, streamlit_server
from bench.common import emit, machine
from bench.wsclient import AppSession

IDLE_SELECTOR = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'
REVIEW = "A moving, beautifully acted film. The story drags a little in the middle, but I loved it."


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))], 3)


class HealthProbe(threading.Thread):
    """Polls /_stcore/health every half second; records latency and failures."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.latencies, self.failures, self.stop = url, [], 0, threading.Event()

    def run(self):
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=5) as response:
                    ok = response.status == 200
            except OSError:
                ok = False
            self.latencies.append(time.perf_counter() - started)
            self.failures += not ok
            self.stop.wait(0.5)


async def _wait_idle(page, timeout_ms=120_000):
    # The script state flips to "running" and back; wait for a settled "notRunning".
    await page.wait_for_selector(IDLE_SELECTOR, timeout=timeout_ms)


async def _session(browser, url: str, rounds: int, results: dict, index: int, ramp: float) -> None:
    await asyncio.sleep(index * ramp)  # students do not all click at the same millisecond
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(120_000)  # the browsers share the server's 2 cores here
    try:
        await page.goto(f"{url}/explore", timeout=120_000)
        await _wait_idle(page)
        for _ in range(rounds):
            slider = page.locator('[data-testid="stSlider"] input[type="range"]').first
            await slider.focus()
            started = time.perf_counter()
            await slider.press("ArrowRight")
            await page.wait_for_timeout(50)
            await _wait_idle(page)
            results["rerun_seconds"].append(time.perf_counter() - started)
        predict_link = page.locator('[data-testid="stSidebarNav"] a', has_text="Predict")
        if await predict_link.count():
            await predict_link.click()
            await _wait_idle(page)
            for round_number in range(rounds):
                # The single-review box by its widget key: the Batch tab has a text area too.
                box = page.locator(".st-key-predict_text textarea")
                await box.fill(f"{REVIEW} (session {index}, round {round_number})")
                started = time.perf_counter()
                await box.press("Control+Enter")
                await page.wait_for_timeout(50)
                await _wait_idle(page)
                await page.get_by_text("positive", exact=False).first.wait_for(timeout=60_000)
                results["predict_seconds"].append(time.perf_counter() - started)
        results["exceptions"] += await page.locator(EXCEPTION).count()
        results["ok_sessions"] += 1
    except Exception as error:  # a failed session is a result, not a crash of the benchmark
        results["failed_sessions"] += 1
        results["errors"].append(f"session {index}: {type(error).__name__}: {str(error)[:200]}")
    finally:
        await context.close()


async def _start_training(browser, url: str) -> bool:
    """Press Train on the Train page with the default (lstm) preset; True if it started."""
    context = await browser.new_context()
    page = await context.new_page()
    try:
        await page.goto(url, timeout=120_000)
        await _wait_idle(page)
        await page.locator('[data-testid="stSidebarNav"] a', has_text="Train").click()
        await _wait_idle(page)
        await page.get_by_role("button", name="Train", exact=False).first.click()
        await page.wait_for_timeout(3000)
        return True
    except Exception:
        return False
    finally:
        await context.close()


async def browser_active_phase(url: str, sessions: int, rounds: int, train: bool, ramp: float) -> dict:
    from playwright.async_api import async_playwright

    results = _new_results()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        training_started = await _start_training(browser, url) if train else False
        started = time.perf_counter()
        await asyncio.gather(*(_session(browser, url, rounds, results, i, ramp) for i in range(sessions)))
        results["active_seconds"] = round(time.perf_counter() - started, 1)
        await browser.close()
    results["training_started"] = training_started
    return results


SLIDER = "maxlen (tokens kept per review)"
REVIEW_BOX = "Your review"


def _new_results() -> dict:
    return {
        "open_seconds": [],
        "rerun_seconds": [],
        "predict_seconds": [],
        "exceptions": 0,
        "ok_sessions": 0,
        "failed_sessions": 0,
        "errors": [],
        "jobs": {"queued": 0, "refused_queue_full": 0, "started": 0, "other": 0},
    }


def queue_outcome(train_page) -> str:
    """What pressing Train did for this session: queued, refused (the queue is full), started, or something else."""
    if train_page.mentions("in the queue"):
        return "queued"
    if train_page.mentions("queue is full"):
        return "refused_queue_full"
    if train_page.mentions("Training job"):  # nothing else was training: it started at once
        return "started"
    return "other"


async def _ws_session(url: str, rounds: int, results: dict, index: int, ramp: float, queue_jobs: bool = True) -> None:
    """One student: open the app, move the slider, press Train, go to Predict, type reviews."""
    await asyncio.sleep(index * ramp)
    try:
        async with AppSession(url) as session:
            runs = [await session.rerun()]
            runs.append(await session.goto("Explore the data"))  # the app opens on Start here
            results["open_seconds"].append(runs[0].seconds + runs[1].seconds)
            for round_number in range(rounds):
                runs.append(await session.set_widget("slider", SLIDER, [200 + 100 * ((index + round_number) % 8)]))
                results["rerun_seconds"].append(runs[-1].seconds)
            if queue_jobs:  # every student presses Train: queued behind the running job, or refused in words
                runs.append(await session.goto("Train a model"))
                runs.append(await session.click("Train"))
                results["jobs"][queue_outcome(runs[-1])] += 1
            runs.append(await session.goto("Predict"))
            for round_number in range(rounds):
                runs.append(
                    await session.set_widget(
                        "text_area", REVIEW_BOX, f"{REVIEW} (session {index}, round {round_number})"
                    )
                )
                if not (runs[-1].mentions("% positive]") or runs[-1].mentions("% negative]")):  # "63% negative"
                    raise RuntimeError(f"no verdict after typing a review: {runs[-1].texts[-3:]}")
                results["predict_seconds"].append(runs[-1].seconds)
        exceptions = [e for run in runs for e in run.exceptions]
        results["exceptions"] += len(exceptions)
        results["errors"].extend(f"session {index}: {e}" for e in exceptions)
        results["ok_sessions"] += 1
    except Exception as error:  # a failed session is a result, not a crash of the benchmark
        results["failed_sessions"] += 1
        results["errors"].append(f"session {index}: {type(error).__name__}: {str(error)[:200]}")


async def _ws_start_training(url: str, timeout: float = 180.0) -> bool:
    """Press Train on the Train page (default ``lstm`` preset) and wait until batches run.

    Until then the training process is still loading TensorFlow and the data; measuring
    the students from that moment on is what "while one training job runs" means.
    """
    try:
        async with AppSession(url) as session:
            await session.rerun()
            await session.goto("Train a model")
            result = await session.click("Train")
            deadline = time.monotonic() + timeout
            while not _trains_or_trained(result) and time.monotonic() < deadline:
                await asyncio.sleep(1.0)
                result = await session.rerun()
            return _trains_or_trained(result)
    except Exception:
        return False


def _trains_or_trained(train_page) -> bool:
    # A short test job may be done before the next look; the job view says which.
    return train_page.mentions("Phase: training") or train_page.mentions("-badge[done]")


async def ws_active_phase(url: str, sessions: int, rounds: int, train: bool, ramp: float) -> dict:
    results = _new_results()
    training_started = await _ws_start_training(url) if train else False
    started = time.perf_counter()
    await asyncio.gather(*(_ws_session(url, rounds, results, i, ramp, train) for i in range(sessions)))
    results["active_seconds"] = round(time.perf_counter() - started, 1)
    results["training_started"] = training_started
    return results


async def _idle_client(url: str, hold: float, errors: list) -> None:
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg

    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    try:
        async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60) as ws:
            message = BackMsg()
            message.rerun_script.query_string = ""
            await ws.send(message.SerializeToString())
            deadline = time.monotonic() + hold
            while time.monotonic() < deadline:
                try:
                    await asyncio.wait_for(ws.recv(), timeout=max(0.05, deadline - time.monotonic()))
                except TimeoutError:
                    break
    except Exception as error:
        errors.append(f"{type(error).__name__}: {str(error)[:120]}")


async def idle_phase(url: str, pid: int, clients: int, cycles: int, hold: float, settle: float) -> dict:
    memory, errors = [rss_mb(pid)], []
    for _ in range(cycles):
        await asyncio.gather(*(_idle_client(url, hold, errors) for _ in range(clients)))
        # Disconnected sessions are kept for server.disconnectedSessionTTL (.streamlit/config.toml).
        await asyncio.sleep(settle)
        memory.append(round(rss_mb(pid), 1))
    growth = [round(b - a, 1) for a, b in itertools.pairwise(memory[1:])]  # after the first (warm-up) cycle
    return {
        "idle_clients": clients,
        "cycles": cycles,
        "failures": len(errors),
        "errors": errors[:5],
        "server_rss_mb": memory,
        "rss_growth_mb_per_cycle_after_warmup": growth,
    }


#: The run the benchmark trains when the runs folder has none (Predict needs one): small, a minute or so.
SETUP_RUN = {"train_limit": 3000, "test_limit": 1000, "epochs": 1}


def ensure_a_run(runs_dir: str, data: str | None) -> dict:
    """Reuse the best stored run, or train a small ``lstm`` run first; says which (Predict needs a model)."""
    from core.config import preset
    from core.runs.store import RunStore

    store = RunStore(runs_dir)
    best = store.best()
    if best is not None:
        return {"model": "reused", "run_id": best.run_id}
    from core.data.dataset import load_dataset
    from core.model.training import train

    config = preset("lstm").replace(**SETUP_RUN)
    imdb = load_dataset(data)
    started = time.perf_counter()
    saved = store.save(train(config, imdb), config, imdb)
    return {"model": "trained first", "run_id": saved.run_id, "seconds": round(time.perf_counter() - started, 1)}


def run(
    sessions: int,
    rounds: int,
    idle: int,
    cycles: int,
    hold: float,
    train: bool,
    data: str | None,
    runs_dir: str | None,
    settle: float = 25.0,
    ramp: float = 0.5,
    clients: str = "ws",
    options: dict | None = None,
) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = {"IMDB_LAB_RUNS": runs_dir or os.environ.get("IMDB_LAB_RUNS", str(REPO / "runs"))}
        setup = ensure_a_run(env["IMDB_LAB_RUNS"], data) if sessions else {}
        if data:
            env["IMDB_DATA"] = data
        with streamlit_server(env, Path(tmp) / "server.log", options=options) as (url, process):
            probe = HealthProbe(url)
            probe.start()
            phase = ws_active_phase if clients == "ws" else browser_active_phase
            active = asyncio.run(phase(url, sessions, rounds, train, ramp)) if sessions else {}
            idle_result = asyncio.run(idle_phase(url, process.pid, idle, cycles, hold, settle)) if idle else {}
            probe.stop.set()
            probe.join()
            alive = process.poll() is None
    return {
        "machine": machine(),
        "server_options": options or {},
        "clients": clients,
        "sessions": sessions,
        "rounds": rounds,
        "ramp_seconds": ramp,
        "setup": setup,
        "server_alive_at_end": alive,
        "failed_sessions": active.get("failed_sessions", 0),
        "exceptions": active.get("exceptions", 0),
        "errors": active.get("errors", [])[:5],
        "training_started": active.get("training_started"),
        "jobs_pressed_train": active.get("jobs", {}),
        "open_p50_s": percentile(active.get("open_seconds", []), 50),
        "open_p95_s": percentile(active.get("open_seconds", []), 95),
        "rerun_p50_s": percentile(active.get("rerun_seconds", []), 50),
        "rerun_p95_s": percentile(active.get("rerun_seconds", []), 95),
        "predict_p50_s": percentile(active.get("predict_seconds", []), 50),
        "predict_p95_s": percentile(active.get("predict_seconds", []), 95),
        "predictions": len(active.get("predict_seconds", [])),
        "active_seconds": active.get("active_seconds"),
        "health_failures": probe.failures,
        "health_p95_s": percentile(probe.latencies, 95),
        "health_max_s": round(max(probe.latencies), 3) if probe.latencies else None,
        "idle": idle_result,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle", type=int, default=200)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--hold", type=float, default=5.0, help="seconds each idle session stays")
    parser.add_argument(
        "--settle",
        type=float,
        default=25.0,
        help="seconds to wait after each idle cycle (longer than server.disconnectedSessionTTL)",
    )
    parser.add_argument("--ramp", type=float, default=0.5, help="seconds between session starts")
    parser.add_argument(
        "--clients",
        choices=["ws", "browser"],
        default="ws",
        help="websocket protocol clients (the server's work only) or Chromium tabs",
    )
    parser.add_argument(
        "--server-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Streamlit setting for this run, e.g. runner.postScriptGC=true (repeatable)",
    )
    parser.add_argument("--no-train", action="store_true", help="no training job during the active phase")
    parser.add_argument("--data", default=None)
    parser.add_argument("--runs-dir", default=None)
    args = parser.parse_args()
    emit(
        run(
            args.sessions,
            args.rounds,
            args.idle,
            args.cycles,
            args.hold,
            not args.no_train,
            args.data,
            args.runs_dir,
            args.settle,
            args.ramp,
            args.clients,
            dict(option.split("=", 1) for option in args.server_option),
        )
    )


if __name__ == "__main__":
    main()
