"""Managing runs: nickname and tags without touching the model, atomic deletes, runs in use, retention."""

from __future__ import annotations

import json
import threading

import pytest

from core.access import Actor
from core.errors import RunError
from core.jobs.manager import DONE, RUNNING, JobManager
from core.runs import manage
from core.runs.manage import Retention
from core.runs.store import RunStore
from tests.conftest import TINY
from tests.core.runs import fake_runs
from tests.core.runs.fake_runs import save_fake_run


@pytest.fixture
def store(tmp_path) -> RunStore:
    return RunStore(tmp_path / "runs")


def test_rename_and_tag_keep_the_id_and_the_model(store):
    run = save_fake_run(store)
    model_before = (run.path / "model.keras").stat()
    assert store.get(run.run_id).nickname is None  # cached verdict, before labels exist
    renamed = manage.rename(store, run.run_id, "  my   first run ")
    assert renamed.run_id == run.run_id and renamed.nickname == "my first run"
    assert store.get(run.run_id).nickname == "my first run"  # the cache saw labels.json change
    assert "my first run (" in store.get(run.run_id).label()
    tagged = manage.tag(store, run.run_id, ["Baseline", "week-1", "baseline"])
    assert tagged.tags == ("baseline", "week-1") and tagged.nickname == "my first run"
    assert manage.tag(store, run.run_id, ["baseline"], remove=True).tags == ("week-1",)
    assert manage.rename(store, run.run_id, "").nickname is None
    after = (run.path / "model.keras").stat()
    assert (after.st_ino, after.st_mtime_ns) == (model_before.st_ino, model_before.st_mtime_ns)
    with pytest.raises(RunError, match="at most 60 characters"):
        manage.rename(store, run.run_id, "x" * 61)
    with pytest.raises(RunError, match="control characters"):
        manage.tag(store, run.run_id, ["a\x00b"])


def test_old_runs_without_owner_or_labels_still_load(store):
    run = save_fake_run(store, owner="session-a")
    assert run.owner == "session-a"
    meta = json.loads((run.path / "run.json").read_text())
    del meta["owner"]
    (run.path / "run.json").write_text(json.dumps(meta))
    (run.path / "labels.json").write_text("{not json")  # damaged labels: the run is still whole
    old = RunStore(store.root).get(run.run_id)
    assert (old.owner, old.nickname, old.tags) == (None, None, ())


def test_delete_is_whole_and_refuses_runs_in_use(store):
    run, other = save_fake_run(store), save_fake_run(store, config=TINY.replace(units=4))
    with pytest.raises(RunError, match="is in use"):
        manage.delete(store, run.run_id, {manage.family(run)})
    manage.delete(store, run.run_id, {manage.family(other)})
    assert [r.run_id for r in store.list()] == [other.run_id]
    assert not any(p.name.startswith(".tmp-") for p in store.root.iterdir())
    with pytest.raises(RunError, match="No run"):
        manage.delete(store, run.run_id)


def test_may_delete_only_the_owner_or_the_teacher(store):
    owned, ownerless = save_fake_run(store, owner="session-a"), save_fake_run(store, config=TINY.replace(units=4))
    assert manage.may_delete(owned, Actor("session-a"))
    assert not manage.may_delete(owned, Actor("session-b")) and not manage.may_delete(owned, Actor(None))
    assert not manage.may_delete(ownerless, Actor(None)) and not manage.may_delete(ownerless, Actor("session-a"))
    assert manage.may_delete(owned, Actor("session-b", teacher=True))
    assert manage.may_delete(ownerless, Actor(None, teacher=True))


def test_a_running_jobs_run_cannot_be_deleted_and_owner_reaches_the_run(tmp_path):
    release = threading.Event()

    def slow_trainer(config, data, reporter):
        release.wait(30)
        return fake_runs.fake_result()

    data = fake_runs.fake_data()
    mgr = JobManager(runs_dir=tmp_path / "runs", trainer=slow_trainer, data_loader=lambda: data)
    try:
        first = save_fake_run(mgr.store)  # the same config and data as the job below
        job = mgr.submit(TINY, retrain=True, owner="session-a")
        while mgr.snapshot(job).state != RUNNING:
            threading.Event().wait(0.01)
        assert manage.family(first) in mgr.busy_families()
        with pytest.raises(RunError, match="in use"):
            mgr.delete_run(first.run_id)
        release.set()
        snap = mgr.wait(job, timeout=30)
        assert snap.state == DONE and mgr.store.get(snap.run_id).owner == "session-a"
        assert mgr.busy_families() == set()
        mgr.delete_run(first.run_id)
        assert [r.run_id for r in mgr.store.list()] == [snap.run_id]
    finally:
        release.set()
        mgr.shutdown()


def test_retention_keeps_newest_per_owner_young_best_and_in_use(store):
    best = save_fake_run(store, owner="a", accuracy=0.95, age_days=9)
    old_a = [save_fake_run(store, owner="a", age_days=age) for age in (8, 7)]
    new_a = [save_fake_run(store, owner="a", age_days=age) for age in (0.2, 0.1)]
    only_b = save_fake_run(store, owner="b", age_days=8)
    cli = save_fake_run(store, owner=None, age_days=8, config=TINY.replace(units=4))
    runs = store.list()

    by_count = {r.run_id for r in Retention(keep_per_owner=2).victims(runs)}
    assert by_count == {r.run_id for r in old_a}  # not the best, not b's only run, not the ownerless one
    by_age = {r.run_id for r in Retention(keep_days=1).victims(runs)}
    assert by_age == {r.run_id for r in [*old_a, only_b, cli]}
    either = {r.run_id for r in Retention(keep_per_owner=2, keep_days=1).victims(runs)}
    assert either == {r.run_id for r in [*old_a, cli]}  # kept when either rule keeps it
    assert Retention(keep_days=1).victims(runs, {manage.family(cli)}) == [
        r for r in Retention(keep_days=1).victims(runs) if r.run_id != cli.run_id
    ]
    assert Retention().victims(runs) == [] and best.run_id not in by_age | by_count
    assert {r.run_id for r in new_a} <= {r.run_id for r in store.list()}


def test_retention_runs_at_start_up_and_after_each_job(tmp_path, monkeypatch):
    store = RunStore(tmp_path / "runs")
    old = save_fake_run(store, owner="a", age_days=5, config=TINY.replace(units=4))
    keep = save_fake_run(store, owner="a", accuracy=0.99, age_days=5)
    monkeypatch.setenv("IMDB_LAB_KEEP_RUN_DAYS", "1")
    data = fake_runs.fake_data()
    mgr = JobManager(runs_dir=store.root, trainer=fake_runs.trainer, data_loader=lambda: data)
    try:
        assert [r.run_id for r in store.list()] == [keep.run_id]  # at start-up: the old run went, the best stayed
        snap = mgr.wait(mgr.submit(TINY.replace(units=6), owner="a"), timeout=30)
        assert snap.state == DONE and old.run_id not in {r.run_id for r in store.list()}
        assert snap.run_id in {r.run_id for r in store.list()}  # younger than a day
        mgr.retention = Retention(keep_per_owner=1)
        snap = mgr.wait(mgr.submit(TINY.replace(units=10), owner="a"), timeout=30)
        mgr.shutdown()  # the worker applies the rule just after the job finishes: wait for it
        assert {r.run_id for r in store.list()} == {keep.run_id, snap.run_id}  # after the job: newest + best
    finally:
        mgr.shutdown()
