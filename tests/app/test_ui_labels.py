"""Evaluate's "How many labels" section with two of its six cells stored: the chart, the missing cells, the button.

The section runs by itself (``AppTest.from_function``, a fraction of a second a rerun); the Evaluate
page tests (:mod:`tests.app.test_ui_evaluate`) run it inside the page, with none of its cells stored.

The two cells are fake stored runs (:func:`tests.core.runs.fake_runs.save_fake_run`, no training) of the
grid's own configs, beside the two tiny real runs the rest of the page shows.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from core import settings
from core.jobs.records import JobRefused
from core.runs import labels
from tests.app.ui_helpers import assert_clean, chart_data, charts, texts
from tests.core.runs.fake_runs import save_fake_run
from ui.classroom import identity
from ui.shared import state

pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.fixture
def half_grid(board_runs, imdb, teacher_token):
    """A server with a teacher, the tiny runs, and runs of two cells: from scratch at 2,000, GloVe at all reviews."""
    cells = labels.grid()
    stored = {
        (2000, "learned"): save_fake_run(
            board_runs, config=cells[2].config, accuracy=0.30, fingerprint=imdb.fingerprint
        ),
        (25000, "glove-50d"): save_fake_run(
            board_runs, config=cells[5].config.replace(seed=77), accuracy=0.35, fingerprint=imdb.fingerprint
        ),
    }
    return stored


def labels_chart(at):
    [chart] = [c for c in charts(at) if "against training reviews" in json.loads(c.proto.spec).get("title", "")]
    return json.loads(chart.proto.spec)["title"], chart_data(chart)[0]


MISSING = (
    "Not trained yet: from scratch at 500 reviews, GloVe 50d, fine-tuned at 500 reviews, "
    "GloVe 50d, fine-tuned at 2,000 reviews, from scratch at 25,000 reviews."
)


def test_a_student_sees_validation_accuracy_and_the_missing_cells_but_no_button(
    half_grid, board_runs, imdb, monkeypatch
):
    at = section_as(board_runs, imdb, teacher=False)
    title, points = labels_chart(at)
    assert title.startswith("Validation accuracy")
    shown = dict(zip(points["reviews"], points["accuracy"], strict=True))
    assert shown == pytest.approx({cell[0]: run.validation_accuracy for cell, run in half_grid.items()})
    assert MISSING in texts(at)
    assert "Measured on this lab's 2-core machines" in texts(at)
    assert not at.button
    monkeypatch.delenv(settings.TEACHER_TOKEN_ENV)  # a lone learner, no teacher on the server: theirs to train
    assert [b.label for b in section_as(board_runs, imdb, teacher=False).button] == ["Train the missing ones"]


def section_alone(runs, data):
    """The section by itself, as the page calls it (a cheaper rerun than the whole Evaluate page)."""
    from ui.evaluate import labels as labels_section

    labels_section.section(runs, data)


def section_as(store, data, *, teacher: bool, browser: str = "a-browser") -> AppTest:
    at = AppTest.from_function(section_alone, args=(store.list(), data), default_timeout=60)
    at.session_state[identity.TEACHER_KEY] = teacher
    at.session_state[state.SESSION_ID_KEY] = browser
    at.run()
    assert_clean(at)
    return at


def test_the_teachers_button_queues_the_missing_cells_as_the_teacher(half_grid, board_runs, imdb, fake_manager):
    at = section_as(board_runs, imdb, teacher=True, browser="the-teachers-browser")
    title, points = labels_chart(at)
    assert title.startswith("Test accuracy") and sorted(points["accuracy"]) == pytest.approx([0.30, 0.35])
    at.button(key="evaluate_labels_train").click().run()
    assert_clean(at)
    missing = [c.config for c in labels.grid()[:2]] + [labels.grid()[3].config, labels.grid()[4].config]
    assert [config for config, _, _ in fake_manager.submitted] == missing
    assert {owner for _, _, owner in fake_manager.submitted} == {"the-teachers-browser"}
    assert "Queued 4 of 4 runs" in texts(at)

    def one_waiting_job(config, **kwargs):  # the real queue's rule: one waiting job per owner
        if len(fake_manager.submitted) >= 5:
            raise JobRefused("You already have a job waiting in the queue; wait for it or cancel it first.")
        fake_manager.submitted.append((config, False, kwargs["owner"]))
        return "job-x"

    fake_manager.submit = one_waiting_job
    at.button(key="evaluate_labels_train").click().run()
    assert "Queued 1 of 4 runs" in texts(at) and "You already have a job waiting" in texts(at)
    assert "Press again when the queued one has started" in texts(at)
