"""The Train page with a fake job manager: knobs, presets, start/stop, live view, results."""

from __future__ import annotations

import pytest

from core.config import DEFAULT_PRESET, FIELDS, PRESETS, own_seed, preset
from tests.app.ui_helpers import (
    assert_clean,
    chart_data,
    charts,
    epoch_rows,
    new_app,
    run_page,
    texts,
    unlock_teacher,
    widget,
)
from ui.runs import tables
from ui.shared import state
from ui.train import knobs


def test_knobs_come_from_the_config_fields(fake_manager):
    at = run_page("train")
    assert_clean(at)
    assert at.title[0].value == "Train a model"
    for name in (
        "units",
        "dropout",
        "recurrent_dropout",
        "layers",
        "embedding_dim",
        "maxlen",
        "num_words",
        "epochs",
        "batch_size",
    ):
        slider, rule = widget(at, "slider", state.knob_key(name)), FIELDS[name]
        assert (slider.min, slider.max, slider.step) == (rule.low, rule.high, rule.step), name
        assert slider.value == getattr(preset(DEFAULT_PRESET), name)
    assert widget(at, "select_slider", "train_learning_rate").value == preset(DEFAULT_PRESET).learning_rate
    assert at.segmented_control(key="train_preset").value == DEFAULT_PRESET
    assert "per epoch" in texts(at)  # the estimate
    assert fake_manager.submitted == []  # nothing starts by itself


def test_every_config_field_has_a_widget(fake_manager):
    at = run_page("train")
    keys = {
        w.key for kind in ("slider", "select_slider", "toggle", "selectbox", "number_input") for w in getattr(at, kind)
    }
    expected = {state.knob_key(name) for name in FIELDS if name not in knobs.TEST_ONLY_FIELDS}
    assert expected <= keys


def test_picking_a_preset_sets_the_knobs_and_warns_about_slow_ones(fake_manager):
    at = run_page("train")
    at.segmented_control(key="train_preset").set_value("tutorial-final").run()
    assert_clean(at)
    final = PRESETS["tutorial-final"].config
    assert widget(at, "slider", "train_layers").value == final.layers == 2
    assert widget(at, "slider", "train_recurrent_dropout").value == pytest.approx(final.recurrent_dropout)
    warnings = " ".join(w.value for w in at.warning)
    assert "Recurrent dropout" in warnings and "stacked layers" in warnings
    assert "0.872-0.876" in texts(at)  # the preset's description quotes the tutorial


def test_an_over_budget_preset_disables_train_before_the_click_in_the_queues_words(fake_manager, imdb):
    """tutorial-final over this server's time budget: Train is disabled with the reason the queue would give."""
    from core.jobs.admission import refusal
    from core.runs.calibration import Calibration

    likely = {name: Calibration().training_seconds(preset(name), imdb.train.lengths)[1] for name in PRESETS}
    assert likely[DEFAULT_PRESET] < likely["tutorial-final"]
    fake_manager.time_budget_seconds = (likely[DEFAULT_PRESET] + likely["tutorial-final"]) / 2
    at = run_page("train")
    assert not next(b for b in at.button if b.label == "Train").disabled  # the default fits
    at.segmented_control(key="train_preset").set_value("tutorial-final").run()
    assert_clean(at)
    train = next(b for b in at.button if b.label == "Train")
    why = refusal(state_config(at), Calibration(), imdb.train.lengths,
                  fake_manager.time_budget_seconds, None, None)  # fmt: skip
    assert why and "more than this server allows" in why
    assert train.disabled and train.help == why and why in [w.value for w in at.warning]
    assert fake_manager.submitted == []


def state_config(at):
    """The config the Train knobs of ``at`` describe (what Train would submit)."""
    return preset(at.session_state["train_base"]).replace(
        **{name: at.session_state[state.knob_key(name)] for name in (*state.TRAIN_KNOBS, *state.TRAIN_MORE_KNOBS)}
    )


