"""Managing runs in the app (Evaluate's "Manage this run": nickname, tags, delete with a dialog) and the job toast."""

from __future__ import annotations

import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from core.runs import manage
from core.runs.store import RunStore, best_run
from tests.app.ui_helpers import assert_clean, new_app, texts, widget
from tests.conftest import TINY
from ui.shared import notices, state

ME = "session-me"


@pytest.fixture
def owned_runs(fake_manager, tiny_runs, tmp_path, monkeypatch) -> RunStore:
    """A writable copy of the two tiny runs: the best one is this session's, the other someone else's."""
    root = tmp_path / "runs"
    shutil.copytree(tiny_runs, root, ignore=shutil.ignore_patterns(".jobs"))
    monkeypatch.setenv("IMDB_LAB_RUNS", str(root))
    store = RunStore(root)
    best = best_run(store.list())
    for run in store.list():
        meta = json.loads((run.path / "run.json").read_text())
        meta["owner"] = ME if run.run_id == best.run_id else "someone-else"
        (run.path / "run.json").write_text(json.dumps(meta))
    return store


def _evaluate(session_id: str = ME):
    at = new_app()
    at.session_state["session_id"] = session_id
    at.run()
    at.switch_page("pages/evaluate.py").run()
    assert_clean(at)
    return at


def test_the_owner_renames_tags_and_deletes_after_confirming(owned_runs, fake_manager):
    best = best_run(owned_runs.list())
    at = _evaluate()
    widget(at, "text_input", f"run_admin_nickname_{best.run_id}").input("my best run")
    widget(at, "multiselect", f"run_admin_tags_{best.run_id}").select("week-1")
    next(b for b in at.button if b.label == "Save").click().run()
    assert_clean(at)
    labelled = owned_runs.get(best.run_id)
    assert (labelled.nickname, labelled.tags) == ("my best run", ("week-1",))
    assert "my best run" in widget(at, "selectbox", "evaluate_run").format_func(best.run_id)

    widget(at, "button", "run_admin_delete").click().run()
    assert "cannot be undone" in texts(at)  # the dialog asks first; nothing is deleted yet
    widget(at, "button", "run_admin_cancel_delete").click().run()
    assert best.run_id in {r.run_id for r in owned_runs.list()}

    fake_manager.busy_families = {manage.family(best)}
    widget(at, "button", "run_admin_delete").click().run()
    widget(at, "button", "run_admin_confirm_delete").click().run()
    assert "is in use" in texts(at) and best.run_id in {r.run_id for r in owned_runs.list()}

    fake_manager.busy_families = set()
    widget(at, "button", "run_admin_confirm_delete").click().run()  # the dialog stayed open
    assert_clean(at)
    assert best.run_id not in {r.run_id for r in owned_runs.list()} and fake_manager.deleted == [best.run_id]
    assert f"Deleted run {best.run_id}" in texts(at)


def test_only_the_owner_may_change_a_run(owned_runs):
    at = _evaluate(session_id="a-stranger")
    assert widget(at, "button", "run_admin_delete").disabled
    assert next(b for b in at.button if b.label == "Save").disabled
    assert "Only the browser session that trained this run" in texts(at)


def _toast_elsewhere():
    from ui.shared import notices

    notices.job_finished_toast(on_train_page=False)


def _toast_on_the_train_page():
    from ui.shared import notices

    notices.job_finished_toast(on_train_page=True)


def _session(at: AppTest, job_id: str) -> AppTest:
    at.session_state["session_id"] = ME
    at.session_state[state.TRAIN_JOB_KEY] = job_id
    return at


def test_app_py_toasts_when_this_sessions_job_has_finished(fake_manager, runs_env):
    """The toast quotes validation accuracy (what runs are chosen by), never the test's: that is the teacher's call."""
    run = runs_env.best()
    job_id = fake_manager.add(TINY, owner=ME, state="done", run_id=run.run_id, test_metrics={"accuracy": 0.871})
    at = _session(new_app(), job_id).run()
    assert_clean(at)
    assert [t.value for t in at.toast] == [
        f"Your training finished: {run.validation_accuracy:.3f} validation accuracy. "
        f"Run `{run.run_id}` is on Predict and Evaluate."
    ]


def test_the_toast_comes_once_per_job_and_only_for_this_session(fake_manager):
    job_id = fake_manager.add(TINY, owner=ME)
    at = _session(AppTest.from_function(_toast_elsewhere), job_id).run()
    assert_clean(at)
    assert not at.toast  # still running: nothing yet
    fake_manager.update(job_id, state="cancelled", run_id="fast-abc-partial")
    at.run()
    assert [t.value for t in at.toast] == ["Your training was stopped; the partial run `fast-abc-partial` was kept."]
    at.run()
    assert not at.toast and at.session_state[notices.TOLD_KEY] == job_id

    other = fake_manager.add(TINY, owner="someone-else", state="failed", error="boom")
    at.session_state[state.TRAIN_JOB_KEY] = other  # the Train page may show another session's job
    at.run()
    assert not at.toast


def test_no_toast_on_the_train_page_which_shows_the_result_itself(fake_manager):
    job_id = fake_manager.add(TINY, owner=ME, state="done", run_id="fast-abc", test_metrics={"accuracy": 0.8})
    at = _session(AppTest.from_function(_toast_on_the_train_page), job_id).run()
    assert_clean(at)
    assert not at.toast and at.session_state[notices.TOLD_KEY] == job_id  # seen: no toast on the next page


def test_a_job_that_trained_nothing_is_never_told_as_your_training(fake_manager):
    """A cached job (this student's own stored run) says it was already trained, not "your training finished"."""
    job_id = fake_manager.add(TINY, owner=ME, state="done", cached=True, run_id="lstm-abc", test_metrics={})
    at = _session(AppTest.from_function(_toast_elsewhere), job_id).run()
    assert_clean(at)
    [toast] = [t.value for t in at.toast]
    assert toast.startswith("This network was already trained: showing it") and "Your training" not in toast
