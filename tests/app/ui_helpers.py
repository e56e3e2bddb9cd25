"""Helpers for the page tests (Streamlit's AppTest): running pages, reading charts, a fake job manager.

The fake manager stands in for ``ui.shared.resources.job_manager`` (the one function the pages
get their trainer from), so page tests take seconds and never import Keras.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import sys

import pyarrow as pa
from streamlit.testing.v1 import AppTest

from core.access import NotAllowed
from core.config import TrainConfig
from core.jobs.manager import JobSnapshot
from core.runs.calibration import Calibration
from tests.conftest import REPO, TEACHER_TOKEN

APP = REPO / "app.py"
TIMEOUT = 60


def new_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def run_page(page: str | None = "explore") -> AppTest:
    """A fresh session: run the app (it opens on Start here), then switch to ``pages/<page>.py`` (None: stay)."""
    at = new_app().run()
    if page:
        at.switch_page(f"pages/{page}.py").run()
    return at


def unlock_teacher(at: AppTest, token: str = TEACHER_TOKEN) -> AppTest:
    """Type ``token`` in the sidebar's Teacher box and press Unlock (the box is a form), as the teacher does.

    The box is drawn by ``app.py``. A browser's every run starts there; AppTest's runs after
    the first start at the page file (the ``pages/`` folder looks like Streamlit's legacy
    layout to it), so the press is sent to the main script here, as a browser sends it.
    """
    at.text_input(key="teacher_token_input").input(token)
    next(b for b in at.button if b.label == "Unlock teacher mode").click()
    at._page_hash = at._finished_page_script_hash = ""  # AppTest: "" runs the main script
    return at.run()


def submit_review(at: AppTest, review: str) -> AppTest:
    """Type ``review`` in the Predict page's box and press its Predict button (the box is in a form)."""
    at.text_area(key="predict_text").input(review)
    next(b for b in at.button if b.label == "Predict").click().run()
    return at


def heavy_imports_of_a_fresh_server(steps: str = "") -> list[str]:
    """Which of keras and tensorflow a fresh interpreter imports running app.py, then ``steps``.

    ``steps`` is Python acting on ``at`` (an AppTest that has run once); a page problem
    fails the run. A fresh interpreter, because pytest's own process has TensorFlow.
    """
    code = (
        "import sys; from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=120).run()\n"
        f"{steps}\n"
        "assert not at.exception, [e.value for e in at.exception]\n"
        "print(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=os.environ.copy(), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1].replace("'", '"'))


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def codes(at: AppTest) -> list[str]:
    """The page's code blocks, without the "Copy link" address (ui.shared.links) every page shows first."""
    link = re.compile(r"(https?://[^/]*)?/?[a-z]*(\?\S*)?")
    return [c.value for c in at.code if not link.fullmatch(c.value)]


def texts(at: AppTest) -> str:
    """All Markdown, captions, metrics and alerts on the page, as one string."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [e.value for kind in ("error", "warning", "info", "success") for e in getattr(at, kind)]
    parts += [h.value for h in at.header] + [h.value for h in at.subheader] + [t.value for t in at.title]
    return "\n".join(parts)


def charts(at: AppTest) -> list:
    return list(at.get("vega_lite_chart"))


def chart_spec(chart) -> dict:
    return json.loads(chart.proto.spec)


def chart_data(chart) -> list:
    """The chart's datasets as pandas frames, in the order Streamlit sent them."""
    return [pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.proto.datasets]


def widget(at: AppTest, kind: str, key: str):
    return next(w for w in getattr(at, kind) if w.key == key)


# ---------------------------------------------------------------- fake job manager


def batch_rows(epochs: int, batches: int) -> tuple:
    rows, step = [], 0
    for epoch in range(1, epochs + 1):
        for batch in range(1, batches + 1):
            step += 1
            rows.append(
                {
                    "step": step,
                    "epoch": epoch,
                    "batch": batch,
                    "loss": 0.7 - 0.02 * step,
                    "accuracy": min(1.0, 0.5 + 0.02 * step),
                }
            )
    return tuple(rows)


def epoch_rows(epochs: int, overfit: bool = False) -> tuple:
    return tuple(
        {
            "epoch": e,
            "loss": 0.6 - 0.1 * e,
            "accuracy": 0.6 + 0.1 * e,
            "val_loss": (0.5 + 0.05 * e) if overfit else 0.62 - 0.08 * e,
            "val_accuracy": 0.7 if overfit else 0.6 + 0.08 * e,
        }
        for e in range(1, epochs + 1)
    )


def make_snapshot(job_id: str, config: TrainConfig, **changes) -> JobSnapshot:
    """A running job halfway through epoch 2 of 4 (10 batches each), unless ``changes`` say otherwise."""
    values = dict(
        job_id=job_id,
        state="running",
        config=config,
        owner=None,
        queue_position=None,
        phase="training",
        epoch=2,
        epochs=4,
        batch=5,
        batches_per_epoch=10,
        samples_seen=1920,
        samples_per_second=640.0,
        elapsed_seconds=12.0,
        eta_seconds=25.0,
        batch_history=batch_rows(2, 10)[:15],
        epoch_history=epoch_rows(1),
        error=None,
        run_id=None,
        cached=False,
        partial=False,
        test_metrics=None,
        train_seconds=None,
    )
    values.update(changes)
    return JobSnapshot(**values)


class FakeJobManager:
    """The ``core.jobs.manager.JobManager`` API, with snapshots the test sets by hand."""

    def __init__(self):
        self.snapshots: dict[str, JobSnapshot] = {}
        self.submitted: list[tuple] = []
        self.clients: list[str | None] = []  # where each submit came from
        self.cancelled: list[str] = []
        self.busy_families: set[str] = set()  # run families a job "uses": deleting them is refused
        self.time_budget_seconds: float | None = None  # the real executors' setting (the Train page reads it)
        self.deleted: list[str] = []

    def submit(self, config, *, retrain=False, owner=None, keep_partial=True, data=None, client=None) -> str:
        job_id = f"job-{len(self.snapshots) + 1}"
        self.submitted.append((config, retrain, owner))
        self.clients.append(client)
        self.snapshots[job_id] = make_snapshot(job_id, config, owner=owner)
        return job_id

    def snapshot(self, job_id):
        return self.snapshots[job_id]

    def jobs(self):
        return list(self.snapshots.values())

    def cancel(self, job_id, keep_partial=True, *, by=None):
        if by is not None and not by.may_act_on(self.snapshots[job_id].owner):
            raise NotAllowed("This is someone else's job: only they, or the teacher, can stop it.")
        self.cancelled.append(job_id)
        self.update(job_id, state="cancelled", phase="cancelled", partial=keep_partial, run_id="fast-partial")

    def clear_queue(self, *, by):
        if not by.teacher:
            raise NotAllowed("Only the teacher can clear the queue.")
        waiting = [j for j, snap in self.snapshots.items() if snap.state == "queued"]
        for job_id in waiting:
            self.cancel(job_id, by=by)
        return waiting

    def calibration(self, data=None, *, live=True, config=None):
        return Calibration()

    def delete_run(self, run_id):
        from core.runs import manage
        from core.runs.store import RunStore

        run = manage.delete(RunStore(), run_id, self.busy_families)
        self.deleted.append(run_id)
        return run

    def update(self, job_id, **changes):
        self.snapshots[job_id] = dataclasses.replace(self.snapshots[job_id], **changes)

    def add(self, config, **changes) -> str:
        job_id = f"job-{len(self.snapshots) + 1}"
        self.snapshots[job_id] = make_snapshot(job_id, config, **changes)
        return job_id
