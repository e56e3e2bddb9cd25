"""What the server owns survives a client's ``clear_cache`` (issue 28): the same objects after a clear."""

from __future__ import annotations

import threading
import time

import streamlit as st

from ui.shared import resources, server_objects


def test_made_once_per_key_even_when_many_ask_at_once():
    server_objects.forget("probe")
    made = []

    def make():
        time.sleep(0.05)
        made.append(object())
        return made[-1]

    got = []
    threads = [threading.Thread(target=lambda: got.append(server_objects.once("probe", make))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1 and all(g is made[0] for g in got)
    server_objects.forget("probe")
    assert server_objects.peek("probe") is None and server_objects.once("probe", object) is not made[0]
    server_objects.forget("probe")


def test_a_cleared_cache_gives_back_the_same_job_manager_prediction_service_and_slots(monkeypatch):
    import core.jobs.executor
    import core.serving.service

    server_objects.forget_all()
    monkeypatch.setattr(core.jobs.executor, "open_executor", lambda **_: object())
    monkeypatch.setattr(core.serving.service, "PredictionService", lambda root: object())
    before = (resources.job_manager(), resources.prediction_service("/runs"), resources._run_slots(3))
    st.cache_resource.clear()  # what a client's BackMsg(clear_cache=True) does, process-wide
    st.cache_data.clear()
    after = (resources.job_manager(), resources.prediction_service("/runs"), resources._run_slots(3))
    assert all(a is b for a, b in zip(before, after, strict=True))
    server_objects.forget_all()
