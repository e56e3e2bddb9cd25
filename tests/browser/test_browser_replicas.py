"""Two real app replicas on one runs folder and one Redis queue, a real ``rq worker``, headless Chromium.

A job started through replica A is watched live on replica B (by another student, who
may watch but not stop it); the run the worker saves is then predicted on both.
"""

from __future__ import annotations

import re

import pytest

from bench import queue_cluster
from tests.browser.conftest import TEST_SLICE, streamlit_server
from tests.browser.test_browser_app import EXCEPTION, app_button, wait_for_app

pytestmark = pytest.mark.browser

JOB_IN_URL = re.compile(r"[?&]job=(job-[0-9a-f]{8})")


@pytest.fixture(scope="module")
def replicas(shared_archive, session_cache, tmp_path_factory, artifacts):
    root = tmp_path_factory.mktemp("replicas")
    try:
        with queue_cluster.redis_server(root / "redis") as url:
            env = {
                "IMDB_DATA": str(shared_archive),
                "IMDB_LAB_CACHE": str(session_cache),
                "IMDB_LAB_RUNS": str(root / "runs"),
                "IMDB_LAB_TEST_SLICE": str(TEST_SLICE),
                "IMDB_LAB_QUEUE_URL": url,
                # Streamlit takes the cookie secret from its config or environment only, not a flag.
                "STREAMLIT_SERVER_COOKIE_SECRET": "the-same-secret-on-every-replica",
            }
            with (
                queue_cluster.workers(url, 1, env, root / "workers"),
                streamlit_server(env, artifacts / "replica-a.log") as a,
                streamlit_server(env, artifacts / "replica-b.log") as b,
            ):
                yield a, b
    except queue_cluster.ClusterFailed as error:
        pytest.fail(str(error))


def _ask(page, url: str) -> None:
    """Type a review on ``url``'s Predict page and score it (the replica's prediction process loads the run)."""
    page.goto(f"{url}/predict")
    page.wait_for_selector('h1:has-text("Predict")', timeout=60_000)
    wait_for_app(page)
    box = page.get_by_label("Your review")
    box.fill("A wonderful, moving film. I loved it.")
    box.press("Control+Enter")


def _verdict(page) -> float:
    page.locator(".lab-why .w").first.wait_for(timeout=90_000)
    wait_for_app(page)
    probability = page.locator('[data-testid="stMetric"]', has_text="Probability of positive")
    return float(probability.locator('[data-testid="stMetricValue"]').inner_text())


def test_a_job_started_on_one_replica_is_watched_on_the_other_and_its_run_predicted_on_both(
    browser, replicas, artifacts
):
    a_url, b_url = replicas
    student, watcher = (browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2))
    try:
        on_a = student.new_page()
        on_a.goto(f"{a_url}/train")
        app_button(on_a, "Train").wait_for(timeout=60_000)
        wait_for_app(on_a)
        app_button(on_a, "Train").click()
        on_a.wait_for_url(JOB_IN_URL, timeout=60_000)
        job_id = JOB_IN_URL.search(on_a.url).group(1)

        on_b = watcher.new_page()
        on_b.goto(f"{b_url}/train?job={job_id}")
        on_b.get_by_text(f"Training job {job_id}").wait_for(timeout=60_000)
        on_b.get_by_text("someone else's job: you can watch it, not stop it").wait_for()
        on_b.locator('[data-testid="stProgress"]').wait_for(timeout=120_000)  # live, while it trains
        on_b.wait_for_selector('h3:has-text("done")', timeout=240_000)
        on_a.wait_for_selector('h3:has-text("done")', timeout=60_000)
        assert on_a.locator(EXCEPTION).count() == 0 and on_b.locator(EXCEPTION).count() == 0

        _ask(on_a, a_url)
        _ask(on_b, b_url)  # both replicas load the model at once
        assert 0 <= _verdict(on_a) <= 1 and 0 <= _verdict(on_b) <= 1
        assert on_a.locator(EXCEPTION).count() == 0 and on_b.locator(EXCEPTION).count() == 0
    finally:
        student.close()
        watcher.close()
