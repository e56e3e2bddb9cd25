"""Interventions are exact: each equals a hand-computed step or a Keras model changed to match.

(That the replay with no intervention is the model's own probability, for LSTM, GRU, stacked,
bidirectional and masked models, is tests/core/serving/test_xray.py's first test.)
"""

from __future__ import annotations

import numpy as np
import pytest

from core.serving import interventions as iv, xray
from tests.core.serving.test_xray import SMALL, _ids, _model

T = 6  # the step intervened on (the start token is step 0)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


@pytest.fixture(scope="module")
def lstm():
    model = _model(SMALL)
    return model, xray.weights_of(model, SMALL), _ids(SMALL, 15)


def _traces(weights, ids, *specs):
    plain = xray.trace(weights, ids)
    edits = iv.edits_for([iv.parse(s) for s in specs], weights.config, plain)
    return plain, xray.trace(weights, ids, edits)


def _step(weights, ids, before: xray.Direction):
    """The LSTM's gates at step T from the state after T - 1, by hand."""
    (w,) = weights.layers[0]
    z = weights.embedding[ids[T]] @ w.kernel + before.hidden[T - 1] @ w.recurrent + w.bias
    i, f, g, o = np.split(z, 4)
    return _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)


def _keras_from(model, weights, ids, h, c):
    """Keras's LSTM reading ids[T + 1:] from the state (h, c), then the Dense: the probability."""
    import keras

    layer = keras.layers.LSTM(SMALL.units)
    rest = weights.embedding[ids[T + 1 :]][None].astype("float32")
    layer(rest)
    layer.set_weights(model.get_layer("lstm_1").get_weights())
    final = layer(rest, initial_state=[h[None].astype("float32"), c[None].astype("float32")]).numpy()[0]
    kernel, bias = weights.dense
    return float(_sigmoid(final @ kernel + bias)[0])


def test_forget_drops_the_carried_cell_state_and_the_word_still_writes(lstm):
    model, weights, ids = lstm
    plain, forgot = _traces(weights, ids, f"forget:{T}")
    before, after = plain.layers[0][0], forgot.layers[0][0]
    i, f, g, o = _step(weights, ids, before)
    c = i * g  # f * c_prev is gone
    np.testing.assert_allclose(after.cell[T], c, atol=1e-12)
    np.testing.assert_allclose(after.hidden[T], o * np.tanh(c), atol=1e-12)
    assert not np.allclose(after.cell[T], f * before.cell[T - 1] + i * g)  # it did change something
    assert (after.gates["forget"][T] == 0).all()
    np.testing.assert_array_equal(after.hidden[:T], before.hidden[:T])  # nothing before T moves
    assert abs(forgot.probability - _keras_from(model, weights, ids, after.hidden[T], c)) < 1e-5


def test_ignore_lets_the_word_write_nothing(lstm):
    model, weights, ids = lstm
    plain, ignored = _traces(weights, ids, f"ignore:{T}")
    before, after = plain.layers[0][0], ignored.layers[0][0]
    _, f, _, o = _step(weights, ids, before)
    c = f * before.cell[T - 1]  # the input gate is 0
    np.testing.assert_allclose(after.cell[T], c, atol=1e-12)
    np.testing.assert_allclose(after.hidden[T], o * np.tanh(c), atol=1e-12)
    assert (after.gates["input"][T] == 0).all()
    assert abs(ignored.probability - _keras_from(model, weights, ids, after.hidden[T], c)) < 1e-5


def test_freeze_is_the_review_without_that_word_and_interventions_stack(lstm):
    model, weights, ids = lstm
    plain, frozen = _traces(weights, ids, f"freeze:{T}")
    np.testing.assert_array_equal(frozen.layers[0][0].hidden[T], plain.layers[0][0].hidden[T - 1])
    np.testing.assert_array_equal(frozen.layers[0][0].cell[T], plain.layers[0][0].cell[T - 1])
    without = np.delete(ids, T)[None]
    assert abs(frozen.probability - float(model(without, training=False).numpy()[0, 0])) < 1e-5
    _, both = _traces(weights, ids, f"freeze:{T}", "silence:2")
    assert abs(both.probability - _silenced_keras(model, SMALL, 2, without)) < 1e-5


def test_transplant_reads_on_from_another_steps_state(lstm):
    model, weights, ids = lstm
    plain, moved = _traces(weights, ids, f"transplant:{T}=2")
    h, c = plain.layers[0][0].hidden[2], plain.layers[0][0].cell[2]
    np.testing.assert_array_equal(moved.layers[0][0].hidden[T], h)
    np.testing.assert_array_equal(moved.layers[0][0].cell[T], c)
    assert abs(moved.probability - _keras_from(model, weights, ids, h, c)) < 1e-5


