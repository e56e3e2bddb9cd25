"""The live training curves draw without a Vega warning in the browser's console, in every state of a job.

A classroom's console stays clean (issue 31): Vega warns "Infinite extent" when a layer's
data is empty (no validation point before the first epoch ends; the hover rule until the
pointer is over the chart) and its scale's extent has to come from that data.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import streamlit_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def curves_url(artifacts):
    with streamlit_server({}, artifacts / "curves-server.log", script="tests/browser/scripts/train_curves.py") as url:
        yield url


@pytest.mark.parametrize("state", ["first-batches", "one-epoch", "finished"])
def test_the_training_curves_leave_no_warning_in_the_console(page, curves_url, state):
    faults: list[str] = []
    page.on("console", lambda m: faults.append(f"{m.type}: {m.text}") if m.type in ("warning", "error") else None)
    page.goto(f"{curves_url}/?state={state}")
    page.get_by_text("All charts drawn.").wait_for(timeout=60_000)
    page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg').nth(1).wait_for()
    page.locator('[data-testid="stVegaLiteChart"]').first.hover()  # the hover rule's layer gets its data
    page.wait_for_timeout(1500)
    assert faults == [], faults
