"""`python -m core runs [list|rename|tag|delete]` on stored (fake) runs: no training needed."""

from __future__ import annotations

import io
import json
import os

import pytest

from core.cli import main
from core.jobs.journal import JobJournal, job_family
from core.jobs.records import RUNNING, JobRecord
from core.runs.store import RunStore
from tests.conftest import TINY
from tests.core.runs import fake_runs
from tests.core.runs.fake_runs import save_fake_run


@pytest.fixture
def store(tmp_path) -> RunStore:
    return RunStore(tmp_path / "runs")


def _json(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_runs_lists_in_both_forms_with_labels(store, capsys):
    run = save_fake_run(store)
    assert main(["runs", "--runs-dir", str(store.root), "--json"]) == 0  # the form of before subcommands
    assert [r["run_id"] for r in _json(capsys)["runs"]] == [run.run_id]
    assert main(["runs", "rename", run.run_id, "baseline run", "--runs-dir", str(store.root)]) == 0
    assert capsys.readouterr().out == f"Run {run.run_id} is now called 'baseline run'\n"
    assert main(["runs", "tag", run.run_id, "week-1", "Keep", "--runs-dir", str(store.root)]) == 0
    assert capsys.readouterr().out == f"Run {run.run_id} tags: week-1, keep\n"
    assert main(["runs", "--json", "list", "--runs-dir", str(store.root)]) == 0
    listed = _json(capsys)["runs"][0]
    assert (listed["nickname"], listed["tags"]) == ("baseline run", ["week-1", "keep"])
    assert main(["runs", "list", "--runs-dir", str(store.root)]) == 0
    assert capsys.readouterr().out.rstrip().endswith('"baseline run" #week-1 #keep')
    assert main(["runs", "tag", run.run_id, "keep", "--remove", "--json", "--runs-dir", str(store.root)]) == 0
    assert _json(capsys)["tags"] == ["week-1"]


def test_delete_asks_on_a_terminal_and_needs_yes_without_one(store, capsys, monkeypatch):
    run = save_fake_run(store)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["runs", "delete", run.run_id, "--runs-dir", str(store.root)]) == 2
    assert "pass --yes" in capsys.readouterr().err and store.list()

    terminal = io.StringIO("n\n")
    terminal.isatty = lambda: True
    monkeypatch.setattr("sys.stdin", terminal)
    assert main(["runs", "delete", run.run_id, "--runs-dir", str(store.root)]) == 1
    assert "Not deleted" in capsys.readouterr().out and store.list()

    terminal = io.StringIO("y\n")
    terminal.isatty = lambda: True
    monkeypatch.setattr("sys.stdin", terminal)
    assert main(["runs", "delete", run.run_id, "--runs-dir", str(store.root)]) == 0
    assert capsys.readouterr().out.endswith(f"Deleted run {run.run_id}\n") and store.list() == []
    assert main(["runs", "delete", run.run_id, "--yes", "--runs-dir", str(store.root)]) == 2
    assert f"No run {run.run_id}" in capsys.readouterr().err


def test_delete_refuses_a_run_a_live_process_trains(store, capsys):
    run = save_fake_run(store)
    job = JobRecord("job-elsewhere", TINY, True, True, "session-a", state=RUNNING)
    job.data = fake_runs.fake_data()
    journal = JobJournal.of(store)
    journal.write(job)
    entry = json.loads((journal.folder / "job-elsewhere.json").read_text())
    assert entry["family"] == job_family(job)
    entry["pid"] = os.getppid()  # another process, alive: the one that started this test
    (journal.folder / "job-elsewhere.json").write_text(json.dumps(entry))
    assert main(["runs", "delete", run.run_id, "--yes", "--runs-dir", str(store.root)]) == 2
    assert "is in use" in capsys.readouterr().err and store.list()

    entry["pid"] = 2**22 + 12345  # beyond Linux's pid_max: a writer that is gone
    (journal.folder / "job-elsewhere.json").write_text(json.dumps(entry))
    assert main(["runs", "delete", run.run_id, "--yes", "--runs-dir", str(store.root)]) == 0
    assert store.list() == []
