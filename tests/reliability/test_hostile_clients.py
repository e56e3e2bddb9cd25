"""Clients that misbehave, against a real server through the websocket protocol (:mod:`bench.wsclient`).

Issue 28: one ``BackMsg(clear_cache=True)`` from any student used to rebuild the job
manager beside the running one: the running job showed as failed and unstoppable, and the
next Train started a second training on the same cores.
"""

from __future__ import annotations

import asyncio
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.appserver import rss_mb, streamlit_server
from bench.hostile import fresh_owners
from bench.wsclient import AppSession

FIRST_BATCH = re.compile(r"Epoch \d+/\d+ · batch \d+/\d+")
TRAIN_PAGE = "Train a model"


async def _until(session: AppSession, wanted, timeout: float = 300.0):
    """Rerun ``session``'s page until ``wanted(page)`` holds; the last page run."""
    deadline = time.monotonic() + timeout
    page = await session.rerun()
    while not wanted(page):
        if time.monotonic() > deadline:
            raise TimeoutError(" | ".join(page.texts)[-600:])
        await asyncio.sleep(0.3)
        page = await session.rerun()
    return page


def _training(page) -> bool:
    return any(FIRST_BATCH.search(text) for text in page.texts)


async def _clear_cache_while_a_job_trains(url: str) -> dict:
    async with AppSession(url) as owner, AppSession(url) as other:
        await owner.rerun()
        await owner.goto(TRAIN_PAGE)
        await owner.click("Train")
        await _until(owner, _training)

        await other.rerun()
        await other.clear_cache()  # what the menu's "Clear cache" sends, from another student
        await asyncio.sleep(1.0)
        await other.rerun()
        await other.goto(TRAIN_PAGE)
        await other.set_widget("slider", "Units per layer", [24])  # not the same config: that would join the job
        await other.click("Train")
        second = await other.rerun()

        after = await owner.rerun()
        still_training = _training(after) and not after.mentions("-badge[failed]")
        second_queued = second.mentions("-badge[queued]") or any("in the queue" in t for t in second.texts)
        ten_owners = await fresh_owners(url, 10)  # ten private windows of one computer, while the job trains
        await owner.click("Stop")
        stopped = await _until(owner, lambda page: page.mentions("-badge[cancelled]") or page.mentions("-badge[done]"))
        return {
            "still_training_after_clear": still_training,
            "second_job_queued": second_queued,
            "owner_stopped_it": stopped.mentions("-badge[cancelled]"),
            "second_page": " | ".join(second.texts),
            "ten_owners": ten_owners,
        }


async def _paste_20_mb(url: str, pid: int) -> dict:
    """A 20 MB text in one message, as a paste into a review box sends it; then an honest student's page."""
    before = rss_mb(pid)
    async with AppSession(url) as student:
        await student.rerun()
        student.values["paste"] = WidgetState(id="paste", string_value="great " * (20 * 2**20 // 6))
        try:
            await student.rerun()
            refused = False
        except Exception:  # the server closes a connection whose message is over server.maxMessageSize
            refused = True
    async with AppSession(url) as honest:
        answered = bool((await honest.rerun()).texts)
    return {"refused": refused, "grew_mb": rss_mb(pid) - before, "server_answers": answered}


@pytest.mark.slow
def test_clear_cache_keeps_the_running_job_and_one_training_ten_owners_get_one_share_and_a_20_mb_paste_is_refused(
    shared_archive, session_cache, tmp_path
):
    env = {
        "IMDB_DATA": str(shared_archive),
        "IMDB_LAB_CACHE": str(session_cache),
        "IMDB_LAB_RUNS": str(tmp_path / "runs"),
        "IMDB_LAB_TEST_SLICE": "6000",  # long enough to still train when the message arrives
        "IMDB_LAB_WARM_TRAINER": "0",
        "IMDB_LAB_MAX_QUEUED_PER_CLIENT": "3",
    }
    with streamlit_server(env, tmp_path / "server.log") as (url, process), ThreadPoolExecutor(1) as pool:
        # In its own thread: the sync Playwright of the browser tests may hold this thread's event loop.
        result = pool.submit(asyncio.run, _clear_cache_while_a_job_trains(url)).result()
        paste = pool.submit(asyncio.run, _paste_20_mb(url, process.pid)).result()
    assert result["still_training_after_clear"], result
    assert result["second_job_queued"], result  # one manager, one training slot: the second waits its turn
    assert result["owner_stopped_it"], result
    # All from 127.0.0.1, like the second student: its share is 3 waiting jobs, one of them the second's.
    ten = result["ten_owners"]
    assert ten.get("queued", 0) == 2 and ten.get("refused_client_share", 0) == 8, ten
    assert paste["refused"] and paste["server_answers"] and paste["grew_mb"] < 100, paste
