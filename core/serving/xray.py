"""See inside the recurrent layers: states, gates and the running verdict, step by step.

Everything here is computed from the stored model's own weights with the Keras 3 cell
equations in numpy (no Keras call), so the numbers are the model's, not an approximation:

* LSTM (gate order i, f, c, o; ``z = x W + h U + b``)::

    i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o);  c = f * c + i * tanh(z_c);  h = o * tanh(c)

* GRU (``reset_after=True``, the Keras 3 default; gate order z, r, h)::

    z = sigmoid(xz + hz);  r = sigmoid(xr + hr);  hh = tanh(xh + r * hh_rec);  h = z * h + (1 - z) * hh

The front end (embedding, optional Conv1D(5, same, relu) + MaxPooling1D(k, same)) is also
numpy. A masked model skips padding exactly as Keras does (the state is carried over a
masked step). tests/core/serving/test_xray.py checks all of it against Keras.

The *running verdict* (``prefix_probability``) is the probability the classifier would
give if the review ended after each step: for a forward network, one pass (the last
layer's output at step t, or the running max, and mean, for max or max-mean pooling). A bidirectional network's
backward direction must read each prefix again; that is done batched, up to
:data:`MAX_BIDI_PREFIX_STEPS` steps (longer: None).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.config import TrainConfig
from core.errors import LabError

#: Bidirectional prefix verdicts cost O(steps^2); past this, they are not computed.
MAX_BIDI_PREFIX_STEPS = 400
START_TOKEN = "<start>"
PAD_TOKEN = "<pad>"
GATES = {"lstm": ("input", "forget", "output"), "gru": ("update", "reset")}


@dataclass(frozen=True)
class CellWeights:
    kernel: np.ndarray  # (inputs, g*units)
    recurrent: np.ndarray  # (units, g*units)
    bias: np.ndarray  # LSTM (4u,); GRU (2, 3u): input bias, recurrent bias


@dataclass(frozen=True)
class Weights:
    """The numbers of one model, as numpy arrays (float64)."""

    config: TrainConfig
    embedding: np.ndarray
    conv: tuple[np.ndarray, np.ndarray] | None  # kernel (5, in, out), bias
    layers: list[list[CellWeights]]  # per layer: [forward] or [forward, backward]
    dense: tuple[np.ndarray, np.ndarray]  # (features, 1), (1,)


@dataclass(frozen=True)
class StepEdits:
    """What an intervention changes inside one direction's loop (built by :mod:`core.serving.interventions`).

    Steps index the ``x`` given to :func:`run_direction`; ``silence`` names this direction's units.
    LSTM: ``forget`` sets the forget gate to 0, ``ignore`` the input gate; GRU: ``forget`` sets the
    update gate to 0 (nothing of the old state is kept directly), ``ignore`` to 1 (the old state is
    kept whole). ``freeze`` carries the state over the step as a masked step does; ``silence``
    holds the units' h (and c) at 0 at every step; ``transplant`` puts a given (h, c) in place
    of the state after a step.
    """

    forget: frozenset[int] = frozenset()
    ignore: frozenset[int] = frozenset()
    freeze: frozenset[int] = frozenset()
    silence: tuple[int, ...] = ()
    transplant: tuple[tuple[int, np.ndarray, np.ndarray | None], ...] = ()  # (step, h, c or None)

    def shifted(self, offset: int) -> StepEdits:
        move = lambda steps: frozenset(t + offset for t in steps)  # noqa: E731
        moved = tuple((t + offset, h, c) for t, h, c in self.transplant)
        return StepEdits(move(self.forget), move(self.ignore), move(self.freeze), self.silence, moved)


#: Per (layer, direction), 0-based: the edits an intervened run makes there.
Edits = dict[tuple[int, int], StepEdits]


@dataclass
class Direction:
    """One direction of one layer, per step (rows aligned with the input steps)."""

    hidden: np.ndarray  # (T, units)
    cell: np.ndarray | None  # (T, units); GRU: None
    gates: dict[str, np.ndarray]  # name -> (T, units); NaN on masked steps
    final: np.ndarray  # the state Keras returns (return_state)
    final_cell: np.ndarray | None = None


@dataclass
class Trace:
    layers: list[list[Direction]]
    features: np.ndarray  # what the classifier reads, (features,)
    logit: float
    probability: float


@dataclass
class Xray:
    """The X-ray of one text with one run, ready to show or print."""

    run_id: str
    cell: str
    bidirectional: bool
    tokens: list[str]  # the words the model reads (start char first), in model order
    steps: list[list[str]]  # per recurrent step, the words it covers
    probability: float
    prefix_probability: list[float] | None
    layers: list[list[Direction]]  # only real (non-padding) steps
    notes: list[str] = field(default_factory=list)

    def to_dict(self, layer: int | None = None) -> dict:
        """The JSON shape of ``python -m core inspect --json`` (``layer`` 1-based; default the last)."""
        index = (layer or len(self.layers)) - 1
        names = ("forward", "backward")
        per_step = []
        for t, words in enumerate(self.steps):
            entry: dict = {"words": words}
            if self.prefix_probability is not None:
                entry["prefix_probability"] = self.prefix_probability[t]
            for name, d in zip(names, self.layers[index], strict=False):
                target = entry if name == "forward" else entry.setdefault("backward", {})
                target["hidden"] = d.hidden[t].tolist()
                target["cell"] = d.cell[t].tolist() if d.cell is not None else None
                target["gates"] = {g: v[t].tolist() for g, v in d.gates.items()}
            per_step.append(entry)
        return {
            "run_id": self.run_id,
            "cell": self.cell,
            "bidirectional": self.bidirectional,
            "layer": index + 1,
            "layers": len(self.layers),
            "tokens": self.tokens,
            "steps": per_step,
            "prefix_probability": self.prefix_probability,
            "probability": self.probability,
            "notes": self.notes,
        }


# ---------------------------------------------------------------- weights


def weights_of(model, config: TrainConfig) -> Weights:
    """Read the numbers out of a model built by :func:`core.model.architecture.build_model`."""

    def arrays(layer):
        return [np.asarray(w, dtype=np.float64) for w in layer.get_weights()]

    def cell_weights(rnn):
        cell = rnn.cell
        if cell.activation.__name__ != "tanh" or cell.recurrent_activation.__name__ != "sigmoid" or not cell.use_bias:
            raise LabError(f"Layer {rnn.name}: the X-ray knows only tanh/sigmoid cells with biases.")
        if config.cell == "gru" and not cell.reset_after:
            raise LabError(f"Layer {rnn.name}: the X-ray knows only GRUs with reset_after=True.")
        kernel, recurrent, bias = arrays(rnn)
        return CellWeights(kernel, recurrent, bias)

    layers = []
    for i in range(1, config.layers + 1):
        if config.bidirectional:
            bi = model.get_layer(f"bidirectional_{i}")
            layers.append([cell_weights(bi.forward_layer), cell_weights(bi.backward_layer)])
        else:
            layers.append([cell_weights(model.get_layer(f"{config.cell}_{i}"))])
    conv = tuple(arrays(model.get_layer("conv"))) if config.conv_pool > 1 else None
    (embedding,) = arrays(model.get_layer("embedding"))
    kernel, bias = arrays(model.get_layer("positive"))
    return Weights(config, embedding, conv, layers, (kernel, bias))


# ---------------------------------------------------------------- the equations


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _pool_layout(length: int, k: int) -> tuple[int, int]:
    """MaxPooling1D(k, padding="same"): steps out, and the padding TensorFlow puts before."""
    out = -(-length // k)
    return out, max(out * k - length, 0) // 2


def _conv_layout(length: int, width: int, stride: int) -> tuple[int, int, int]:
    """Conv1D(width, stride, padding="same"): steps out, and the padding TensorFlow puts before and after."""
    out = -(-length // stride)
    total = max((out - 1) * stride + width - length, 0)
    return out, total // 2, total - total // 2


def front_end(weights: Weights, ids: np.ndarray) -> np.ndarray:
    """Embedding [-> Conv1D(same, relu) -> MaxPool(same)] for a batch of ids (B, T) -> (B, T', d)."""
    x = weights.embedding[ids]
    if weights.conv is None:
        return x
    kernel, bias = weights.conv
    width, stride = kernel.shape[0], weights.config.conv_stride
    length, before_conv, after_conv = _conv_layout(x.shape[1], width, stride)
    padded = np.pad(x, ((0, 0), (before_conv, after_conv), (0, 0)))
    span = (length - 1) * stride + 1
    y = bias + sum(padded[:, j : j + span : stride] @ kernel[j] for j in range(width))
    y = np.maximum(y, 0.0)
    k = weights.config.conv_pool
    out, before = _pool_layout(length, k)
    pooled = np.pad(y, ((0, 0), (before, out * k - length - before), (0, 0)), constant_values=-np.inf)
    return pooled.reshape(y.shape[0], out, k, y.shape[2]).max(axis=2)


def run_direction(
    cell: str,
    w: CellWeights,
    x: np.ndarray,
    mask: np.ndarray,
    backwards: bool,
    edits: StepEdits | None = None,
    record: bool = True,
) -> Direction:
    """One recurrent direction over a batch (B, T, d) with a step mask (B, T); rows stay aligned to steps.

    ``edits`` (an intervention) changes gates and states at the steps it names; the gates
    recorded are the ones used. States have ``x``'s dtype (float32 in :mod:`core.serving.unit_roles`,
    which needs only h: ``record=False`` keeps no gates and no cell states).
    """
    batch, steps, _ = x.shape
    units = w.recurrent.shape[0]
    edits = edits or StepEdits()
    silent, transplants = list(edits.silence), {t: (h, c) for t, h, c in edits.transplant}
    h = np.zeros((batch, units), dtype=x.dtype)
    c = np.zeros((batch, units), dtype=x.dtype)
    hidden = np.zeros((batch, steps, units), dtype=x.dtype)
    cells = np.zeros((batch, steps, units), dtype=x.dtype) if cell == "lstm" and record else None
    gates = {g: np.zeros((batch, steps, units), dtype=x.dtype) for g in GATES[cell]} if record else {}
    projected = x @ w.kernel + w.bias if cell == "lstm" else x @ w.kernel + w.bias[0]
    for t in range(steps - 1, -1, -1) if backwards else range(steps):
        m = mask[:, t : t + 1]
        if cell == "lstm":
            z = projected[:, t] + h @ w.recurrent
            i, f, g, o = np.split(z, 4, axis=1)
            i, f, o = _sigmoid(i), _sigmoid(f), _sigmoid(o)
            f = np.zeros_like(f) if t in edits.forget else f
            i = np.zeros_like(i) if t in edits.ignore else i
            c_new = f * c + i * np.tanh(g)
            c_new[:, silent] = 0.0
            h_new = o * np.tanh(c_new)
            used = (i, f, o)
        else:
            xz, xr, xh = np.split(projected[:, t], 3, axis=1)
            hz, hr, hh = np.split(h @ w.recurrent + w.bias[1], 3, axis=1)
            z, r = _sigmoid(xz + hz), _sigmoid(xr + hr)
            z = np.zeros_like(z) if t in edits.forget else np.ones_like(z) if t in edits.ignore else z
            h_new = z * h + (1.0 - z) * np.tanh(xh + r * hh)
            used = (z, r)
        for name, value in zip(gates, used, strict=False):
            gates[name][:, t] = value
        h_new[:, silent] = 0.0
        keep = m & (t not in edits.freeze)
        h = np.where(keep, h_new, h)
        if cell == "lstm":
            c = np.where(keep, c_new, c)
        if t in transplants:
            h = np.where(m, transplants[t][0], h)
            c = np.where(m, transplants[t][1], c) if cell == "lstm" else c
        hidden[:, t] = h
        if cells is not None:
            cells[:, t] = c
    for values in gates.values():
        values[~mask] = np.nan  # padding never entered a gate
    return Direction(hidden, cells, gates, h, c if cell == "lstm" else None)


def run_stack(
    weights: Weights, x: np.ndarray, mask: np.ndarray, edits: Edits | None = None
) -> tuple[list[list[Direction]], np.ndarray]:
    """Every recurrent layer; returns the directions per layer and the classifier's features (B, F).

    Pooling reads the steps in ``mask`` (a masked model never pools by max, a config rule; the
    running verdict and :mod:`core.serving.unit_roles` mark steps that way). ``edits``: an intervention.
    """
    config = weights.config
    edits = edits or {}
    layers = []
    for i, layer in enumerate(weights.layers):
        directions = [
            run_direction(config.cell, w, x, mask, backwards=bool(j), edits=edits.get((i, j)))
            for j, w in enumerate(layer)
        ]
        layers.append(directions)
        x = np.concatenate([d.hidden for d in directions], axis=-1)
    last = np.concatenate([d.final for d in layers[-1]], axis=-1)
    return layers, (last if config.pooling == "last" else pooled(config, x, mask))


def pooled(config: TrainConfig, outputs: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """What a max or max-mean classifier reads from ``outputs`` (B, T, F) over the steps marked in ``steps`` (B, T)."""
    features = np.where(steps[..., None], outputs, -np.inf).max(axis=1)
    if config.pooling == "max-mean":
        mean = np.where(steps[..., None], outputs, 0.0).sum(axis=1) / np.maximum(steps.sum(axis=1), 1)[:, None]
        features = np.concatenate([features, mean], axis=-1)
    return features


def classify(weights: Weights, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    kernel, bias = weights.dense
    logits = (features @ kernel + bias)[..., 0]
    return logits, _sigmoid(logits)


def trace(weights: Weights, padded_ids: np.ndarray, edits: Edits | None = None) -> Trace:
    """The full computation for one padded sequence (T,) of ids, as the model sees it (``edits``: an intervention)."""
    ids = padded_ids[None, :].astype(np.int64)
    x = front_end(weights, ids)
    mask = ids != 0 if weights.config.mask_zero else np.ones(x.shape[:2], dtype=bool)
    layers, features = run_stack(weights, x, mask, edits)
    logit, probability = classify(weights, features)
    single = [[_first(d) for d in directions] for directions in layers]
    return Trace(single, features[0], float(logit[0]), float(probability[0]))


def _first(d: Direction) -> Direction:
    return Direction(
        d.hidden[0],
        None if d.cell is None else d.cell[0],
        {g: v[0] for g, v in d.gates.items()},
        d.final[0],
        None if d.final_cell is None else d.final_cell[0],
    )


def prefix_probabilities(
    weights: Weights, x: np.ndarray, forward: list[list[Direction]], edits: Edits | None = None
) -> np.ndarray | None:
    """The verdict if the input ended after each step of ``x`` (T, d): real steps only, no padding.

    ``edits`` (steps counted in ``x``) are the intervention ``forward`` was computed with.
    """
    config = weights.config
    steps = x.shape[0]
    if not config.bidirectional:
        out = forward[-1][0].hidden  # (T, units)
        if config.pooling == "last":
            return classify(weights, out)[1]
        features = np.maximum.accumulate(out, axis=0)
        if config.pooling == "max-mean":
            running_mean = np.cumsum(out, axis=0) / np.arange(1, steps + 1)[:, None]
            features = np.concatenate([features, running_mean], axis=-1)
        return classify(weights, features)[1]
    if steps > MAX_BIDI_PREFIX_STEPS:
        return None
    batch = np.broadcast_to(x, (steps, *x.shape))
    mask = np.tri(steps, dtype=bool)  # row t: steps 0..t
    _, features = run_stack(weights, batch, mask, edits)
    return classify(weights, features)[1]


# ---------------------------------------------------------------- one text with one run

_WEIGHTS: dict[int, tuple[object, int | None, Weights]] = {}


def weights_for(predictor) -> Weights:
    """The predictor's weights as numpy, read once per loaded model and weight snapshot in it."""
    snapshot = getattr(predictor, "snapshot", None)
    cached = _WEIGHTS.get(id(predictor))
    if cached is None or cached[0] is not predictor.model or cached[1] != snapshot:
        cached = (predictor.model, snapshot, weights_of(predictor.model, predictor.config))
        _WEIGHTS[id(predictor)] = cached
    return cached[2]


def step_words(config: TrainConfig, labels: list[str], padded: int, first_real: int) -> tuple[list[list[str]], slice]:
    """Per recurrent step, the words it covers, and the real (non-padding) steps as a slice.

    ``labels`` are the words at the real input positions ``first_real ..``; with a conv front
    end a step covers the ``conv_stride x conv_pool`` positions it pools (TensorFlow's "same"
    layout): each convolution window is said to hold the ``conv_stride`` words at its centre.
    """
    k, s = config.conv_pool, config.conv_stride
    if k <= 1:
        return [[w] for w in labels], slice(first_real, first_real + len(labels))
    conv_out, conv_before, _ = _conv_layout(padded, config.conv_kernel, s)
    offset = (config.conv_kernel - s) // 2 - conv_before  # where window i's centre block starts, less i * s
    out, before = _pool_layout(conv_out, k)
    steps, real = [], []
    for j in range(out):
        lo = 0 if j == 0 else (j * k - before) * s + offset
        hi = padded if j == out - 1 else (j * k - before + k) * s + offset
        words = [
            labels[p - first_real] for p in range(max(lo, 0), min(hi, padded)) if 0 <= p - first_real < len(labels)
        ]
        if words:
            steps.append(words)
            real.append(j)
    return steps, slice(real[0], real[-1] + 1)


def xray(predictor, text: str, edits: Edits | None = None) -> Xray:
    """The X-ray of ``text`` with ``predictor``'s model (in the prediction process).

    ``edits``: an intervention (:mod:`core.serving.interventions`), steps counted as the X-ray counts them.
    """
    from core.encoding import arrays

    if not text or not text.strip():
        raise LabError("Type a review first: the X-ray needs at least one word.")
    config = predictor.config
    encoded = predictor.encode(text)
    if not encoded.tokens:
        raise LabError("No words found in the text: the X-ray needs at least one word.")
    kept = encoded.model_ids
    first = len(encoded.ids) - len(kept) if config.truncating == "pre" else 0
    labels = [START_TOKEN if first + p == 0 else encoded.tokens[first + p - 1] for p in range(len(kept))]
    pad_to = None if config.bucketing else config.maxlen
    padded = arrays.pad_batch([kept], config.effective_padding, pad_to)[0]
    first_real = len(padded) - len(kept) if config.effective_padding == "pre" else 0
    weights = weights_for(predictor)
    steps, real = step_words(config, labels, len(padded), first_real)
    shifted = {key: e.shifted(real.start) for key, e in (edits or {}).items()}
    full = trace(weights, padded, shifted)
    layers = [[_slice(d, real) for d in directions] for directions in full.layers]
    x_real = front_end(weights, padded[None, :].astype(np.int64))[0][real]
    prefix = prefix_probabilities(weights, x_real, layers, edits)
    notes = []
    if encoded.truncated_tokens:
        notes.append(f"{encoded.truncated_tokens} words cut off: the model reads at most {config.maxlen}.")
    if prefix is None:
        notes.append(f"Running verdict not computed: bidirectional and over {MAX_BIDI_PREFIX_STEPS} steps.")
    if config.conv_pool > 1:
        reach = (config.conv_kernel - config.conv_stride) // 2
        notes.append(
            f"Conv front end: each step pools {config.shortening} words, and the convolution sees "
            f"{reach} words beyond them on either side."
        )
    return Xray(
        run_id=predictor.run.run_id,
        cell=config.cell,
        bidirectional=config.bidirectional,
        tokens=labels,
        steps=steps,
        probability=full.probability,
        prefix_probability=None if prefix is None else [float(p) for p in prefix],
        layers=layers,
        notes=notes,
    )


def _slice(d: Direction, real: slice) -> Direction:
    return Direction(
        d.hidden[real],
        None if d.cell is None else d.cell[real],
        {g: v[real] for g, v in d.gates.items()},
        d.final,
        d.final_cell,
    )
