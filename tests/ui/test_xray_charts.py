"""The X-ray charts (pure): labels, the verdict frame and its jumps, unit order, heatmap frames."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from ui.xray import charts


def test_labels_are_unique_and_short_and_pooled_steps_say_how_many():
    labels = charts.step_labels([["the"], ["the"], ["supercalifragilistic", "x", "y"]])
    assert labels == ["0 the", "1 the", "2 supercalifragi"[: 2 + charts.LABEL_CHARS]]
    assert len(set(labels)) == 3


def test_the_verdict_frame_finds_the_word_that_flipped_it():
    shot = SimpleNamespace(
        steps=[["<start>"], ["not"], ["bad"], ["at"], ["all"]], prefix_probability=[0.5, 0.3, 0.2, 0.22, 0.8]
    )
    frame = charts.verdict_frame(shot)
    assert frame["jump"].round(3).tolist() == [0.0, -0.2, -0.1, 0.02, 0.58]
    jumps = charts.biggest_jumps(frame)
    assert jumps["words"].tolist() == ["all", "not", "bad"]
    assert charts.running_verdict_chart(frame).to_dict()["layer"]


def test_every_step_axis_reads_words_in_reading_order_even_for_one_step():
    for steps in ([["<start>"]], [["<start>"], ["not"], ["bad"]]):
        shot = SimpleNamespace(steps=steps, prefix_probability=[0.4] * len(steps))
        labels = charts.step_labels(steps)
        verdict = charts.running_verdict_chart(charts.verdict_frame(shot)).to_dict()["layer"][1]
        trace = charts.unit_trace_chart({"h": np.linspace(-1, 1, len(steps))}, steps, 0).to_dict()
        for spec in (verdict, trace):
            x = spec["encoding"]["x"]
            assert (x["field"], x["type"], x["sort"]) == ("label", "ordinal", labels)  # words, not 0.000000
        assert [row["label"] for row in trace["datasets"][trace["data"]["name"]]] == labels


def test_units_sorted_by_movement_and_heatmap_rows_follow_the_order():
    values = np.array([[0.0, 0.1, -0.9], [0.0, 0.2, 0.9], [np.nan, np.nan, np.nan]])
    order = charts.unit_order(values, by_movement=True)
    assert order == [2, 1, 0]
    assert charts.unit_order(values, by_movement=False) == [0, 1, 2]
    frame = charts.heatmap_frame(values, [["a"], ["b"], ["<pad>"]], order)
    assert len(frame) == 6  # NaN (masked) steps are left out
    assert frame.loc[frame["unit"] == 2, "rank"].eq(0).all()
    spec = charts.heatmap_chart(frame, "hidden state h", gate=False).to_dict()
    assert spec["encoding"]["color"]["scale"]["domain"] == [-1.0, 0.0, 1.0]
    gate = charts.heatmap_chart(frame, "forget gate f", gate=True).to_dict()
    assert gate["encoding"]["color"]["scale"]["domain"] == [0, 0.5, 1]


def test_internal_values_have_their_own_palette_not_the_verdicts():
    import colorsys

    from ui.shared import palette

    frame = charts.heatmap_frame(np.array([[-0.5, 0.5]]), [["a"]], [0, 1])
    for gate in (False, True):
        scale = charts.heatmap_chart(frame, "x", gate=gate).to_dict()["encoding"]["color"]["scale"]
        assert scale["range"] == list(palette.INTERNAL_RANGE) and "scheme" not in scale

    def hue(color: str) -> float:
        return 360 * colorsys.rgb_to_hls(*(c / 255 for c in palette.rgb(color)))[0]

    verdict = [hue(palette.POSITIVE), hue(palette.NEGATIVE)]  # blue and vermillion
    for color in (palette.INTERNAL_LOW, palette.INTERNAL_HIGH):  # purple and green: far from both
        assert min(min(abs(hue(color) - v), 360 - abs(hue(color) - v)) for v in verdict) > 60
    assert not {palette.INTERNAL_LOW, palette.INTERNAL_HIGH} & {palette.POSITIVE, palette.NEGATIVE}


def test_the_layer_table_and_diagram_name_every_layer():
    from core.config import preset

    config = preset("tutorial-final")
    frame = charts.layer_frame(config)
    assert frame["Layer"].tolist() == ["word_ids", "embedding", "lstm_1", "lstm_2", "positive"]
    assert frame["Parameters"].sum() == 5000 * 128 + 4 * (64 * 192 + 64) + 4 * (64 * 128 + 64) + 65
    chain = charts.layer_chain(config)
    assert chain.startswith("`Input`") and chain.count("→") == 4 and chain.endswith("`Dense(1, sigmoid)` ·1")


def test_the_words_an_intervention_changed_and_the_unit_roles_table():
    """The changed contributions are the log-odds steps of both running verdicts; roles sort by effect size."""
    from core.model.metrics import log_odds
    from ui.xray import tables, wording

    steps = [["<start>"], ["wooden"], ["but"], ["fine"]]
    before, after = [0.5, 0.3, 0.4, 0.7], [0.5, 0.3, 0.5, 0.8]
    result = SimpleNamespace(
        original=SimpleNamespace(steps=steps, prefix_probability=before),
        intervened=SimpleNamespace(steps=steps, prefix_probability=after),
        changed_steps=[2, 3],
    )
    changed = tables.changed_words(result)
    assert changed["words"].tolist() == ["but", "fine"]
    expected = (log_odds(np.array(after[2:])) - log_odds(np.array(after[1:3]))).round(4)
    assert changed[wording.WITH_CHANGES].tolist() == pytest.approx(expected.tolist())
    moved = changed[wording.WITH_CHANGES] - changed[wording.AS_TRAINED]
    assert changed["change"].tolist() == pytest.approx(moved.tolist(), abs=1.1e-3) and (changed["change"] > 0).all()
    assert tables.changed_words(SimpleNamespace(**{**vars(result), "changed_steps": []})).empty
    frame = tables.intervention_frame(result)
    assert frame.groupby("series")["positive"].apply(list).to_dict() == {
        wording.AS_TRAINED: before,
        wording.WITH_CHANGES: after,
    }
    roles_result = {
        "reviews": 10,
        "units": [
            {
                "unit": 0,
                "direction": "forward",
                "mean_change": 0.01,
                "mean_abs_change": 0.02,
                "words_up": ["great"],
                "words_down": [],
            },
            {
                "unit": 1,
                "direction": "forward",
                "mean_change": -0.5,
                "mean_abs_change": 0.6,
                "words_up": [],
                "words_down": ["bad", "dull"],
            },
        ],
    }
    roles = tables.roles_frame(roles_result)
    assert roles[tables.UNIT].tolist() == [1, 0] and roles[tables.DOWN].iloc[0] == "bad, dull"
    assert tables.EXAMPLE not in roles  # without the validation reviews, no example column
    units = [{**row, "example": i, "example_change": [0.3, -1.5][i]} for i, row in enumerate(roles_result["units"])]
    texts = ("Fine.", "Dull<br />plot " + "and more " * 20)
    examples = tables.roles_frame({**roles_result, "units": units}, texts)[tables.EXAMPLE].tolist()
    assert examples[0].startswith("-1.50: Dull plot and more") and examples[0].endswith("…")
    assert examples[1] == "+0.30: Fine." and len(examples[0]) == len("-1.50: ") + tables.EXAMPLE_IN_TABLE
    from core.serving.interventions import parse

    assert wording.describe(parse("forget:2"), steps) == "forget here at “but” (step 2)"
    assert wording.describe(parse("ignore:1-3"), steps) == "ignore the words from “wooden” (step 1) to “fine” (step 3)"
    assert wording.describe(parse("transplant:3=1@1"), steps).startswith("transplant: after “fine” (step 3)")
    assert wording.describe(parse('transplant:2="A dull, plot"'), steps).endswith("after reading “a dull plot”")
