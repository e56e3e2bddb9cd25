"""Start here: the default page, the four steps with this server's times, one button that trains."""

from __future__ import annotations

from core.config import DEFAULT_PRESET, own_seed, preset, preset_name
from tests.app.ui_helpers import assert_clean, run_page, texts


def test_the_app_opens_on_start_here_and_one_button_trains_the_default(fake_manager):
    at = run_page(None)
    assert_clean(at)
    assert at.title[0].value == "IMDB LSTM Lab"
    page = texts(at)
    assert "from pressing Train to the result here" in page and "training and" in page  # this server's wait, the data
    assert "nothing measured on this server yet" in page  # a fresh server: the estimate plus a declared start-up
    links = [link.proto.page for link in at.get("page_link")]
    assert [p.rsplit("/", 1)[-1] for p in links] == ["explore", "train", "predict", "evaluate"]
    next(b for b in at.button if b.label.startswith("Train the default preset")).click().run()
    assert_clean(at)
    config, retrain, owner = fake_manager.submitted[0]
    assert owner == at.session_state["session_id"] and not retrain
    assert config == preset(DEFAULT_PRESET).replace(seed=own_seed(owner))  # the default network, this student's seed
    assert at.title[0].value == "Train a model" and at.session_state["train_job_id"] == "job-1"
    assert at.session_state["train_preset"] == DEFAULT_PRESET and at.session_state["train_seed"] == config.seed


def _press_default(at):
    next(b for b in at.button if b.label.startswith("Train the default preset")).click().run()
    assert_clean(at)
    return at


def test_every_student_who_presses_the_default_owns_a_run_with_their_own_seed(fake_manager):
    """Two students pressing the big button train the same network from two seeds, each their own job."""
    ada, bob = _press_default(run_page(None)), _press_default(run_page(None))
    (first, _, ada_id), (second, _, bob_id) = fake_manager.submitted
    assert (ada_id, bob_id) == (ada.session_state["session_id"], bob.session_state["session_id"])
    assert ada_id != bob_id and first.seed != second.seed
    assert preset_name(first) == preset_name(second) == DEFAULT_PRESET  # one preset, not "custom"
    assert "Custom settings" not in texts(bob)
    again = _press_default(run_page(None))  # the same student pressing again keeps their seed
    assert again.session_state["train_seed"] == own_seed(again.session_state["session_id"])


def test_a_student_who_picked_a_seed_keeps_it_for_every_preset(fake_manager):
    at = run_page("train")
    at.number_input(key="train_seed").set_value(7).run()
    at.segmented_control(key="train_preset").set_value("bilstm").run()
    assert at.session_state["train_seed"] == 7 and at.session_state["train_preset"] == "bilstm"
    at.switch_page("pages/start.py").run()
    _press_default(at)
    assert fake_manager.submitted[-1][0] == preset(DEFAULT_PRESET).replace(seed=7)


def test_start_quotes_the_wait_this_server_measured_for_the_default(fake_manager, tmp_path):
    """A finished default job in the journal (33.7 s from its start to its stored run, 17 s of it training)."""
    import json
    import os

    from core import processes

    jobs = tmp_path / "runs" / ".jobs"  # data_env's runs folder
    assert os.environ["IMDB_LAB_RUNS"] == str(tmp_path / "runs")
    jobs.mkdir(parents=True)
    entry = {"job_id": "job-0000abcd", "state": "done", "config": preset(DEFAULT_PRESET).replace(seed=5).to_dict(),
             "wait_seconds": 33.7, "train_seconds": 17.0, "host": processes.host_id(), "written": 1.0}  # fmt: skip
    (jobs / "job-0000abcd.json").write_text(json.dumps(entry))
    page = texts(run_page(None))
    assert (
        "about 34 s from pressing Train to the result here (34 s to 34 s, measured: this server's last training" in page
    )
