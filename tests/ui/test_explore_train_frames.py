"""The frames, charts and sentences behind issue 13's Explore and Train items (pure: no Streamlit)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from core.config import TrainConfig
from core.errors import ConfigError
from tests.app.ui_helpers import batch_rows, epoch_rows
from ui.explore import charts, tables, wording
from ui.runs import charts as runs_charts, tables as runs_tables
from ui.train import charts as train_charts, knobs, tables as train_tables, wording as train_wording


def _lengths() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "split": ["train"] * 8,
            "label": ["pos", "neg", "pos", "neg", "pos", "neg", "neg", "neg"],
            "tokens": [5, 30, 60, 2000, 110, 120, 130, 140],
        }
    )


def _layers_with(spec: dict, mark: str) -> list[dict]:
    return [layer for layer in spec["layer"] if layer["mark"]["type"] == mark]


@pytest.mark.parametrize("log_scale", [False, True])
def test_the_length_histogram_draws_each_label_on_its_own_never_stacked(log_scale):
    bins = tables.length_histogram(_lengths(), bin_width=25, clip_at=200)
    spec = charts.length_histogram_chart(
        bins, bin_width=25, axis_end=200, maxlen=100, log_scale=log_scale, title="Train split"
    ).to_dict()
    drawn = [layer for layer in spec["layer"] if "field" in layer.get("encoding", {}).get("y", {})]
    assert {layer["mark"]["type"] for layer in drawn} == {"line"}
    assert all(layer["encoding"]["y"]["stack"] is None for layer in drawn)  # each label from zero
    steps = pd.DataFrame(spec["datasets"][drawn[0]["data"]["name"]])
    real = steps[~steps["closing"]]
    assert real.groupby("label")["reviews"].sum().to_dict() == {"neg": 5, "pos": 3}  # not the sum of both
    assert len(real) == 2 * 9 and (real["reviews"] == 0).sum() > 0  # empty bins drawn at 0, 0..200
    neg = real[real["label"] == "neg"].set_index("start")["reviews"]
    assert neg[200] == 1 and neg[100] == 1 and neg[125] == 2  # 2000 tokens sits in the last bin
    y = drawn[0]["encoding"]["y"]
    if log_scale:
        assert y["scale"]["type"] == "symlog" and y["axis"]["values"] == [0, 1, 10]  # powers of ten
    else:
        assert y["scale"]["type"] == "linear"


def test_the_histogram_shades_what_maxlen_cuts_off():
    bins = tables.length_histogram(_lengths(), bin_width=25, clip_at=200)
    spec = charts.length_histogram_chart(
        bins, bin_width=25, axis_end=200, maxlen=100, log_scale=False, title="t"
    ).to_dict()
    (shade,) = _layers_with(spec, "rect")
    cut = spec["datasets"][shade["data"]["name"]][0]
    assert (cut["maxlen"], cut["end"]) == (100, 225)  # from maxlen to the end of the axis
    assert shade["encoding"]["x"]["field"] == "maxlen" and shade["encoding"]["x2"]["field"] == "end"


def _tensorboard_smooth(values, weight):
    """TensorBoard's own loop (vz_line_chart2 resmoothDataset), for comparison."""
    last, accumulated, out = 0.0, 0, []
    for value in values:
        if not math.isfinite(value):
            out.append(value)
            continue
        last = last * weight + (1 - weight) * value
        accumulated += 1
        out.append(last / (1 - weight**accumulated) if weight < 1 else last)
    return out


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.6, 0.95])
def test_smoothing_is_tensorboards_debiased_moving_average(weight):
    rng = np.random.default_rng(1)
    values = list(0.7 - 0.01 * np.arange(40) + rng.normal(0, 0.05, 40))
    values[10] = math.nan
    smoothed = train_tables.smooth(values, weight)
    expected = _tensorboard_smooth(values, weight)
    finite = [i for i, v in enumerate(values) if math.isfinite(v)]
    assert np.allclose(smoothed[finite], np.array(expected)[finite])
    assert smoothed[0] == pytest.approx(values[0])  # debiased: the first point is not pulled towards 0
    assert math.isnan(smoothed[10])


def test_curve_frames_carry_raw_and_smoothed_values_and_the_epoch_averages():
    rows = batch_rows(2, 10)
    light = train_tables.curve_frames(rows, epoch_rows(2), 10, "loss", smoothing=0.0)
    heavy = train_tables.curve_frames(rows, epoch_rows(2), 10, "loss", smoothing=0.9)
    smooth_light = light[light["series"] == "train, smoothed"]
    assert smooth_light["value"].tolist() == pytest.approx(smooth_light["raw"].tolist())  # 0: no smoothing
    smooth_heavy = heavy[heavy["series"] == "train, smoothed"]
    assert smooth_heavy["value"].iloc[-1] > smooth_heavy["raw"].iloc[-1]  # the average lags a falling loss
    assert (smooth_heavy["smoothed"] == smooth_heavy["value"]).all()
    average = heavy[heavy["series"] == train_tables.EPOCH_AVERAGE]
    assert average["epoch"].tolist() == [1.0, 2.0] and average["value"].tolist() == pytest.approx([0.5, 0.4])


