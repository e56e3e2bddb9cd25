"""The layer summary (from the config, no Keras) matches the Keras model layer by layer."""

from __future__ import annotations

import pytest

from core.config import PRESETS
from core.serving.layers import layer_summary, total_params
from tests.core.serving.test_xray import TINY_MODELS

CASES = {**{name: p.config for name, p in PRESETS.items()}, **TINY_MODELS}
CASES["dense-dropout"] = TINY_MODELS["lstm"].replace(dense_dropout=0.3)


@pytest.mark.parametrize("name", list(CASES))
def test_rows_match_keras(name):
    from core.model.architecture import build_model

    config = CASES[name]
    model = build_model(config)
    rows = layer_summary(config)
    assert [r["name"] for r in rows] == [layer.name for layer in model.layers]
    for row, layer in zip(rows, model.layers, strict=True):
        assert row["params"] == layer.count_params(), row["name"]
        assert row["output"] == str(tuple(layer.output.shape)), row["name"]
    assert total_params(config) == model.count_params()
