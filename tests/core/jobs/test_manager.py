"""Jobs on tiny slices: history, cache, cancel, order, failures, divergence, child processes, limits."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from core.config import preset
from core.jobs.manager import CANCELLED, DONE, FAILED, JobManager
from core.runs.store import RunStore
from core.serving.predictor import Predictor
from tests.core.conftest import TINY


def test_tiny_training_history_and_cache(manager):
    job = manager.submit(TINY)
    snap = manager.wait(job, timeout=180)
    assert snap.state == DONE, snap.error
    batches_per_epoch = math.ceil(270 / 32)  # 300 reviews, 10% validation
    assert snap.batches_per_epoch == batches_per_epoch
    assert len(snap.batch_history) == 2 * batches_per_epoch
    assert set(snap.batch_history[0]) >= {"step", "epoch", "loss", "accuracy"}
    assert [row["epoch"] for row in snap.epoch_history] == [1, 2]
    assert set(snap.epoch_history[0]) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy"}
    assert 0 <= snap.test_metrics["accuracy"] <= 1 and snap.test_metrics["count"] == 200
    assert snap.samples_per_second > 0 and not snap.cached
    stored = manager.store.get(snap.run_id)
    assert stored.steady_samples_per_second > 0 and stored.host  # what calibrates this machine's estimates

    started = time.perf_counter()
    again = manager.wait(manager.submit(TINY), timeout=5)
    assert again.cached and again.state == DONE and again.run_id == snap.run_id
    assert time.perf_counter() - started < 5  # no training

    retrained = manager.wait(manager.submit(TINY, retrain=True), timeout=180)
    assert retrained.run_id == snap.run_id + "-r2" and not retrained.cached

    # A stored model reloads and gives the same predictions as the stored test probabilities.
    store = manager.store
    indices, stored = store.test_predictions(snap.run_id)
    predictor = Predictor(snap.run_id, store)
    texts = [manager._load_data().test.texts[i] for i in indices[:20]]
    np.testing.assert_allclose(predictor.predict(texts), stored[:20], atol=1e-5)

    # After a "restart" a new manager lists the same runs.
    listed = {run.run_id for run in RunStore(store.root).list()}
    assert {snap.run_id, retrained.run_id} <= listed


def test_cancel_stops_a_running_job_and_keeps_a_partial_run(manager):
    job = manager.submit(TINY.replace(epochs=50, seed=2))
    deadline = time.monotonic() + 120
    while manager.snapshot(job).batch < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    cancelled_at = len(manager.snapshot(job).batch_history)
    manager.cancel(job)
    snap = manager.wait(job, timeout=60)
    assert snap.state == CANCELLED and snap.partial and snap.run_id.endswith("-partial")
    assert len(snap.batch_history) <= cancelled_at + 2  # stopped within a batch (or two in flight)
    assert len(snap.epoch_history) < snap.epoch  # the cut epoch got no validation pass
    run = manager.store.get(snap.run_id)
    assert run.partial
    assert manager.store.find_cached(TINY.replace(epochs=50, seed=2), run.data_fingerprint) is None


def test_cancel_can_discard(manager):
    job = manager.submit(TINY.replace(epochs=50, seed=3))
    while manager.snapshot(job).batch < 1:
        time.sleep(0.05)
    manager.cancel(job, keep_partial=False)
    snap = manager.wait(job, timeout=60)
    assert snap.state == CANCELLED and snap.run_id is None
    assert manager.store.list() == []


def test_jobs_run_in_order_and_know_their_queue_position(manager):
    first = manager.submit(TINY.replace(seed=11, epochs=1))
    second = manager.submit(TINY.replace(seed=12, epochs=1))
    third = manager.submit(TINY.replace(seed=13, epochs=1))
    with manager._lock:  # one consistent look at the queue
        positions = [manager._snapshot(manager._jobs[j]).queue_position for j in (first, second, third)]
    queued = [p for p in positions if p is not None]
    assert positions[2] is not None and queued == list(range(1, len(queued) + 1))  # in submission order
    manager.cancel(third)
    done = [manager.wait(j, timeout=180) for j in (first, second)]
    assert all(s.state == DONE for s in done)
    assert done[0].train_seconds is not None
    assert manager.snapshot(third).state == CANCELLED


def test_a_failing_job_reports_and_the_next_one_runs(imdb, tmp_path):
    calls = []

    def flaky_trainer(config, data, reporter):
        from core.jobs.manager import default_trainer

        calls.append(config.seed)
        if config.seed == 1:
            raise RuntimeError("boom: out of memory")
        return default_trainer(config, data, reporter)

    mgr = JobManager(runs_dir=tmp_path / "runs", trainer=flaky_trainer, data_loader=lambda: imdb)
    try:
        bad = mgr.submit(TINY.replace(seed=1, epochs=1))
        good = mgr.submit(TINY.replace(seed=5, epochs=1))
        assert mgr.wait(bad, timeout=60).state == FAILED
        assert "boom: out of memory" in mgr.snapshot(bad).error
        assert mgr.wait(good, timeout=180).state == DONE
    finally:
        mgr.shutdown()


def test_divergence_is_marked_and_history_kept(manager, monkeypatch):
    """Real training whose weights blow up (poisoned after 3 batches): NaN loss -> stopped, "diverged"."""
    from core.model import training

    real_build = training.build_model

    def build_then_poison_later(config, **kwargs):
        import keras

        model = real_build(config, **kwargs)

        class Poison(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                if batch == 2:
                    emb = self.model.get_layer("embedding")
                    emb.set_weights([emb.get_weights()[0] * np.inf])

        original_fit = model.fit
        model.fit = lambda *a, callbacks=(), **k: original_fit(*a, callbacks=[Poison(), *callbacks], **k)
        return model

    monkeypatch.setattr(training, "build_model", build_then_poison_later)
    snap = manager.wait(manager.submit(TINY.replace(epochs=5, seed=9)), timeout=180)
    assert snap.state == FAILED and "diverged" in snap.error
    assert 3 <= len(snap.batch_history) <= 5  # stopped right after the first NaN batch
    assert not math.isfinite(snap.batch_history[-1]["loss"])
    run = manager.store.get(snap.run_id)  # history kept, marked partial
    assert run.partial and manager.store.history(run.run_id)["batches"]


# ---------------------------------------------------------------- process isolation


def crash_hard(config, data, reporter):
    """A trainer that dies like an out-of-memory kill (module level: the child imports it)."""
    import os
    import signal

    reporter.phase("about to crash")
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.fixture
def process_manager(imdb, tmp_path):
    mgr = JobManager(runs_dir=tmp_path / "runs", data_loader=lambda: imdb, isolation="process")
    yield mgr
    mgr.shutdown()


def test_process_isolated_training_reports_live_and_stores_the_run(process_manager):
    job = process_manager.submit(TINY.replace(seed=31))
    seen_running_batches = set()
    deadline = time.monotonic() + 240
    while not process_manager.snapshot(job).finished and time.monotonic() < deadline:
        snap = process_manager.snapshot(job)
        if snap.state == "running" and snap.batch_history:
            seen_running_batches.add(len(snap.batch_history))
        time.sleep(0.05)
    snap = process_manager.snapshot(job)
    assert snap.state == DONE, snap.error
    assert seen_running_batches, "no live progress arrived from the training process"
    assert len(snap.batch_history) == 2 * math.ceil(270 / 32) and len(snap.epoch_history) == 2
    assert process_manager.store.get(snap.run_id).test_metrics == snap.test_metrics


def test_process_cancel(process_manager):
    job = process_manager.submit(TINY.replace(seed=32, epochs=50))
    deadline = time.monotonic() + 240
    while process_manager.snapshot(job).batch < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    process_manager.cancel(job, keep_partial=False)
    snap = process_manager.wait(job, timeout=120)
    assert snap.state == CANCELLED and snap.run_id is None
    assert len(snap.batch_history) < 50 * 9


def test_a_killed_training_process_fails_the_job_not_the_server(imdb, tmp_path):
    mgr = JobManager(runs_dir=tmp_path / "runs", data_loader=lambda: imdb, isolation="process", trainer=crash_hard)
    try:
        snap = mgr.wait(mgr.submit(TINY.replace(seed=33)), timeout=120)
        assert snap.state == FAILED and "exit code -9" in snap.error and "out of memory" in snap.error
        assert mgr.store.list() == []
    finally:
        mgr.shutdown()


def test_queue_is_bounded_per_owner_and_by_time_budget(imdb, tmp_path):
    from core.jobs.manager import JobRefused

    mgr = JobManager(runs_dir=tmp_path / "runs", data_loader=lambda: imdb, max_queued=2, time_budget_seconds=120)
    try:
        with pytest.raises(JobRefused, match=r"about \d+ min here, more than this server allows \(2 min\)"):
            mgr.submit(preset("tutorial-final"))
        running = mgr.submit(TINY.replace(seed=41, epochs=30), owner="a")
        while mgr.snapshot(running).state == "queued":
            time.sleep(0.05)
        mgr.submit(TINY.replace(seed=42), owner="b")
        with pytest.raises(JobRefused, match="already have a job waiting"):
            mgr.submit(TINY.replace(seed=43), owner="b")
        mgr.submit(TINY.replace(seed=44), owner="c")
        with pytest.raises(JobRefused, match=r"queue is full \(2 jobs waiting\)"):
            mgr.submit(TINY.replace(seed=45), owner="d")
        assert [s.queue_position for s in mgr.jobs() if s.state == "queued"] == [1, 2]
    finally:
        for snap in mgr.jobs():
            mgr.cancel(snap.job_id, keep_partial=False)
        mgr.shutdown()


def _running_record(done_batches: int, per_batch: float, **fields):
    """A running job of 2 epochs x 50 batches that has run ``done_batches`` at ``per_batch`` seconds each."""
    from core.jobs.records import PACE_WINDOW, JobRecord

    job = JobRecord("job-x", TINY, False, True, None, state="running", epochs=2, batches_per_epoch=50, **fields)
    job.epoch, job.batch = divmod(done_batches - 1, 50)[0] + 1, (done_batches - 1) % 50 + 1
    now = time.monotonic()
    job.started = job.train_started = now - done_batches * per_batch
    job.batch_times = [now - k * per_batch for k in range(min(done_batches, PACE_WINDOW))][::-1]
    return job


def test_progress_and_the_measured_pace_give_the_eta():
    """The one place progress and ETA are computed: what the Train page and the CLI both show."""
    from core.jobs.records import JobRecord, snapshot_of
    from core.runs.calibration import DEFAULT_SCORING_SHARE

    job = _running_record(75, 0.4, scoring_seconds=6.0)
    snap = snapshot_of(job, None)
    assert snap.batches_done == 75 and snap.progress == pytest.approx(0.75)
    val_share = TINY.validation_fraction / (1 - TINY.validation_fraction) * DEFAULT_SCORING_SHARE
    assert snap.eta_seconds == pytest.approx(25 * 0.4 * (1 + val_share) + 6.0, rel=0.02)  # training + scoring
    assert snapshot_of(JobRecord("job-y", TINY, False, True, None), 1).eta_seconds is None  # queued: no ETA


def test_before_the_first_batches_the_eta_is_the_calibrated_estimate():
    from core.jobs.records import snapshot_of

    job = _running_record(1, 30.0, estimate_seconds=(50.0, 100.0, 150.0), scoring_seconds=10.0)
    job.batch_times = job.batch_times[-1:]  # one batch (with the model build in it): no pace yet
    assert snapshot_of(job, None).eta_seconds == pytest.approx(100.0 * 99 / 100 + 10.0, rel=0.01)


def test_the_eta_is_smoothed_and_scoring_has_its_own():
    from core.jobs.records import PHASE_SCORING_PARTIAL, snapshot_of

    job = _running_record(60, 1.0)
    first = snapshot_of(job, None).eta_seconds
    job.batch_times = [job.batch_times[-1] - 0.1 * k for k in range(len(job.batch_times))][::-1]  # 10x faster now
    second = snapshot_of(job, None).eta_seconds
    assert first * 0.1 < second < first * 0.8  # it moves towards the new pace, without jumping there
    job.phase, job.train_finished, job.scoring_seconds = PHASE_SCORING_PARTIAL, time.monotonic() - 5.0, 25.0
    assert snapshot_of(job, None).eta_seconds == pytest.approx(20.0, abs=0.5)
    job.train_finished = time.monotonic() - 40.0  # past its estimate: no made-up "under 1 s"
    assert snapshot_of(job, None).eta_seconds is None


def _wait_for_batches(manager, job, batches: int = 2) -> None:
    deadline = time.monotonic() + 120
    while manager.snapshot(job).batch < batches and time.monotonic() < deadline:
        time.sleep(0.05)


def test_jobs_belong_to_their_owner_and_the_teacher_controls_all(manager):
    from core.access import Actor, NotAllowed

    alice, bob, teacher = Actor("alice"), Actor("bob"), Actor("someone", teacher=True)
    running = manager.submit(TINY.replace(epochs=50, seed=3), owner="alice")
    _wait_for_batches(manager, running)
    waiting = manager.submit(TINY.replace(epochs=50, seed=4), owner="bob")
    with pytest.raises(NotAllowed, match="someone else's job"):
        manager.cancel(running, by=bob)
    with pytest.raises(NotAllowed):
        manager.cancel(waiting, by=alice)
    with pytest.raises(NotAllowed, match="Only the teacher"):
        manager.clear_queue(by=bob)
    assert manager.snapshot(running).state == "running" and manager.snapshot(waiting).state == "queued"
    assert manager.clear_queue(by=teacher) == [waiting]
    assert manager.snapshot(waiting).state == CANCELLED
    manager.cancel(running, keep_partial=False, by=teacher)
    assert manager.wait(running, timeout=60).state == CANCELLED


def test_a_second_stop_skips_scoring_the_partial_model(imdb, tmp_path):
    """Stop keeps the partial model and scores it in its own phase; stopping again skips the scoring."""
    from core.jobs.records import PHASE_SCORING_PARTIAL

    manager = JobManager(runs_dir=tmp_path / "runs", data_loader=lambda: imdb)
    try:
        config = TINY.replace(epochs=50, seed=5, test_limit=None)  # 25,000 test reviews: seconds of scoring
        job = manager.submit(config, owner="alice")
        _wait_for_batches(manager, job)
        manager.cancel(job, keep_partial=True)
        deadline = time.monotonic() + 60
        while manager.snapshot(job).phase != PHASE_SCORING_PARTIAL and time.monotonic() < deadline:
            time.sleep(0.01)
        snap = manager.snapshot(job)
        assert snap.phase == PHASE_SCORING_PARTIAL and snap.test_reviews == 25_000 and snap.scoring_seconds > 0
        started = time.monotonic()
        manager.cancel(job, keep_partial=False)
        done = manager.wait(job, timeout=60)
        assert time.monotonic() - started < 2.0  # Stop answers within 2 s
        assert done.state == CANCELLED and done.run_id is None  # nothing half-scored was kept
    finally:
        manager.shutdown()
