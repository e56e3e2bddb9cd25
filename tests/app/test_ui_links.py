"""Links that keep state (ui.shared.links): a page's choices in the address bar, restored from a link, bad values ignored."""

from __future__ import annotations

import pytest

from core.config import TrainConfig
from tests.app.ui_helpers import assert_clean, make_snapshot, new_app, texts

pytestmark = pytest.mark.usefixtures("fresh_caches")


def open_link(page: str, **params) -> object:
    """A fresh browser opening ``/<page>?<params>``."""
    at = new_app().run()
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(f"pages/{page}.py").run()
    assert_clean(at)
    return at


def test_explore_choices_come_from_the_link_and_go_back_into_it(data_env):
    at = open_link("explore", maxlen="300", num_words="3000", split="train", review="5")
    assert at.slider(key="explore_maxlen").value == 300
    assert at.slider(key="explore_num_words").value == 3000
    assert at.session_state["explore_split"] == "train" and at.session_state["explore_index"] == 5
    at.slider(key="explore_maxlen").set_value(500).run()
    assert_clean(at)
    at.run()  # the address bar follows what is on screen
    assert query(at, "maxlen") == "500"
    [link] = [c.value for c in at.code if "explore" in c.value]
    assert "maxlen=500" in link and "num_words=3000" in link and "split=train" in link


def query(at, name: str):
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def test_hostile_or_bad_values_are_ignored_with_a_notice(data_env):
    at = open_link("explore", maxlen="abc", num_words="<script>alert(1)</script>", review="-1", split="dev")
    notice = next(i.value for i in at.info if i.value.startswith("Ignored from the link"))
    for name in ("maxlen", "num_words", "review", "split"):
        assert f"`{name}`" in notice
    assert "<script>" not in notice and "a number from 10 to 2500" in notice
    assert at.slider(key="explore_maxlen").value == TrainConfig().maxlen  # the Train knob's value, as without a link
    assert query(at, "maxlen") == str(TrainConfig().maxlen)  # the address bar now says what is shown


def test_train_knobs_come_from_the_preset_and_the_knobs_that_differ(fake_manager):
    at = open_link("train", preset="custom", base="tutorial-v1", units="16", epochs="3")
    assert at.session_state["train_base"] == "tutorial-v1"
    assert at.session_state["train_units"] == 16 and at.session_state["train_epochs"] == 3
    assert at.session_state["train_preset"] == "custom"
    assert query(at, "units") == "16" and query(at, "base") == "tutorial-v1"
    assert query(at, "maxlen") is None  # only what differs from the preset
    plain = open_link("train", preset="tutorial-v1")
    assert plain.session_state["train_preset"] == "tutorial-v1" and plain.session_state["train_units"] == 30
    bad = open_link("train", base="fast", units="100000")
    assert "`units`" in next(i.value for i in bad.info if i.value.startswith("Ignored from the link"))


def test_every_preset_link_opened_in_another_browser_stays_that_preset_with_its_text(fake_manager):
    """`train?preset=X&base=X` (what a page writes for preset X) opens X, with X's description, for every preset."""
    from core.config import DEFAULT_PRESET, PRESETS

    at = open_link("train", preset="custom", base=DEFAULT_PRESET, units="8")  # a browser somewhere else
    for name, entry in reversed(PRESETS.items()):  # each link opened in it in turn: the default last
        at.query_params.clear()
        at.query_params.update(preset=name, base=name)
        at.run()
        assert_clean(at)
        assert at.session_state["train_preset"] == name, name
        assert any(c.value.startswith(entry.description) for c in at.caption), name
        assert "Custom settings" not in texts(at) and query(at, "preset") == name
        assert {k for k in at.query_params} == {"preset", "base"}, name  # nothing differs: no knob in the link


def test_overfit_demo_says_what_it_is():
    """Its description names the numbers of its own config (once the `fast` network, which it no longer is)."""
    from core.config import PRESETS

    demo = PRESETS["overfit-demo"]
    config, text = demo.config, demo.description
    for figure in (
        f"Embedding({config.num_words}, {config.embedding_dim})",
        f"max-pool {config.conv_pool}",
        f"LSTM({config.units})",
        f"{config.train_limit:,} reviews",
        f"{config.epochs} epochs",
        f"batch {config.batch_size}",
        f"length {config.maxlen}",
    ):
        assert figure in text, figure
    assert config.dropout == 0 and "no dropout" in text and "fast" not in text


def test_a_train_link_with_a_job_watches_that_job_again(fake_manager):
    """A reload, or a reconnect to another app replica (the job lives in the queue), shows the same job."""
    from core.config import preset

    fake_manager.snapshots["job-0000abcd"] = make_snapshot("job-0000abcd", preset("conv-lstm"), owner="someone")
    at = open_link("train", preset="fast", job="job-0000abcd")
    assert at.session_state["train_job_id"] == "job-0000abcd" and query(at, "job") == "job-0000abcd"
    assert at.session_state["train_preset"] == "conv-lstm"  # a link from before the rename: fast's new name
    assert "someone else's job: you can watch it" in texts(at)
    bad = open_link("train", preset="fast", job="../../etc")
    assert "`job`" in next(i.value for i in bad.info if i.value.startswith("Ignored from the link"))
    assert query(bad, "job") is None


def test_a_review_link_opens_predict_with_the_text_and_the_phrase_view(runs_env):
    at = open_link("predict", text="Not bad at all, a fine film", span="2")
    assert at.text_area(key="predict_text").value == "Not bad at all, a fine film"
    assert "2-word phrase" in texts(at)  # explained by phrases, as the link said
    assert query(at, "text") == "Not bad at all, a fine film" and query(at, "span") == "2"
    other = next(r.run_id for r in runs_env.list() if r.run_id != at.selectbox(key="predict_run").value)
    at.selectbox(key="predict_run").set_value(other).run()
    at.run()
    assert query(at, "run") == other
    again = open_link("predict", run=other, text="Not bad at all, a fine film")  # the copied link, elsewhere
    assert again.selectbox(key="predict_run").value == other
