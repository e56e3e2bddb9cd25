"""Start here: the default page, the four steps with this server's times, one button that trains."""

from __future__ import annotations

from core.config import DEFAULT_PRESET, preset
from tests.app.ui_helpers import assert_clean, run_page, texts


def test_the_app_opens_on_start_here_and_one_button_trains_the_default(fake_manager):
    at = run_page(None)
    assert_clean(at)
    assert at.title[0].value == "IMDB LSTM Lab"
    page = texts(at)
    assert "the default preset takes about" in page and "training and" in page  # this server's estimate, the data
    links = [link.proto.page for link in at.get("page_link")]
    assert [p.rsplit("/", 1)[-1] for p in links] == ["explore", "train", "predict", "evaluate"]
    next(b for b in at.button if b.label.startswith("Train the default preset")).click().run()
    assert_clean(at)
    config, retrain, owner = fake_manager.submitted[0]
    assert config == preset(DEFAULT_PRESET) and owner == at.session_state["session_id"] and not retrain
    assert at.title[0].value == "Train a model" and at.session_state["train_job_id"] == "job-1"