def test_moving_a_knob_makes_the_preset_custom_and_starts_nothing(fake_manager):
    at = run_page("train")
    widget(at, "slider", "train_units").set_value(preset(DEFAULT_PRESET).units + 8).run()
    assert_clean(at)
    assert at.segmented_control(key="train_preset").value == "custom"
    assert fake_manager.submitted == [] and fake_manager.cancelled == []
    widget(at, "slider", "train_units").set_value(preset(DEFAULT_PRESET).units).run()  # back again
    assert at.segmented_control(key="train_preset").value == DEFAULT_PRESET


def test_train_submits_the_config_and_shows_the_live_job(fake_manager):
    at = run_page("train")
    widget(at, "slider", "train_units").set_value(16).run()
    widget(at, "slider", "train_epochs").set_value(2).run()
    next(b for b in at.button if b.label == "Train").click().run()
    assert_clean(at)
    ((config, retrain, owner),) = fake_manager.submitted
    assert config == preset(DEFAULT_PRESET).replace(units=16, epochs=2, seed=own_seed(owner))  # their own seed
    assert retrain is False and owner == at.session_state["session_id"]
    assert at.session_state["train_job_id"] == "job-1"
    page = texts(at)
    assert "running" in page
    assert "Epoch 2/4 · batch 5/10" in at.get("progress")[0].proto.text
    loss_chart = charts(at)[0]
    curves = chart_data(loss_chart)[0]
    assert {"train, per batch", "train, smoothed", "validation"} <= set(curves["series"])
    assert next(b for b in at.button if b.label == "Train").disabled
    next(b for b in at.button if b.label == "Stop").click().run()
    assert fake_manager.cancelled == ["job-1"]
    assert_clean(at)
    assert "Stopped" in texts(at)


def test_choosing_glove_vectors_sets_the_config_and_its_embedding_size(fake_manager):
    at = run_page("train")
    box = widget(at, "selectbox", state.knob_key("embeddings"))
    assert box.label == knobs.label("embeddings") and "GloVe" in box.help
    box.set_value("glove-50d").run()
    widget(at, "toggle", state.knob_key("embeddings_trainable")).set_value(False).run()
    assert_clean(at)
    assert at.segmented_control(key="train_preset").value == "custom"
    assert "glove-50d frozen" in texts(at)  # the model line under the estimate
    size = widget(at, "slider", state.knob_key("embedding_dim"))
    assert (size.value, size.disabled) == (50, True) and "GloVe" in size.label  # the slider shows what trains
    next(b for b in at.button if b.label == "Train").click().run()
    ((config, _, _),) = fake_manager.submitted
    assert (config.embeddings, config.embeddings_trainable, config.embedding_dim) == ("glove-50d", False, 50)


def test_test_slice_environment_limits_the_submitted_config(fake_manager, monkeypatch):
    monkeypatch.setenv("IMDB_LAB_TEST_SLICE", "300")
    at = run_page("train")
    next(b for b in at.button if b.label == "Train").click().run()
    ((config, _, _),) = fake_manager.submitted
    assert (config.train_limit, config.test_limit) == (300, 300)


def test_an_unusable_test_slice_is_an_error_not_a_traceback(fake_manager, monkeypatch):
    monkeypatch.setenv("IMDB_LAB_TEST_SLICE", "10")  # below train_limit's minimum
    at = run_page("train")
    assert_clean(at)
    assert "IMDB_LAB_TEST_SLICE" in " ".join(e.value for e in at.error)
    assert next(b for b in at.button if b.label == "Train").disabled


