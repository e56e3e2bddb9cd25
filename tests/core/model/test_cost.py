"""The cost model: the estimate and the Train page's warnings quote the same factors."""

from __future__ import annotations

import pytest

from core.config import preset
from core.model import cost


def test_warnings_name_the_slow_settings():
    assert cost.slow_setting_warnings(preset("lstm")) == []
    assert len(cost.slow_setting_warnings(preset("tutorial-final"))) == 2  # recurrent dropout, 2 layers
    slow = preset("lstm").replace(maxlen=800, bidirectional=True)
    assert len(cost.slow_setting_warnings(slow)) == 2


def test_a_warning_quotes_the_factor_the_estimate_uses():
    base = preset("tutorial-v1")
    layered = base.replace(layers=2)
    ratio = cost.relative_cost(layered) / cost.relative_cost(base)
    assert ratio == pytest.approx(1 + cost.EXTRA_LAYER_SHARE)
    (warning,) = cost.slow_setting_warnings(layered.replace(maxlen=400))
    assert f"{cost.EXTRA_LAYER_SHARE:.0%}" in warning
    dropout = base.replace(maxlen=400, recurrent_dropout=0.1, batch_size=128)
    assert cost.relative_cost(dropout) / cost.relative_cost(base.replace(maxlen=400)) == pytest.approx(
        cost.RECURRENT_DROPOUT_FACTOR[1]
    )
    assert f"{cost.RECURRENT_DROPOUT_FACTOR[1]:g}x slower at batch 128" in cost.slow_setting_warnings(dropout)[0]


def test_the_estimate_grows_with_length_and_epochs_do_not_enter_it():
    default = preset("lstm")
    assert cost.estimate_epoch_seconds(default.replace(bucketing=False, maxlen=800)) > cost.estimate_epoch_seconds(
        default.replace(bucketing=False, maxlen=200)
    )
    assert cost.estimate_epoch_seconds(default.replace(epochs=5)) == cost.estimate_epoch_seconds(default)
