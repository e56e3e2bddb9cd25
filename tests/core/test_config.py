"""Which preset a config is: one answer for the Train page, the runs table, run ids and the CLI."""

from __future__ import annotations

from core.config import CUSTOM, preset, preset_label, preset_name
from core.runs.store import base_run_id


def test_presets_are_recognised_whatever_the_slice():
    assert preset_name(preset("tutorial-v1").replace(train_limit=300, test_limit=300)) == "tutorial-v1"
    assert preset_name(preset("fast").replace(units=8)) is None
    assert preset_label(preset("fast").replace(units=8)) == CUSTOM


def test_epochs_do_not_change_which_network_a_config_is():
    """`fast` trained for 3 epochs is still `fast`: same label for the run id, the runs table and the Train page."""
    three_epochs = preset("fast").replace(epochs=3)
    assert preset_name(three_epochs) == "fast"
    assert base_run_id(three_epochs, "data").startswith("fast-")
    assert base_run_id(three_epochs, "data") != base_run_id(preset("fast"), "data")  # but not the same run