def test_a_finished_tutorial_run_is_compared_with_the_tutorial(fake_manager):
    fake_manager.add(
        preset("tutorial-v1"),
        state="done",
        phase="done",
        epoch=10,
        epochs=10,
        epoch_history=epoch_rows(3, overfit=True),
        run_id="tutorial-v1-abc",
        test_metrics={"accuracy": 0.861, "loss": 0.35},
        train_seconds=95.0,
    )
    at = new_app().run()
    at.session_state["train_job_id"] = "job-1"
    at.switch_page("pages/train.py").run()
    assert_clean(at)
    page = texts(at)
    assert "0.861" in page and "0.853" in page
    assert "1 min 35 s" in page
    assert "Overfitting" in page  # validation loss rose while training loss fell
    assert "tutorial-v1-abc" in page  # where to find the model
    next(b for b in at.button if b.label == "Predict with run tutorial-v1-abc").click().run()
    assert_clean(at)
    assert at.title[0].value == "Predict"


def test_a_queued_job_shows_its_place_and_a_failed_one_its_error(fake_manager):
    at = run_page("train")
    fake_manager.add(
        preset(DEFAULT_PRESET),
        state="queued",
        phase="queued",
        queue_position=2,
        epoch=0,
        batch_history=(),
        epoch_history=(),
        owner=at.session_state["session_id"],
    )
    at.run()  # this browser's job (another tab, a reload): shown as its own
    assert_clean(at)
    assert "position 2" in texts(at)
    fake_manager.update(
        "job-1",
        state="failed",
        phase="failed",
        queue_position=None,
        error="Training diverged (the loss became NaN). Lower the learning rate.",
    )
    at.run()
    assert_clean(at)
    assert "Lower the learning rate" in " ".join(e.value for e in at.error)


def test_another_student_never_adopts_a_job_and_cannot_stop_it(fake_manager):
    alice = run_page("train")
    next(b for b in alice.button if b.label == "Train").click().run()
    bob = run_page("train")  # another browser: another owner
    assert_clean(bob)
    assert "train_job_id" not in bob.session_state
    assert "someone else's job" in texts(bob) and "Training job job-1" not in texts(bob)
    assert not next(b for b in bob.button if b.label == "Train").disabled  # Bob may queue his own
    assert next(b for b in bob.button if b.label == "Stop").disabled
    next(b for b in bob.button if b.label == "Watch").click().run()  # watching is allowed, stopping is not
    assert "Training job job-1" in texts(bob) and "you can watch it, not stop it" in texts(bob)
    assert next(b for b in bob.button if b.label == "Stop").disabled
    next(b for b in bob.button if b.label == "Train").click().run()
    fake_manager.update("job-2", state="queued", queue_position=1)
    bob.run()
    assert "job-2" in bob.session_state["train_job_id"] and fake_manager.cancelled == []


def test_the_teacher_unlocks_stop_for_every_job_and_a_wrong_token_is_refused(fake_manager, teacher_token):
    alice = run_page("train")
    next(b for b in alice.button if b.label == "Train").click().run()
    fake_manager.add(preset("tutorial-v1"), state="queued", queue_position=1, epoch=0, owner="bob")

    wrong = unlock_teacher(new_app().run(), "guess")
    assert_clean(wrong)
    assert "not the teacher token" in texts(wrong) and "teacher_mode" not in wrong.session_state

    teacher = unlock_teacher(new_app().run())
    teacher.switch_page("pages/train.py").run()
    assert_clean(teacher)
    assert teacher.session_state["teacher_mode"]
    next(b for b in teacher.button if b.key == "stop_job-1").click().run()
    next(b for b in teacher.button if b.key == "teacher_clear_queue").click().run()
    assert fake_manager.cancelled == ["job-1", "job-2"]


def test_settings_survive_a_trip_to_another_page(fake_manager):
    at = run_page("train")
    at.segmented_control(key="train_preset").set_value("tutorial-v1").run()
    widget(at, "slider", "train_units").set_value(40).run()
    at.switch_page("pages/explore.py").run()
    at.switch_page("pages/train.py").run()
    assert_clean(at)
    assert widget(at, "slider", "train_units").value == 40
    assert widget(at, "slider", "train_maxlen").value == 800  # from tutorial-v1
    assert at.segmented_control(key="train_preset").value == "custom"