@pytest.mark.parametrize("kind", iv.SPAN_KINDS)
def test_a_span_is_the_same_change_at_each_of_its_steps_stacked(lstm, kind):
    _, weights, ids = lstm
    plain, span = _traces(weights, ids, f"{kind}:3-5")
    _, stacked = _traces(weights, ids, f"{kind}:3", f"{kind}:4", f"{kind}:5")
    np.testing.assert_array_equal(span.layers[0][0].hidden, stacked.layers[0][0].hidden)
    assert span.probability == stacked.probability != plain.probability
    assert str(iv.parse(f" {kind} : 3 - 5 @1")) == f"{kind}:3-5@1" and str(iv.parse(f"{kind}:4-4")) == f"{kind}:4"


def test_transplant_from_another_text_reads_on_from_where_keras_left_that_text(lstm):
    import keras

    model, weights, ids = lstm
    other = np.array([1, 17, 42, 99, 3], dtype="int32")  # another text: its start token and 4 words
    spec = iv.parse('transplant:6="This movie, was GREAT!"')
    assert str(spec) == 'transplant:6="this movie was great"' and spec.other == "this movie was great"
    edits = iv.edits_for([spec], SMALL, None, {spec.other: xray.trace(weights, other)})
    moved = xray.trace(weights, ids, edits)
    reader = keras.layers.LSTM(SMALL.units, return_state=True)  # Keras reads the other text alone
    prefix = weights.embedding[other][None].astype("float32")
    reader(prefix)
    reader.set_weights(model.get_layer("lstm_1").get_weights())
    _, h, c = (a.numpy()[0] for a in reader(prefix))
    np.testing.assert_allclose(moved.layers[0][0].hidden[T], h, atol=1e-5)
    np.testing.assert_allclose(moved.layers[0][0].cell[T], c, atol=1e-5)
    assert abs(moved.probability - _keras_from(model, weights, ids, h, c)) < 1e-5  # then reads on from there


def _silenced_keras(model, config, unit: int, ids) -> float:
    """Keras with unit ``unit`` cut out: its row of the recurrent kernel and of the Dense kernel zeroed.

    Holding h (and c) at 0 is exactly this: h_j reaches the next step only through its recurrent
    row and the classifier only through its Dense row (zeroing the Dense row alone would leave the
    unit feeding its neighbours' gates). Max (and max-mean) pooling read the unit only through its
    Dense rows too, so the probabilities are compared exactly there as well.
    """
    import keras

    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    name = "bidirectional_1" if config.bidirectional else f"{config.cell}_1"
    layer = clone.get_layer(name)
    part = [layer.forward_layer, layer.backward_layer][unit // config.units] if config.bidirectional else layer
    kernel, recurrent, bias = part.get_weights()
    recurrent[unit % config.units] = 0.0
    part.set_weights([kernel, recurrent, bias])
    dense = clone.get_layer("positive")
    kernel, bias = dense.get_weights()
    features = config.units * (2 if config.bidirectional else 1)
    kernel[unit::features] = 0.0  # max-mean: the unit's max row and its mean row
    dense.set_weights([kernel, bias])
    return float(clone(np.asarray(ids), training=False).numpy()[0, 0])


@pytest.mark.parametrize(
    ("config", "unit"),
    [
        (SMALL, 3),
        (SMALL.replace(pooling="max"), 1),
        (SMALL.replace(cell="gru"), 0),
        (SMALL.replace(bidirectional=True), SMALL.units + 2),  # a backward unit
    ],
    ids=["lstm-last", "lstm-max", "gru", "bidirectional"],
)
def test_silence_equals_the_model_with_that_unit_cut_out(config, unit):
    model = _model(config)
    weights = xray.weights_of(model, config)
    ids = _ids(config, 15)
    plain, silenced = _traces(weights, ids, f"silence:{unit}")
    direction = silenced.layers[0][unit // config.units]
    assert (direction.hidden[:, unit % config.units] == 0).all()
    assert abs(silenced.probability - _silenced_keras(model, config, unit, ids[None])) < 1e-5
    assert abs(silenced.probability - plain.probability) > 1e-4  # the unit mattered


def test_gru_forget_keeps_only_the_candidate():
    config = SMALL.replace(cell="gru")
    weights = xray.weights_of(_model(config), config)
    plain, forgot = _traces(weights, _ids(config, 15), f"forget:{T}")
    assert (forgot.layers[0][0].gates["update"][T] == 0).all()
    _, ignored = _traces(weights, _ids(config, 15), f"ignore:{T}")
    np.testing.assert_array_equal(ignored.layers[0][0].hidden[T], plain.layers[0][0].hidden[T - 1])


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("remember:3", "unknown kind 'remember'"),
        ("forget", "not KIND:WHERE"),
        ("forget:three", "not KIND:WHERE"),
        ("forget:99", "step 99 is out of range; this review has 15 steps"),
        ("freeze:-1", "step -1 is out of range"),
        ("silence:5", "unit 5 is out of range; the layer has 5 units"),
        ("forget:2@3", "layer 3 does not exist"),
        ("transplant:4", "only transplant takes a source"),
        ("forget:4=2", "only transplant takes a source"),
        ("transplant:4=15", "step 15 is out of range"),
        ("ignore:3-15", "step 15 is out of range; this review has 15 steps"),
        ("ignore:5-3", "a span T-U runs forward"),
        ("silence:1-2", "is for forget, ignore, freeze only"),
        ("forget:2-99999999", "not KIND:WHERE"),
        ('transplant:4="?!"', "the other text has no words"),
        ('forget:4="a film"', "only transplant takes a source"),
        ('transplant:4="a film', "not KIND:WHERE"),
        ('transplant:99="a film"', "step 99 is out of range"),
    ],
)
def test_bad_specs_get_a_clear_message(spec, words):
    with pytest.raises(iv.InterventionError, match=words):
        iv.check([iv.parse(spec)], 15, SMALL)


