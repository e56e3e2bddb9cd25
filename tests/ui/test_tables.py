"""ui.tables: the frames behind tables, downloads and charts."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from core.config import TrainConfig
from core.serving import batch_input
from core.serving.explain import PhraseContribution
from tests.ui.fakes import FakeRun, fake_explanation, toy_evaluation
from ui.evaluate import tables, wording
from ui.explore import tables as explore_tables
from ui.predict import tables as predict_tables
from ui.runs import charts, tables as runs_tables
from ui.shared import tables as shared_tables
from ui.train import tables as train_tables


def test_length_histogram_bins_every_review_once():
    lengths = pd.DataFrame(
        {
            "split": ["train"] * 4 + ["test"] * 2,
            "label": ["pos", "neg", "pos", "neg", "pos", "pos"],
            "tokens": [0, 24, 25, 3000, 10, 49],
        }
    )
    bins = explore_tables.length_histogram(lengths, bin_width=25, clip_at=1500)
    assert bins["reviews"].sum() == 6
    assert (bins["end"] - bins["start"] == 25).all()
    assert bins.query("split == 'train' and label == 'neg'")["start"].tolist() == [0, 1500]  # 3000 clipped


def test_curve_frames_put_batches_and_epochs_on_one_epoch_axis():
    batches = [
        {"step": i + 1, "epoch": i // 4 + 1, "batch": i % 4 + 1, "loss": 1.0 - 0.1 * i, "accuracy": 0.5}
        for i in range(8)
    ]
    epochs = [
        {"epoch": 1, "loss": 0.8, "accuracy": 0.6, "val_loss": 0.7, "val_accuracy": 0.65},
        {"epoch": 2, "loss": 0.5, "accuracy": 0.7, "val_loss": 0.6, "val_accuracy": 0.7},
    ]
    frame = train_tables.curve_frames(batches, epochs, batches_per_epoch=4, metric="loss")
    raw = frame[frame["series"] == "train, per batch"]
    assert raw["epoch"].tolist() == [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
    assert frame[frame["series"] == "validation"][["epoch", "value"]].values.tolist() == [[1.0, 0.7], [2.0, 0.6]]
    smooth = frame[frame["series"] == "train, smoothed"]["value"]
    assert smooth.iloc[-1] > raw["value"].iloc[-1]  # a rolling mean lags a falling loss
    thinned = train_tables.curve_frames(batches * 500, [], 4, "loss", max_points=100)
    assert len(thinned) <= 2 * 101
    assert train_tables.curve_frames([], [], 0, "accuracy").empty
    stopped = train_tables.curve_frames(batches[:6], epochs, batches_per_epoch=4, metric="loss")  # Stop in epoch 2
    assert stopped[stopped["series"] == "validation"]["epoch"].tolist() == [1.0, 1.5]


def test_top_words_sum_repeated_words_and_sort_by_strength():
    explanation = fake_explanation("good good bad meh", {"good": 0.1, "bad": -0.25, "meh": 0.01})
    table = predict_tables.top_words(explanation)
    assert table["word"].tolist()[:2] == ["bad", "good"]
    good = table.set_index("word").loc["good"]
    assert good["contribution"] == pytest.approx(0.2) and good["occurrences"] == 2
    assert predict_tables.top_words(fake_explanation("", {})).empty


def test_top_phrases_list_each_phrase_once_strongest_first():
    explanation = dataclasses.replace(
        fake_explanation("Not bad. not bad", {}),
        span=2,
        phrases=[PhraseContribution(0, 1, 1.5), PhraseContribution(2, 3, 1.2), PhraseContribution(1, 2, -0.4)],
    )
    table = predict_tables.top_phrases(explanation)
    assert table["phrase"].tolist() == ["not bad", "bad. not"]
    assert table["contribution"].tolist() == [1.5, -0.4]
    assert table["pushed towards"].tolist() == ["positive", "negative"]


def test_txt_upload_and_batch_table_csv():
    parsed = batch_input.parse_upload("r.txt", "Très bien 👍\n\n<b>awful</b>\n".encode())
    assert parsed.lines == ["Très bien 👍", "<b>awful</b>"]
    table = predict_tables.batch_table(batch_input.rows_from_lines(parsed.lines), [0.9, 0.2], [2, 0])
    assert table[predict_tables.PREDICTED].tolist() == ["positive", "negative"]
    assert table[predict_tables.KNOWN_WORDS].tolist() == [2, 0]
    back = pd.read_csv(pd.io.common.BytesIO(shared_tables.csv_bytes(table)), encoding="utf-8-sig")
    assert back["review"].tolist() == parsed.lines


def test_a_csv_batch_keeps_its_columns_and_is_checked_against_its_stars():
    raw = b"id,stars,review\n7,9,Loved it\n8,2,Awful\n9,,\n10,5,So-so\n11,1,Great fun\n"
    parsed = batch_input.parse_upload("mine.csv", raw)
    rows = batch_input.rows_from_column(parsed.frame, "review")
    assert rows.skipped_empty == 1 and rows.texts == ["Loved it", "Awful", "So-so", "Great fun"]
    table = predict_tables.batch_table(rows, [0.9, 0.1, 0.6, 0.8], [2, 1, 1, 2])
    assert list(table.columns) == [
        "id",
        "stars",
        "review",
        predict_tables.PREDICTED,
        predict_tables.PROBABILITY,
        predict_tables.KNOWN_WORDS,
    ]
    assert table["id"].tolist() == ["7", "8", "10", "11"]
    accuracy, checked, counts = predict_tables.batch_confusion(table, rows.truth)
    assert checked == 3 and accuracy == pytest.approx(2 / 3)  # the 5-star row has no label; 1 star said positive
    assert counts.loc["actually negative", "model said positive"] == 1
    assert counts.to_numpy().sum() == 3


def test_length_bands_keep_their_own_bounds_even_with_missing_bands():
    # Bands 201-800 have no review here: the flags must still follow each band's own bounds.
    by_length = toy_evaluation().accuracy_by_length(300)
    bands = tables.length_bands(by_length, maxlen=300)
    assert bands["band"].tolist() == ["1-100", "101-200", "801-1,200", "1,201+"]
    assert bands["reads"].tolist() == ["whole or partly cut"] * 2 + ["truncated (longer than maxlen)"] * 2
    sentence = wording.length_sentence(by_length, 300)
    assert "0.0% of them right against 100.0%" in sentence and "harder" in sentence
    assert "nothing was truncated" in wording.length_sentence(toy_evaluation().accuracy_by_length(5000), 5000)


def test_runs_table_has_metrics_and_every_config_field():
    table = runs_tables.runs_table([FakeRun("a", 0.8), FakeRun("b", 0.7, partial=True)])
    assert table["run"].tolist() == ["a", "b"] and table["partial"].tolist() == [False, True]
    assert set(TrainConfig().to_dict()) <= set(table.columns)
    assert table.loc[0, "units"] == 8 and table.loc[0, "preset"] == "custom"


def test_history_curves_and_csv():
    history = {
        "epochs": [
            {"epoch": 1, "loss": 0.6, "accuracy": 0.7, "val_loss": 0.5, "val_accuracy": 0.75},
            {"epoch": 2, "loss": 0.4, "accuracy": 0.8, "val_loss": float("nan"), "val_accuracy": 0.8},
        ],
        "batches": [{"step": 1, "epoch": 1, "batch": 1, "loss": 0.7, "accuracy": 0.5}],
    }
    curves = runs_tables.history_curves({"run-a": history, "run-b": {"epochs": [], "batches": []}})
    assert set(curves["run"]) == {"run-a"} and len(curves) == 7  # the NaN validation loss is left out
    spec = charts.curves_chart(curves, "loss").to_dict()
    assert spec["encoding"]["strokeDash"]["field"] == "split"
    rows = pd.read_csv(pd.io.common.BytesIO(runs_tables.history_csv(history)))
    assert rows["kind"].tolist() == ["epoch", "epoch", "batch"]
    assert list(rows.columns[:4]) == ["kind", "epoch", "batch", "step"]


def test_csv_downloads_defuse_spreadsheet_formulas_but_keep_numbers():
    from ui.shared.tables import csv_bytes

    frame = pd.DataFrame({"review": ['=HYPERLINK("http://x")', "@SUM(A1)", "fine"], "score": [-0.5, 1.0, 2.0]})
    text = csv_bytes(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM" in text and "\nfine," in text and "-0.5" in text and "'-0.5" not in text
