"""The cost model: the estimate and the Train page's warnings quote the same factors."""

from __future__ import annotations

import numpy as np
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


SHAPES = [
    {},
    {"cell": "gru", "bidirectional": True, "layers": 2, "pooling": "max-mean"},
    {"conv_pool": 4, "conv_stride": 2, "pooling": "last", "units": 6},
    {"layers": 3, "pooling": "max", "embedding_dim": 12},
]


@pytest.mark.parametrize("changes", SHAPES)
def test_parameter_count_is_keras_own(changes):
    """Counted without building the model (admission runs in the web process), and exactly what Keras builds."""
    from core.model.architecture import build_model

    config = preset("lstm").replace(**{"num_words": 300, "embedding_dim": 8, "units": 4, **changes})
    assert cost.parameter_count(config) == build_model(config).count_params()


def test_every_preset_is_admitted_and_the_issues_oversized_configs_are_refused(monkeypatch):
    from core.config import PRESETS
    from core.jobs.admission import check_size
    from core.jobs.records import JobRefused
    from core.settings import max_job_memory_bytes, max_parameters

    for name in PRESETS:
        check_size(preset(name), max_parameters(), max_job_memory_bytes())
    huge_table = preset("lstm").replace(num_words=100_000, embedding_dim=512)
    with pytest.raises(JobRefused, match=r"51\.3 million weights") as refused:
        check_size(huge_table, max_parameters(), max_job_memory_bytes())
    from core.jobs.admission import refusal  # the Train page's question before the click: the same words
    from core.runs.calibration import Calibration

    lengths = np.full(1000, 200)
    limits = (max_parameters(), max_job_memory_bytes())
    assert refusal(huge_table, Calibration(), lengths, None, *limits) == str(refused.value)
    assert refusal(preset("lstm"), Calibration(), lengths, 1e9, *limits) is None
    assert "more than this server allows" in refusal(preset("lstm"), Calibration(), lengths, 1e-3, *limits)
    huge_batch = preset("lstm").replace(maxlen=2500, batch_size=1024, embedding_dim=512, num_words=5000)
    with pytest.raises(JobRefused, match=r"GB of memory a batch.*smaller batch"):
        check_size(huge_batch, max_parameters(), max_job_memory_bytes())
    monkeypatch.setenv("IMDB_LAB_MAX_PARAMETERS", "1000")  # the operator's setting
    with pytest.raises(JobRefused, match="more than this server allows"):
        check_size(preset("lstm"), max_parameters(), max_job_memory_bytes())


def test_a_large_embedding_adds_its_update_to_the_estimate():
    """Adam updates the whole table every batch: counted per batch, so a small batch pays it more often."""
    base = preset("lstm")
    wide = base.replace(num_words=100_000, embedding_dim=512)
    assert cost.embedding_update_seconds(base) == 0.0  # the reference table's size: in the per-step figure
    assert cost.embedding_update_seconds(wide) == pytest.approx((51_200_000 - 640_000) * 8e-9)
    small_batch = wide.replace(batch_size=8)
    extra = cost.seconds_per_sample(small_batch) - cost.seconds_per_sample(base.replace(batch_size=8))
    assert extra > 0.04  # 0.4 s a batch of 8: half an hour an epoch of 20,000 reviews
    assert cost.embedding_update_seconds(wide.replace(embeddings_trainable=False)) == 0.0  # frozen: never updated


def test_the_wait_quoted_is_measured_then_estimated_with_a_measured_then_a_declared_start_up():
    from core.jobs.admission import DECLARED_STARTUP_SECONDS, expected_wait
    from core.runs.calibration import Calibration

    lengths, calibration, lstm = np.full(1000, 200), Calibration(), preset("lstm")
    training = calibration.training_seconds(lstm, lengths)
    same = expected_wait(lstm, [(lstm.replace(seed=9), 30.0, 17.0), (lstm, 40.0, 20.0)], calibration, lengths, 100)
    assert (same.likely, same.how, same.measured) == (35.0, "measured", 2)  # any seed: the same network
    other = expected_wait(lstm, [(preset("bilstm"), 200.0, 180.0)], calibration, lengths, 100)
    assert other.how == "estimate + measured start-up" and other.likely == pytest.approx(training[1] + 20.0)
    fresh = expected_wait(lstm, [], calibration, lengths, 100)
    scoring = calibration.scoring_seconds(lstm, 100, lengths)
    assert fresh.how == "estimate + declared start-up"
    assert fresh.likely == pytest.approx(training[1] + DECLARED_STARTUP_SECONDS + scoring)
