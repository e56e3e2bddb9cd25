"""Train click -> first curve point, and click -> stored run, in a real server (issue 26).

    python -m bench.first_curve [--rounds 2] [--settle 30]

For each mode, the next job's training process started ahead (the default) and not
(``IMDB_LAB_WARM_TRAINER=0``), and for each round, a server starts on a fresh runs folder
(nothing is cached), one websocket session (:mod:`bench.wsclient`) opens Train, waits
``--settle`` seconds (a class reads the page before pressing; the process started ahead
gets ready meanwhile), and presses **Train** with the default preset. It then asks for the
page every 0.25 s, as the live view does, until the page shows the first batch (the first
curve point) and until the job is done. The run's own training seconds come from the
stored run, so ``click_to_result / train_seconds`` is what the wait around the training costs.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from bench.appserver import streamlit_server
from bench.common import emit, machine
from bench.wsclient import AppSession

#: The progress line of a job that has trained its first batch ("Epoch 1/2 · batch 1/88").
FIRST_BATCH = re.compile(r"Epoch \d+/\d+ · batch \d+/\d+")


async def _press_train(url: str, settle: float, timeout: float = 600.0) -> dict:
    async with AppSession(url) as session:
        await session.rerun()
        await session.goto("Train a model")
        await asyncio.sleep(settle)
        clicked = time.perf_counter()
        page = await session.click("Train")
        first = None
        while time.perf_counter() - clicked < timeout:
            if first is None and any(FIRST_BATCH.search(text) for text in page.texts):
                first = time.perf_counter() - clicked
            if page.mentions("-badge[done]"):
                return {"first_curve_s": round(first, 2) if first else None,
                        "click_to_result_s": round(time.perf_counter() - clicked, 2)}  # fmt: skip
            if page.mentions("-badge[failed]"):
                raise RuntimeError("the training job failed: " + " | ".join(page.texts)[-400:])
            await asyncio.sleep(0.25)
            page = await session.rerun()
    raise TimeoutError("no result in time")


def one_round(warm: bool, settle: float, data: str | None) -> dict:
    from core.runs.store import RunStore

    with tempfile.TemporaryDirectory() as tmp:
        env = {"IMDB_LAB_RUNS": str(Path(tmp) / "runs"), "IMDB_LAB_WARM_TRAINER": "1" if warm else "0"}
        if data:
            env["IMDB_DATA"] = data
        with streamlit_server(env, Path(tmp) / "server.log") as (url, _process):
            timing = asyncio.run(_press_train(url, settle))
        (run,) = RunStore(Path(tmp) / "runs").list()
        timing["train_seconds"] = round(run.train_seconds, 2)
        timing["result_over_training"] = round(timing["click_to_result_s"] / run.train_seconds, 2)
        return timing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--settle", type=float, default=30.0, help="seconds on the Train page before the click")
    parser.add_argument("--data", default=os.environ.get("IMDB_DATA"))
    args = parser.parse_args()
    modes = {"started_ahead": True, "fresh_process": False}
    rounds = {name: [] for name in modes}
    for _ in range(args.rounds):  # alternating, so both modes see the same machine
        for name, warm in modes.items():
            rounds[name].append(one_round(warm, args.settle, args.data))
    summary = {
        name: {key: statistics.median(r[key] for r in runs) for key in ("first_curve_s", "click_to_result_s",
                                                                          "result_over_training")}
        for name, runs in rounds.items()
    }  # fmt: skip
    emit({"benchmark": "first_curve", "machine": machine(), "settle_s": args.settle, "median": summary,
          "rounds": rounds, "goal": {"first_curve_s": 3.0, "result_over_training": 1.5}})  # fmt: skip


if __name__ == "__main__":
    main()
