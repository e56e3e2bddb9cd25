"""The local job manager on tiny slices: history, cache, order, divergence, the ETA, owners, a second stop.

What every executor must do alike (cancel, limits, failures, killed trainings) is in
``test_executor_contract.py``."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from core.jobs.journal import JobJournal
from core.jobs.manager import CANCELLED, DONE, FAILED, JobManager
from core.runs.store import RunStore
from core.serving.predictor import Predictor
from tests.core.conftest import TINY


def test_tiny_training_history_and_cache(manager):
    job = manager.submit(TINY)
    assert manager.submit(TINY) == job  # the same owner and config, queued or training: one job
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
    waits, deadline = [], time.monotonic() + 10  # the journal's last write follows the job's end by a moment
    while not waits and time.monotonic() < deadline:
        waits = JobJournal.of(manager.store).measured_waits()
        time.sleep(0.05)
    [(config, waited, trained)] = waits  # what the user waited: start-up, training, scoring, saving
    assert config == TINY and trained == snap.train_seconds and waited > trained

    started = time.perf_counter()
    again = manager.wait(manager.submit(TINY), timeout=5)
    assert again.cached and again.state == DONE and again.run_id == snap.run_id
    assert time.perf_counter() - started < 5  # no training

    retrained = manager.wait(manager.submit(TINY, retrain=True, owner="b"), timeout=180)
    assert retrained.run_id == snap.run_id + "-r2" and not retrained.cached
    # A student is handed only a run of their own: b's retrain, never the command line's run, and c none.
    fingerprint = manager._load_data().fingerprint
    assert manager.store.find_cached(TINY, fingerprint, "b").run_id == retrained.run_id
    assert manager.store.find_cached(TINY, fingerprint, "c") is None
    assert manager.wait(manager.submit(TINY, owner="b"), timeout=5).run_id == retrained.run_id

    # A stored model reloads and gives the same predictions as the stored test probabilities.
    store = manager.store
    indices, stored = store.test_predictions(snap.run_id)
    predictor = Predictor(snap.run_id, store)
    texts = [manager._load_data().test.texts[i] for i in indices[:20]]
    np.testing.assert_allclose(predictor.predict(texts), stored[:20], atol=1e-5)

    # After a "restart" a new manager lists the same runs.
    listed = {run.run_id for run in RunStore(store.root).list()}
    assert {snap.run_id, retrained.run_id} <= listed


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


def test_divergence_is_marked_and_history_kept(manager, monkeypatch):
    """Real training whose weights blow up (poisoned after 3 batches): NaN loss -> stopped, "diverged"."""
    from core.model import training

    real_build = training.build_model

    def build_then_poison_later(config, *args, **kwargs):
        import keras

        model = real_build(config, *args, **kwargs)

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


# ---------------------------------------------------------------- the ETA (thread, process and RQ share the
# contract in test_executor_contract.py: cancel, limits, failures, killed trainings)


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


def test_a_second_manager_on_the_same_runs_folder_is_refused_until_the_first_shuts_down(imdb, tmp_path):
    """Issue 28: a manager built again in the same process read the running job as interrupted."""
    from core.jobs.manager import ManagerExists

    first = JobManager(runs_dir=tmp_path / "runs", data_loader=lambda: imdb)
    try:
        with pytest.raises(ManagerExists, match="already running"):
            JobManager(runs_dir=tmp_path / "runs", data_loader=lambda: imdb)
        other = JobManager(runs_dir=tmp_path / "other-runs", data_loader=lambda: imdb)  # another folder: fine
        other.shutdown()
    finally:
        first.shutdown()
    JobManager(runs_dir=tmp_path / "runs", data_loader=lambda: imdb).shutdown()
