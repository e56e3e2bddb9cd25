"""Kill the training server with SIGKILL, again and again: nothing stored may break.

Each round starts a process that trains tiny jobs back to back (alternating in-process
and child-process training, so kills land in training *and* in model saves), kills its
whole process group at a random moment, then checks as a restarted server would: every
run stored before still loads, nothing half-written is listed, stray temp folders are
swept, and the interrupted job is reported as failed. ``IMDB_LAB_KILL_ROUNDS`` sets the
rounds (default 4 in the test suite; 20 for the full soak).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from core.jobs.manager import FAILED, JobManager
from core.runs.store import RunStore
from tests.conftest import REPO

SERVER = r"""
import sys, time
from core.config import TrainConfig
from core.data.dataset import load_dataset
from core.jobs.manager import JobManager
data = load_dataset(sys.argv[1])
manager = JobManager(runs_dir=sys.argv[2], data_loader=lambda: data, isolation=sys.argv[3])
seed = int(sys.argv[4])
while True:
    config = TrainConfig(train_limit=200, test_limit=100, epochs=1, units=4, embedding_dim=4, maxlen=60,
                         num_words=500, batch_size=32, patience=0, seed=seed)
    job = manager.submit(config)
    print("submitted", job, flush=True)
    manager.wait(job)
    print("finished", manager.snapshot(job).state, flush=True)
    seed += 1
"""


@pytest.mark.slow
def test_sigkill_during_training_and_saving(shared_archive, session_cache, imdb, tmp_path):
    rounds = int(os.environ.get("IMDB_LAB_KILL_ROUNDS", "4"))
    runs_dir = tmp_path / "runs"
    rng = random.Random(7)
    env = {**os.environ, "IMDB_LAB_CACHE": str(session_cache), "PYTHONPATH": str(REPO)}
    stored_before: set[str] = set()
    for round_number in range(rounds):
        isolation = "thread" if round_number % 2 == 0 else "process"
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(shared_archive), str(runs_dir), isolation, str(round_number * 100)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        # Once one job has finished (TensorFlow is warm), kill somewhere in the next
        # job's training or saving: a tiny job takes 2-3 s here.
        for line in server.stdout:
            if line.startswith("finished"):
                break
        time.sleep(rng.uniform(0.0, 3.0))
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()

        store = RunStore(runs_dir)
        runs, problems = store.scan()
        assert problems == [], problems  # nothing half-written is listed, or even seen
        ids = {run.run_id for run in runs}
        assert stored_before <= ids, f"round {round_number}: lost {stored_before - ids}"
        for run_id in ids - stored_before:  # new runs are whole: their model loads
            store.load_model(run_id)
        stored_before = ids

        restarted = JobManager(runs_dir=runs_dir, data_loader=lambda: imdb)  # sweeps temp folders
        try:
            assert not any(p.name.startswith(".tmp-") for p in runs_dir.iterdir() if runs_dir.exists())
            interrupted = [s for s in restarted.jobs() if s.state == FAILED and "Interrupted" in (s.error or "")]
            unfinished = [s for s in restarted.jobs() if not s.finished]
            assert not unfinished
        finally:
            restarted.shutdown()
        assert interrupted or ids, "each round either stored runs or left a job marked interrupted"
    assert stored_before, "no round got as far as storing a run: kills came too early to test saving"
