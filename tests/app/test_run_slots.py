"""Page runs take turns (``ui.shared.resources.run_slot``): a class clicking at once does not starve the server."""

from __future__ import annotations

import threading
import time

import pytest

from ui.shared import resources


def _peak_inside(runs: int, hold: float = 0.05) -> int:
    """Start ``runs`` page runs at once; how many were inside their slot at the same time."""
    inside, peak, lock = [0], [0], threading.Lock()

    def page_run():
        with resources.run_slot():
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            time.sleep(hold)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=page_run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return peak[0]


@pytest.mark.parametrize("setting, expected", [("2", 2), ("1", 1), ("0", 8)])
def test_at_most_the_configured_number_compute_at_once(monkeypatch, setting, expected):
    monkeypatch.setenv("IMDB_LAB_CONCURRENT_RUNS", setting)
    assert _peak_inside(8, hold=0.2) == expected


def _wait_beside(first_run_gives_up: bool) -> float:
    """How long a page run waits for its slot while another run is busy (having given up its slot or not)."""
    busy, done = threading.Event(), threading.Event()

    def first_run():  # e.g. a session storing an uploaded archive, or one waiting for the model
        with resources.run_slot():
            if first_run_gives_up:
                resources.give_up_slot()  # as the Predict page does before asking the prediction process
            busy.set()
            done.wait(10)

    first = threading.Thread(target=first_run)
    first.start()
    busy.wait(5)
    started = time.perf_counter()
    with resources.run_slot():
        waited = time.perf_counter() - started
    done.set()
    first.join()
    return waited


def test_a_run_that_waits_too_long_goes_ahead_anyway(monkeypatch):
    monkeypatch.setenv("IMDB_LAB_CONCURRENT_RUNS", "1")
    monkeypatch.setattr(resources, "RUN_SLOT_WAIT", 0.2)
    assert 0.15 < _wait_beside(first_run_gives_up=False) < 2
    assert _peak_inside(3) == 1  # the slot the busy run held was given back, the late one took none


def test_a_run_waiting_for_the_model_lets_another_run_compute(monkeypatch):
    monkeypatch.setenv("IMDB_LAB_CONCURRENT_RUNS", "1")
    assert _wait_beside(first_run_gives_up=True) < 0.1  # not the 60 s RUN_SLOT_WAIT
    assert _peak_inside(3) == 1  # the slot was given back once, not twice