def test_a_links_list_of_specs_is_parsed_in_order_and_capped():
    assert [str(it) for it in iv.parse_many(" forget:3, silence:5,,transplant:4=1@1")] == [
        "forget:3",
        "silence:5",
        "transplant:4=1@1",
    ]
    assert iv.parse_many("") == []
    with pytest.raises(iv.InterventionError, match=f"At most {iv.MAX_STACKED} interventions"):
        iv.parse_many(",".join(["forget:1"] * (iv.MAX_STACKED + 1)))
    with pytest.raises(iv.InterventionError, match="not KIND:WHERE"):
        iv.parse_many("forget:3;rm")
    long = 'transplant:2="' + "word " * 100 + '"'  # another text: its first 200 characters' words
    assert iv.parse(long).other == " ".join(["word"] * 40)
    with pytest.raises(iv.InterventionError, match=f"At most {iv.MAX_SPECS_CHARS} characters"):
        iv.parse_many(f"{long},{long}")


def test_a_stored_run_transplants_the_state_after_another_texts_last_word(toy_predictor):
    result = iv.intervene(toy_predictor, "the acting was awful", ['transplant:2="The story; was GREAT"'])
    other = xray.xray(toy_predictor, "the story was great").layers[-1][0]
    np.testing.assert_array_equal(result.intervened.layers[-1][0].hidden[2], other.hidden[-1])
    assert result.intervened.layers[-1][0].hidden[1].tolist() == result.original.layers[-1][0].hidden[1].tolist()
    with pytest.raises(iv.InterventionError, match="reads both ways"):
        iv.check([iv.parse('transplant:2="good"')], 5, SMALL.replace(bidirectional=True))


@pytest.fixture(scope="module")
def toy_predictor(toy):
    from core.serving.predictor import Predictor

    _, store, snap = toy
    return Predictor(snap.run_id, store)


def test_a_stored_run_intervened_keeps_the_steps_before_and_names_the_steps_that_changed(toy_predictor):
    text = "the story was great but the acting was awful"
    result = iv.intervene(toy_predictor, text, ["forget:5", "silence:1"])
    assert abs(result.original.probability - toy_predictor.predict([text])[0]) < 1e-5
    before, after = result.original.prefix_probability, result.intervened.prefix_probability
    assert abs(after[-1] - result.intervened.probability) < 1e-9
    assert result.changed_steps and all(t >= 0 for t in result.changed_steps)
    only_forget = iv.intervene(toy_predictor, text, ["forget:5"])
    assert only_forget.intervened.prefix_probability[:5] == before[:5]
    assert only_forget.changed_steps[0] == 5 and set(only_forget.changed_steps) <= set(range(5, 10))
    with pytest.raises(iv.InterventionError, match="this review has 10 steps"):
        iv.intervene(toy_predictor, text, ["ignore:10"])


def test_a_bidirectional_running_verdict_moves_only_from_the_intervened_step():
    config = SMALL.replace(bidirectional=True)
    weights = xray.weights_of(_model(config), config)
    ids = _ids(config, 15)
    plain, forgot = _traces(weights, ids, f"forget:{T}")
    x = xray.front_end(weights, ids[None, :].astype(np.int64))[0]
    edits = iv.edits_for([iv.parse(f"forget:{T}")], config)
    before = xray.prefix_probabilities(weights, x, plain.layers)
    after = xray.prefix_probabilities(weights, x, forgot.layers, edits)
    assert abs(after[-1] - forgot.probability) < 1e-9
    np.testing.assert_array_equal(after[:T], before[:T])  # prefixes that end before T never read it
    assert not np.allclose(after[T:], before[T:])


def test_steps_are_the_xrays_steps_when_the_model_reads_padding_first():
    from tests.core.serving.test_unit_roles import _predictor

    predictor = _predictor(SMALL.replace(bucketing=False))  # padded to 60 on the left, no mask
    result = iv.intervene(predictor, "good film but dull plot", ["ignore:3"])
    gates = result.intervened.layers[0][0].gates["input"]
    assert len(result.original.steps) == 6 and result.original.steps[3] == ["but"]
    assert (gates[3] == 0).all() and (gates[2] == result.original.layers[0][0].gates["input"][2]).all()
    assert abs(result.original.probability - predictor.predict(["good film but dull plot"])[0]) < 1e-5
