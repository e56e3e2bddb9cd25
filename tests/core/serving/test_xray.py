"""The X-ray is exact: numpy cell equations on the stored weights reproduce Keras, for every architecture."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import PRESETS, TrainConfig
from core.errors import LabError
from core.serving import xray

SMALL = TrainConfig(num_words=300, maxlen=60, embedding_dim=6, units=5, conv_pool=1, pooling="last", dropout=0.0)
TINY_MODELS = {
    "lstm": SMALL,
    "lstm-max": SMALL.replace(pooling="max"),
    "lstm-max-mean": SMALL.replace(pooling="max-mean"),
    "bidirectional-max-mean": SMALL.replace(bidirectional=True, pooling="max-mean"),
    "gru": SMALL.replace(cell="gru"),
    "stacked": SMALL.replace(layers=2),
    "stacked-gru": SMALL.replace(layers=3, cell="gru"),
    "bidirectional": SMALL.replace(bidirectional=True),
    "bidirectional-max": SMALL.replace(bidirectional=True, pooling="max", layers=2),
    "masked": SMALL.replace(mask_zero=True, bucketing=False),
    "masked-bi-gru": SMALL.replace(mask_zero=True, bucketing=False, bidirectional=True, cell="gru", layers=2),
    "conv": SMALL.replace(conv_pool=3, pooling="max"),
    "masked-word-dropout": SMALL.replace(mask_zero=True, bucketing=False, word_dropout=0.2),
    "conv-bi-gru": SMALL.replace(conv_pool=4, bidirectional=True, cell="gru"),
}
CASES = {**{f"preset-{name}": p.config for name, p in PRESETS.items()}, **TINY_MODELS}


def _model(config: TrainConfig):
    """The real architecture with large random weights (saturating gates, not a ~0.5 output)."""
    from core.model.architecture import build_model

    model = build_model(config)
    rng = np.random.default_rng(7)
    model.set_weights([rng.normal(0, 0.6, w.shape).astype("float32") for w in model.get_weights()])
    return model


def _ids(config: TrainConfig, length: int = 23) -> np.ndarray:
    rng = np.random.default_rng(3)
    ids = np.concatenate([[1], rng.integers(2, config.num_words, length - 1)]).astype("int32")
    if config.mask_zero:  # padding on the right, as the model is fed: skipped exactly
        ids = np.concatenate([ids, np.zeros(9, dtype="int32")])
    return ids


@pytest.mark.parametrize("name", list(CASES))
def test_the_last_step_reproduces_the_models_probability(name):
    config = CASES[name]
    model = _model(config)
    ids = _ids(config)
    expected = float(model(ids[None, :], training=False).numpy()[0, 0])
    trace = xray.trace(xray.weights_of(model, config), ids)
    assert abs(trace.probability - expected) < 1e-5
    assert 0.02 < expected < 0.98 or abs(trace.logit) > 1  # the weights do move the output


#: float32 Keras against float64 numpy: states of large-weight 2-layer models differ by ~1e-5 relative.


def _reference(keras, config, layer, backwards=False):
    cls = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[config.cell]
    return cls(config.units, return_sequences=True, return_state=True, go_backwards=backwards)


@pytest.mark.parametrize("name", [*list(TINY_MODELS), "preset-tutorial-final"])
def test_states_match_return_sequences_and_return_state(name):
    import keras

    config = CASES[name]
    model = _model(config)
    ids = _ids(config)
    trace = xray.trace(xray.weights_of(model, config), ids)
    real = int((ids != 0).sum()) if config.mask_zero else None
    for i in range(config.layers):
        layer = model.get_layer(f"bidirectional_{i + 1}" if config.bidirectional else f"{config.cell}_{i + 1}")
        inputs = keras.Model(model.inputs, layer.input)(ids[None, :])
        inputs = (inputs[0] if isinstance(inputs, list) else inputs).numpy()
        mask = (ids != 0)[None, :] if config.mask_zero else None
        parts = [layer.forward_layer, layer.backward_layer] if config.bidirectional else [layer]
        for j, part in enumerate(parts):
            ref = _reference(keras, config, part, backwards=bool(j))
            ref(inputs, mask=mask)
            ref.set_weights(part.get_weights())
            sequence, *states = (s.numpy()[0] for s in ref(inputs, mask=mask))
            mine = trace.layers[i][j]
            np.testing.assert_allclose(mine.final, states[0], atol=1e-5, rtol=1e-4)
            if config.cell == "lstm":
                np.testing.assert_allclose(mine.final_cell, states[1], atol=1e-5, rtol=1e-4)
            if j == 0:  # forward: every step (masked: the real ones)
                np.testing.assert_allclose(mine.hidden[:real], sequence[:real], atol=1e-5, rtol=1e-4)
            elif not config.mask_zero:  # go_backwards returns steps last-first
                np.testing.assert_allclose(mine.hidden[::-1], sequence, atol=1e-5, rtol=1e-4)
            for gate in mine.gates.values():
                seen = gate[:real]
                assert np.isfinite(seen).all() and (seen >= 0).all() and (seen <= 1).all()
            if config.mask_zero:
                assert np.isnan(mine.gates[next(iter(mine.gates))][real:]).all()  # padding never entered a gate


@pytest.mark.parametrize("name", ["lstm", "lstm-max", "stacked-gru", "bidirectional", "bidirectional-max", "conv"])
def test_the_running_verdict_is_the_models_probability_of_each_prefix(name):
    config = CASES[name]
    model = _model(config)
    weights = xray.weights_of(model, config)
    ids = _ids(config, 17)
    trace = xray.trace(weights, ids)
    x = xray.front_end(weights, ids[None, :].astype(np.int64))[0]
    prefix = xray.prefix_probabilities(weights, x, trace.layers)
    assert abs(prefix[-1] - trace.probability) < 1e-9
    if config.conv_pool == 1:
        for t in (0, 5, 11):
            expected = float(model(ids[None, : t + 1], training=False).numpy()[0, 0])
            assert abs(prefix[t] - expected) < 1e-5


def test_conv_steps_name_the_words_they_pool():
    config = SMALL.replace(conv_pool=3, pooling="max")
    words = [f"w{i}" for i in range(8)]
    steps, real = xray.step_words(config, words, 8, 0)
    # "same" pooling of 8 positions by 3: 3 steps, one position of padding put after
    assert steps == [["w0", "w1", "w2"], ["w3", "w4", "w5"], ["w6", "w7"]]
    assert real == slice(0, 3)


def test_strided_conv_steps_cover_each_word_once_as_the_model_steps():
    config = SMALL.replace(conv_pool=2, conv_stride=2, pooling="max")
    words = [f"w{i}" for i in range(11)]
    steps, real = xray.step_words(config, words, 11, 0)
    # Conv1D(4, stride 2, "same") of 11 positions: 6 windows; pooled by 2: 3 steps of 4, 4 and 3 words
    assert steps == [words[0:4], words[4:8], words[8:11]]
    assert real == slice(0, 3)
    weights = xray.weights_of(_model(config), config)
    model_steps = xray.front_end(weights, _ids(config, 11)[None, :].astype(np.int64)).shape[1]
    assert model_steps == len(steps)


@pytest.fixture(scope="module")
def toy_predictor(toy):
    from core.serving.predictor import Predictor

    _, store, snap = toy
    return Predictor(snap.run_id, store)


def test_a_stored_run_xray_matches_its_prediction(toy_predictor):
    text = "the story was great but the acting was awful"
    shot = xray.xray(toy_predictor, text)
    (p,) = toy_predictor.predict([text])
    assert abs(shot.probability - p) < 1e-5
    assert abs(shot.prefix_probability[-1] - p) < 1e-5
    words = [w for step in shot.steps for w in step]
    assert words == ["<start>", *text.split()]  # conv steps cover every word once, in order
    data = shot.to_dict()
    assert set(data) >= {"run_id", "tokens", "steps", "prefix_probability", "probability"}
    step = data["steps"][0]
    assert set(step["gates"]) == {"input", "forget", "output"}
    assert len(step["hidden"]) == len(step["cell"]) == toy_predictor.config.units


@pytest.mark.parametrize("text", ["", "   \n", "!!! ???"])
def test_bad_input_gets_a_clear_message(toy_predictor, text):
    with pytest.raises(LabError, match="word"):
        xray.xray(toy_predictor, text)


def test_a_huge_paste_is_clipped_like_a_prediction(toy_predictor):
    text = "great awful story " * 40_000
    shot = xray.xray(toy_predictor, text)
    (p,) = toy_predictor.predict([text])
    assert abs(shot.probability - p) < 1e-5
    assert any("cut off" in note for note in shot.notes)


def test_the_prediction_process_answers_xray_requests(toy):

    from core.serving.service import PredictionService

    _, store, snap = toy
    service = PredictionService(store.root, timeout=60)
    try:
        run = store.get(snap.run_id)
        shot = service.xray(run.run_id, run.created, "great story")
        (p,) = service.predict(run.run_id, run.created, ["great story"])
        assert abs(shot.probability - p) < 1e-5 and shot.steps
    finally:
        service.close()


#: The review from issue 26: 19 words, a negation that turns out fine.
NINETEEN_WORDS = "This movie is not bad at all, in fact I enjoyed it quite a lot. The ending was wonderful."


def test_the_default_preset_reads_one_step_per_word_and_its_verdict_ends_at_its_probability():
    """The default is a word-level LSTM: the start token, then one step per word, nothing pooled."""
    import threading
    from types import SimpleNamespace

    from core.config import DEFAULT_PRESET, preset
    from core.data.corpus import Vocabulary
    from core.encoding import arrays
    from core.model.inference import inference_function
    from core.serving.predictor import Predictor
    from core.text.tokenizer import tokenize

    config = preset(DEFAULT_PRESET)
    words = tokenize(NINETEEN_WORDS)
    vocabulary = sorted(set(words))
    predictor = Predictor.__new__(Predictor)  # the run's parts without a stored run: the preset's real network
    predictor.config, predictor.model, predictor.run = config, _model(config), SimpleNamespace(run_id="default")
    predictor.vocabulary = Vocabulary(tuple(vocabulary), np.zeros(len(vocabulary), dtype=np.int64))
    predictor.encoding, predictor._lock = arrays.encoding_for(config), threading.Lock()
    predictor._infer, predictor.snapshot = inference_function(predictor.model), None
    shot = xray.xray(predictor, NINETEEN_WORDS)
    assert len(words) == 19 and len(shot.steps) == 20
    assert shot.steps == [[xray.START_TOKEN], *[[w] for w in words]]
    (probability,) = predictor.predict([NINETEEN_WORDS])
    assert abs(shot.prefix_probability[-1] - probability) < 1e-5
    assert abs(shot.probability - probability) < 1e-5