def test_a_fast_config_for_three_epochs_is_fast_on_the_page_and_in_the_runs_table(fake_manager, tmp_path):
    """Which preset a config is has one answer (core.config.preset_name): epochs do not make it custom."""
    from core.runs.store import RunInfo

    at = run_page("train")
    widget(at, "slider", "train_epochs").set_value(3).run()
    assert_clean(at)
    assert at.segmented_control(key="train_preset").value == DEFAULT_PRESET
    run = RunInfo(
        run_id=f"{DEFAULT_PRESET}-0123456789", path=tmp_path, config=preset(DEFAULT_PRESET).replace(epochs=3), test_metrics={},
        train_seconds=1.0, samples_per_second=1.0, created=0.0, partial=False, data_fingerprint="x",
        epochs_trained=3, best_epoch=None, versions={}, notes=(),
    )  # fmt: skip
    assert tables.runs_table([run]).loc[0, "preset"] == DEFAULT_PRESET


# ---------------------------------------------------------------- issue 13: settings, curves, partial runs, words


def test_more_settings_are_grouped_with_full_labels(fake_manager):
    at = run_page("train")
    assert_clean(at)
    (more,) = [e for e in at.expander if e.label.startswith("More settings")]
    titles = {m.value for m in more.markdown}
    assert titles == {"**Model**", "**Input**", "**Optimisation**", "**Evaluation**"}
    grouped = [name for names in knobs.groups(main=False).values() for name in names]
    assert sorted(grouped) == sorted(state.TRAIN_MORE_KNOBS)  # every knob in exactly one group
    labels = {w.label for kind in ("toggle", "selectbox", "slider", "number_input") for w in getattr(more, kind)}
    assert "Validation share of the training split" in labels and "Early-stopping patience" in labels


def test_an_out_of_range_number_disables_train_and_names_the_setting(fake_manager):
    at = run_page("train")
    seed = widget(at, "number_input", "train_seed")
    assert seed.min is None and seed.max is None  # the value reaches the page instead of staying red in the box
    seed.set_value(-5).run()
    assert_clean(at)
    error = " ".join(e.value for e in at.error)
    assert "**Seed**: -5 is outside the allowed range 0 to 2,147,483,647" in error
    assert "no other value is used instead" in error
    train = next(b for b in at.button if b.label == "Train")
    assert train.disabled
    widget(at, "number_input", "train_seed").set_value(7).run()
    assert fake_manager.submitted == []
    assert not next(b for b in at.button if b.label == "Train").disabled and not at.error


def test_the_curves_have_a_smoothing_slider_epoch_points_and_a_table(fake_manager):
    at = run_page("train")
    next(b for b in at.button if b.label == "Train").click().run()
    assert_clean(at)
    smoothing = widget(at, "slider", state.TRAIN_SMOOTHING_KEY)
    assert smoothing.value == pytest.approx(0.6)
    curves = chart_data(charts(at)[0])[0]
    assert {"train, per batch", "train, smoothed", "train, epoch average", "validation"} <= set(curves["series"])
    smoothed = curves[curves["series"] == "train, smoothed"]
    assert (smoothed["value"] != smoothed["raw"]).any()
    smoothing.set_value(0.0).run()
    smoothed = chart_data(charts(at)[0])[0].query("series == 'train, smoothed'")
    assert smoothed["value"].tolist() == pytest.approx(smoothed["raw"].tolist())  # 0: the raw batches
    assert f"one batch of {preset(DEFAULT_PRESET).batch_size} reviews" in texts(at) and "a few reviews" not in texts(at)
    table = next(d.value for d in at.dataframe if "validation loss" in d.value.columns)
    assert table["epoch"].tolist() == [1] and table["best"].tolist() == [True]


