"""Hostile and careless clients against a real server while a job trains (issue 28).

One student trains the default preset; meanwhile other clients, speaking Streamlit's
websocket protocol (:mod:`bench.wsclient`), send what a curious or hostile student can:
``clear_cache`` from three clients, a 20 MB paste on Predict, and ten fresh owners (ten
private windows of one computer) pressing Train with ten different configs. An honest
student predicts throughout. Afterwards the owner stops the job.

Prints one JSON object: the attacks tried and what each got, jobs lost (the owner's job
must still be training or done: 0), the most jobs the journal showed running at once
(one training slot: 1), the server's memory at start, once warm (before the attacks) and after, and the honest student's
prediction times. Loopback only, bounded in count and time.

    python -m bench.hostile [--data PATH] [--runs DIR]
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import threading
import time
from pathlib import Path

from bench.appserver import REPO, rss_mb, streamlit_server
from bench.common import data_and_runs, emit, machine
from bench.load import REVIEW, REVIEW_BOX, ensure_a_run, percentile, queue_outcome
from bench.wsclient import AppSession

TRAIN_PAGE, PREDICT_PAGE = "Train a model", "Predict"
PASTE_BYTES = 20 * 2**20
FRESH_OWNERS = 10


def _training(page) -> bool:
    return page.mentions("Phase: training") or page.mentions("-badge[done]")


class RunningJobs(threading.Thread):
    """Samples the job journal (``<runs>/.jobs``) every 0.2 s: the most jobs it shows running at once."""

    def __init__(self, runs_dir: Path):
        super().__init__(daemon=True)
        self.folder, self.most, self.stop = runs_dir / ".jobs", 0, threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            running = 0
            for entry in self.folder.glob("job-*.json"):
                try:
                    running += json.loads(entry.read_text("utf-8")).get("state") == "running"
                except (OSError, ValueError):
                    continue
            self.most = max(self.most, running)


async def _until(session: AppSession, wanted, timeout: float = 300.0):
    deadline = time.monotonic() + timeout
    page = await session.rerun()
    while not wanted(page) and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        page = await session.rerun()
    return page


async def _clear_caches(url: str, clients: int = 3) -> str:
    for _ in range(clients):
        async with AppSession(url) as other:
            await other.rerun()
            await other.clear_cache()
    return f"{clients} clients sent clear_cache"


async def _paste(url: str) -> str:
    async with AppSession(url) as student:
        await student.rerun()
        await student.goto(PREDICT_PAGE)
        try:
            page = await student.set_widget("text_area", REVIEW_BOX, "great " * (PASTE_BYTES // 6))
        except Exception as error:  # the server closes a connection whose message is over its limit
            return f"refused: {type(error).__name__}"
        return "accepted and clipped" if page.mentions("characters") else "accepted"


async def fresh_owners(url: str, count: int = FRESH_OWNERS) -> dict:
    """``count`` new owners from one address (private windows of one computer) press Train: what each got."""
    outcomes: dict[str, int] = {}
    for i in range(count):
        async with AppSession(url) as window:  # no cookie: a new owner, like a private window
            await window.rerun()
            await window.goto(TRAIN_PAGE)
            await window.set_widget("slider", "Units per layer", [11 + 2 * i])  # odd: no twin of an even-unit job
            page = await window.click("Train")
            outcome = "refused_client_share" if page.mentions("its share of this server") else queue_outcome(page)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


async def _honest_predictions(url: str, stop: asyncio.Event, seconds: list[float]) -> None:
    async with AppSession(url) as honest:
        await honest.rerun()
        await honest.goto(PREDICT_PAGE)
        round_number = 0
        while not stop.is_set():
            page = await honest.set_widget("text_area", REVIEW_BOX, f"{REVIEW} (round {round_number})")
            if page.mentions("% positive]") or page.mentions("% negative]"):
                seconds.append(page.seconds)
            round_number += 1
            await asyncio.sleep(0.5)


async def attack(url: str, pid: int) -> dict:
    """The attacks while the owner's job trains; the server's RSS once warm (a job training, one prediction made)."""
    async with AppSession(url) as owner:
        await owner.rerun()
        await owner.goto(TRAIN_PAGE)
        await owner.click("Train")
        started = _training(await _until(owner, _training))
        stop, seconds = asyncio.Event(), []
        honest = asyncio.create_task(_honest_predictions(url, stop, seconds))
        while not seconds and not honest.done():  # warm: TensorFlow loaded, the predictor answering
            await asyncio.sleep(0.5)
        warm_rss = rss_mb(pid)
        attacks = {"clear_cache": await _clear_caches(url), "paste_20mb": await _paste(url)}
        attacks["ten_fresh_owners"] = await fresh_owners(url)
        stop.set()
        await honest
        after = await owner.rerun()
        lost = 0 if (_training(after) and not after.mentions("-badge[failed]")) else 1
        await owner.click("Stop")
        return {
            "training_started": started,
            "attacks": attacks,
            "jobs_lost": lost,
            "predict_seconds": seconds,
            "warm_rss_mb": warm_rss,
        }


def run(data: str | None, runs_dir: str | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        runs = Path(runs_dir or os.environ.get("IMDB_LAB_RUNS", str(REPO / "runs")))
        setup = ensure_a_run(str(runs), data)
        env = {"IMDB_LAB_RUNS": str(runs), "IMDB_LAB_WARM_TRAINER": "0", "IMDB_LAB_MAX_QUEUED_PER_CLIENT": "3"}
        if data:
            env["IMDB_DATA"] = data
        with streamlit_server(env, Path(tmp) / "server.log") as (url, process):
            watcher = RunningJobs(runs)
            watcher.start()
            started = rss_mb(process.pid)
            result = asyncio.run(attack(url, process.pid))
            after = rss_mb(process.pid)
            watcher.stop.set()
            watcher.join()
            alive = process.poll() is None
    return {
        "machine": machine(),
        "setup": setup,
        "server_alive_at_end": alive,
        "training_started": result["training_started"],
        "attacks_tried": result["attacks"],
        "jobs_lost": result["jobs_lost"],
        "most_jobs_running_at_once": watcher.most,
        "server_rss_mb_at_start": round(started, 1),
        "server_rss_mb_before_attacks": round(result["warm_rss_mb"], 1),  # warm: a job training, a prediction made
        "server_rss_mb_after": round(after, 1),
        "honest_predictions": len(result["predict_seconds"]),
        "honest_predict_p50_s": percentile(result["predict_seconds"], 50),
        "honest_predict_p95_s": percentile(result["predict_seconds"], 95),
    }


def main() -> None:
    args = data_and_runs(__doc__.splitlines()[0])
    emit(run(args.data, args.runs))


if __name__ == "__main__":
    main()
