"""The recipe knobs of issue 29: whole-word dropout, learning-rate warm-up, gradient clipping."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import TrainConfig
from core.model.architecture import build_model

SMALL = TrainConfig(num_words=200, embedding_dim=8, units=4, maxlen=20, batch_size=8, epochs=2)


def test_word_dropout_drops_whole_words_while_training_and_nothing_when_predicting():
    import keras

    model = build_model(SMALL.replace(word_dropout=0.5))
    layer = model.get_layer("word_dropout")
    vectors = keras.ops.ones((4, 50, 8))
    dropped = keras.ops.convert_to_numpy(layer(vectors, training=True))
    per_word = dropped.reshape(-1, 8)
    # Each word is either gone (all its numbers zero) or kept whole (scaled by 1 / (1 - 0.5)).
    assert set(np.unique(per_word.min(axis=1))) <= {0.0, 2.0}
    assert np.all(per_word.min(axis=1) == per_word.max(axis=1))
    assert 0.3 < (per_word[:, 0] == 0).mean() < 0.7
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(vectors, training=False)), 1.0)


@pytest.mark.parametrize("schedule", ["cosine", "constant"])
def test_warmup_rises_from_zero_to_the_rate_then_follows_the_schedule(schedule):
    steps_per_epoch = 50  # 100 steps in all, the first 20 warming up
    model = build_model(SMALL.replace(warmup=0.2, schedule=schedule, learning_rate=1e-2), steps_per_epoch)
    rate = [float(model.optimizer._learning_rate(step)) for step in (0, 10, 20, 60, 100)]
    assert rate[0] == 0.0 and rate[1] == pytest.approx(5e-3) and rate[2] == pytest.approx(1e-2)
    if schedule == "cosine":
        assert 0 < rate[3] < 1e-2 and rate[4] == pytest.approx(0.0, abs=1e-9)
    else:
        assert rate[3] == pytest.approx(1e-2) and rate[4] == pytest.approx(1e-2)


def test_without_warmup_the_schedule_is_as_before():
    model = build_model(SMALL, 50)
    assert float(model.optimizer._learning_rate(0)) == pytest.approx(1e-2)


def test_clipnorm_reaches_the_optimizer_and_training_still_runs():
    model = build_model(SMALL.replace(clipnorm=0.5), 2)
    assert model.optimizer.clipnorm == 0.5
    assert build_model(SMALL, 2).optimizer.clipnorm is None
    rng = np.random.default_rng(0)
    history = model.fit(
        rng.integers(1, 200, (16, 20)).astype("int32"), rng.integers(0, 2, (16, 1)).astype("float32"), verbose=0
    )
    assert np.isfinite(history.history["loss"][0])


def test_old_runs_keep_their_ids_and_the_summary_names_the_new_knobs():
    old = TrainConfig.from_dict(
        {k: v for k, v in TrainConfig().to_dict().items() if k not in ("warmup", "clipnorm", "word_dropout")}
    )
    assert old == TrainConfig() and old.fingerprint() == TrainConfig().fingerprint()
    summary = TrainConfig(word_dropout=0.1, warmup=0.05, clipnorm=1.0).summary()
    assert "word dropout 0.1" in summary and "warm-up 0.05" in summary and "clip 1" in summary