def test_a_stopped_job_shows_fractional_epochs_and_one_duration(fake_manager):
    at = run_page("train")
    next(b for b in at.button if b.label == "Train").click().run()
    fake_manager.update("job-1", train_seconds=11.0)
    next(b for b in at.button if b.label == "Stop").click().run()
    assert_clean(at)
    epochs = next(m for m in at.metric if m.label == "Epochs trained")
    assert epochs.value == "1.5"  # stopped at batch 5 of 10 in epoch 2: not 1, not 2
    assert "Stopped after 1.5 epochs" in at.get("progress")[0].proto.text
    page = texts(at)
    assert "11 s" in page and "elapsed" not in page  # one duration: the training time
    assert all(m.value not in ("None", "") for m in at.metric)
    assert not [c.value for c in at.caption if "None" in c.value and "Training job" in c.value]


@pytest.mark.parametrize("name", [*PRESETS, "custom"])
def test_the_page_speaks_to_a_user_no_file_paths_or_command_lines(fake_manager, name):
    import re

    at = run_page("train")
    if name != "custom":
        at.segmented_control(key="train_preset").set_value(name).run()
    assert_clean(at)
    page = texts(at) + " ".join(e.help or "" for e in at.button)
    assert not re.search(r"shared/|notes/|\.md\b|\bbench/|\.py\b|python -m|--[a-z]", page), name


def test_a_seed_typed_and_trained_in_one_click_trains_that_seed(fake_manager):
    """The browser applies a typed seed (no Enter) and the click in one rerun: Train must read the knobs then."""
    at = run_page("train")
    widget(at, "number_input", state.knob_key("seed")).set_value(4242)  # typed, not applied by a rerun of its own
    next(b for b in at.button if b.label == "Train").click().run()
    assert_clean(at)
    ((config, _, _),) = fake_manager.submitted
    assert config.seed == 4242


def _in_page_order(node):
    """Every node under ``node``, in the order the page shows them (a slot filled later keeps its place)."""
    yield node
    for index in sorted(getattr(node, "children", {})):
        yield from _in_page_order(node.children[index])


def _above_the_knobs(at, heading: str) -> bool:
    nodes = list(_in_page_order(at.main))
    knobs_at = next(i for i, node in enumerate(nodes) if node.type != "subheader" and node.key == "train_knobs")
    return any(heading in node.value for node in nodes[:knobs_at] if node.type == "subheader")


def test_a_reload_of_the_same_browser_shows_its_job_above_the_knobs_running_or_finished(fake_manager, monkeypatch):
    """A new session with the same cookie (F5) finds this browser's latest job; another browser does not."""
    from ui.classroom import identity

    cookie = {"token": "ab" * 16}
    monkeypatch.setattr(identity, "_cookie_token", lambda: cookie["token"])
    first = run_page("train")
    next(b for b in first.button if b.label == "Train").click().run()
    ((_, _, owner),) = fake_manager.submitted
    fake_manager.update("job-1", state="running", phase="training")
    reloaded = run_page("train")
    assert_clean(reloaded)
    assert reloaded.session_state["train_job_id"] == "job-1" and _above_the_knobs(reloaded, "Training job job-1")

    fake_manager.update("job-1", state="done", phase="done", run_id="fast-abc", test_metrics={"accuracy": 0.8})
    fake_manager.add(preset("tutorial-v1"), state="done", phase="done", owner="someone-else")  # newer, not ours
    reloaded = run_page("train")
    assert_clean(reloaded)
    assert reloaded.session_state["train_job_id"] == "job-1" and _above_the_knobs(reloaded, "Training job job-1")
    assert "someone else's job" not in texts(reloaded)

    cookie["token"] = "cd" * 16  # another student's browser: nothing of theirs to show
    other = run_page("train")
    assert "train_job_id" not in other.session_state and not _above_the_knobs(other, "Training job")
    assert owner == reloaded.session_state["session_id"] != other.session_state["session_id"]
