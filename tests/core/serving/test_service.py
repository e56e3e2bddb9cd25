"""The prediction process: same answers as in-process prediction, and it survives its own death."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from core.errors import RunError
from core.serving.explain import explain
from core.serving.predictor import Predictor
from core.serving.service import PredictionService
from tests.conftest import REPO

TEXTS = ["the story was great", "the story was awful", "", "great great awful"]


@pytest.fixture
def service(toy):
    _, store, _ = toy
    service = PredictionService(store.root, timeout=60)
    yield service
    service.close()


def test_answers_match_the_model_loaded_here(toy, service):
    _, store, snap = toy
    run = store.get(snap.run_id)
    here = Predictor(snap.run_id, store)
    np.testing.assert_allclose(service.predict(run.run_id, run.created, TEXTS), here.predict(TEXTS), atol=1e-6)
    remote = service.explain(run.run_id, run.created, "The music was GREAT, the people awful!")
    local = explain(here, "The music was GREAT, the people awful!")
    assert remote.probability == pytest.approx(local.probability, abs=1e-6)
    assert [w.word for w in remote.words] == [w.word for w in local.words]
    assert service.pid() not in (None, os.getpid())


def test_unknown_or_remade_runs_are_refused_and_the_service_carries_on(toy, service):
    _, store, snap = toy
    run = store.get(snap.run_id)
    with pytest.raises(RunError, match="No run"):
        service.predict("custom-0000000000", 1.0, ["x"])
    with pytest.raises(RunError, match="changed on disk"):
        service.predict(run.run_id, run.created + 1, ["x"])
    assert service.predict(run.run_id, run.created, ["great"])[0] > 0.5
    assert service.restarts == 0


def test_a_killed_process_fails_its_request_and_the_next_one_restarts_it(toy, service):
    _, store, snap = toy
    run = store.get(snap.run_id)
    service.warm(run.run_id, run.created)
    outcome = {}

    def big_request():
        try:
            outcome["value"] = service.predict(run.run_id, run.created, ["the story was great " * 30] * 20_000)
        except RunError as error:
            outcome["error"] = str(error)

    worker = threading.Thread(target=big_request)
    worker.start()
    time.sleep(1.0)  # the child is busy scoring
    os.kill(service.pid(), signal.SIGKILL)
    worker.join(timeout=60)
    assert "stopped (exit code -9" in outcome.get("error", ""), outcome.keys()
    assert service.predict(run.run_id, run.created, ["the story was great"])[0] > 0.5
    assert service.restarts == 1


def test_a_request_over_the_time_limit_is_stopped(toy):
    _, store, snap = toy
    run = store.get(snap.run_id)
    service = PredictionService(store.root, timeout=20)
    try:
        service.warm(run.run_id, run.created)
        service.timeout = 0.5
        with pytest.raises(RunError, match=r"more than 0\.5 s"):
            service.predict(run.run_id, run.created, ["the story was great " * 30] * 20_000)
        service.timeout = 60
        assert service.predict(run.run_id, run.created, ["awful"])[0] < 0.5
    finally:
        service.close()


def test_closing_ends_the_process(toy):
    _, store, snap = toy
    run = store.get(snap.run_id)
    service = PredictionService(store.root)
    service.warm(run.run_id, run.created)
    pid = service.pid()
    service.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_the_process_exits_when_the_server_dies(toy):
    """A server killed with SIGKILL cannot stop its children: the prediction process notices its pipe close."""
    _, store, snap = toy
    run = store.get(snap.run_id)
    code = (
        "import sys; from core.serving.service import PredictionService\n"
        f"service = PredictionService({str(store.root)!r})\n"
        f"service.warm({run.run_id!r}, {run.created!r})\n"
        "print(service.pid(), flush=True)\n"
        "import os, signal; os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]
    child = int(result.stdout.split()[-1])
    deadline = time.monotonic() + 20
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by init) counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