def test_the_curve_tooltip_shows_the_raw_and_the_smoothed_value():
    curves = train_tables.curve_frames(batch_rows(2, 10), epoch_rows(2), 10, "loss")
    spec = train_charts.training_curve_chart(curves, "loss", "Loss", planned_epochs=4).to_dict()
    (rule,) = _layers_with(spec, "rule")
    assert [t["field"] for t in rule["encoding"]["tooltip"]] == ["epoch", "raw", "smoothed"]
    (hover,) = [p for p in spec.get("params", ()) if p["name"] == "hover_loss"]
    assert hover["select"]["nearest"] is True and hover["select"]["fields"] == ["epoch"]
    series = spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert train_tables.EPOCH_AVERAGE in series and "validation" in series
    squares = [layer for layer in _layers_with(spec, "point") if layer["mark"].get("shape") == "square"]
    assert len(squares) == 1  # the training value of each epoch


def test_the_per_epoch_table_marks_the_best_validation_epoch():
    table = train_tables.epoch_table(epoch_rows(3, overfit=False))
    assert table.columns.tolist() == [
        "epoch",
        "training loss",
        "validation loss",
        "training accuracy",
        "validation accuracy",
        "best",
    ]
    assert table["epoch"].tolist() == [1, 2, 3] and table["best"].tolist() == [False, False, True]
    assert train_tables.epoch_table(()).empty


def test_a_stopped_job_counts_fractional_epochs():
    rows = batch_rows(2, 10)
    assert train_tables.epochs_done(rows[:8], (), batches_per_epoch=10) == pytest.approx(0.8)
    assert train_tables.epochs_done(rows[:15], epoch_rows(1)) == pytest.approx(1.5)  # batches per epoch from epoch 1
    assert train_tables.epochs_done(rows, epoch_rows(2), 10) == 2.0
    assert train_tables.epochs_done(rows[:8], ()) is None  # a stored history stopped in epoch 1 has no epoch length
    assert [train_wording.epochs_text(v) for v in (0.8, 1.97, 2.0, None)] == ["0.8", "1.9", "2", "-"]


def _stored_run(tmp_path, *, partial, batches, epochs, best_epoch=None, **fields):
    from core.runs.store import RunInfo

    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "history.json").write_text(json.dumps({"batches": list(batches), "epochs": list(epochs)}))
    values = dict(
        run_id="fast-partial", path=folder, config=TrainConfig(epochs=2), test_metrics={"accuracy": 0.8, "count": 100},
        train_seconds=10.0, samples_per_second=100.0, created=0.0, partial=partial, data_fingerprint="x",
        epochs_trained=len(epochs), best_epoch=best_epoch, versions={}, notes=(),
    )  # fmt: skip
    values.update(fields)
    return RunInfo(**values)


def test_the_runs_table_shows_a_partial_runs_fractional_epochs_and_dashes_for_none(tmp_path):
    run = _stored_run(tmp_path, partial=True, batches=batch_rows(2, 10)[:14], epochs=epoch_rows(1))
    row = runs_tables.runs_table([run]).iloc[0]
    assert (
        row["epochs trained"] == pytest.approx(1.4) and row["epochs"] == 2
    )  # not 1 (finished epochs) nor 2 (the epoch it was in)
    assert row["best epoch"] == "-" and row["train_limit"] == "-" and row["test_limit"] == "-"
    assert "None" not in runs_tables.runs_table([run]).astype(str).to_string()


def test_a_run_stopped_in_its_first_epoch_is_measured_by_the_reviews_it_saw(tmp_path):
    # 100 reviews/s for 10 s = 1,000 reviews of an epoch of 22,500 (25,000 less 10% validation).
    # ("epochs" is the config's planned epochs; "epochs trained" what the run did.)
    run = _stored_run(tmp_path, partial=True, batches=batch_rows(1, 10)[:3], epochs=())
    assert runs_tables.runs_table([run]).iloc[0]["epochs trained"] == pytest.approx(0.04)


def test_a_setting_out_of_range_is_named_by_its_label_with_a_readable_range():
    with pytest.raises(ConfigError) as caught:
        TrainConfig(seed=-5)
    text = train_wording.config_problem(caught.value, knobs.label)
    assert text.startswith("**Seed**: -5 is outside the allowed range 0 to 2,147,483,647")
    assert "Train stays off" in text and "e+09" not in text


def test_star_ratings_in_words():
    assert wording.star_rating(8) == "8/10 stars"
    assert wording.star_rating(-1) == "no star rating"


def test_the_curves_note_names_the_batch_size_and_why_the_lines_cross():
    note = train_wording.curves_note(64)
    assert "one batch of 64 reviews" in note and "a few" not in note
    assert "dropout" in note and "cross" in note


def test_the_all_runs_curves_say_what_the_training_line_is():
    curves = runs_tables.history_curves({"run-a": {"epochs": epoch_rows(2), "batches": []}})
    title = runs_charts.curves_chart(curves, "loss").to_dict()["title"]
    assert "mean over the epoch's batches" in title["subtitle"]
