"""Where one training batch's time goes, and how far a preset is from the machine's arithmetic limit.

    python -m bench.training_profile [--preset lstm] [--batches 60]

On the same batches of the preset (real reviews, its bucketing), each timed on its own
after a warm-up, median seconds per batch of:

* ``input``: the ``tf.data`` pipeline alone (``from_generator`` padding each batch in Python);
* ``forward``: the model's forward pass;
* ``gradients``: forward and backward (``tf.GradientTape``), no update;
* ``step``: a full compiled training step (``model.train_on_batch``: gradients and the optimizer);
* ``fit``: ``model.fit`` over batches of the same kind with the app's callbacks (progress,
  snapshots), the median gap between two batch ends, so ``fit - step - input`` is Keras's and
  our per-batch Python (``fit_mean``: the whole fit per batch, tracing and retracing included);
* ``recurrent``: the first recurrent layer alone, forward and backward, on inputs of the shape
  it sees (after the conv front end; with its mask); a second stacked layer counts as "rest".

So optimizer = step - gradients, rest of the model = gradients - recurrent. It also counts
the FLOPs of one epoch from the shapes (multiply-add = 2; backward = 2x forward) and measures
this machine's float32 matmul throughput, large and at one LSTM step's size. Prints one JSON
object; figures from other machines are read side by side through ``machine``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from bench.common import emit, machine
from core import allocator
from core.config import preset
from core.data.dataset import load_dataset
from core.encoding import arrays
from core.model import progress, training


def _median_seconds(fn, items, warmup: int = 3) -> float:
    for item in items[:warmup]:
        fn(item)
    times = []
    for item in items[warmup:]:
        started = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def matmul_gflops(m: int, k: int, n: int, repeat: int = 50) -> float:
    """numpy float32 ``(m, k) @ (k, n)`` throughput, median of ``repeat`` calls."""
    a, b = np.random.rand(m, k).astype(np.float32), np.random.rand(k, n).astype(np.float32)
    seconds = _median_seconds(lambda _: a @ b, list(range(repeat + 3)))
    return 2 * m * k * n / seconds / 1e9


def epoch_flops(config, lengths: np.ndarray) -> dict:
    """Forward+backward FLOPs of one epoch over reviews of ``lengths`` (padded per bucket as trained)."""
    steps = np.minimum(lengths, config.maxlen).astype(np.float64)
    emb, units, directions = config.embedding_dim, config.units, 2 if config.bidirectional else 1
    conv = (
        2 * config.conv_kernel * emb * emb * np.ceil(steps / config.conv_stride).sum() if config.conv_pool > 1 else 0.0
    )
    loop_steps = np.ceil(steps / config.shortening).sum()
    recurrent, width = 0.0, emb
    for _ in range(config.layers):
        gates = 4 if config.cell == "lstm" else 3
        recurrent += directions * 2 * gates * (width + units) * units * loop_steps
        width = units * directions
    forward = conv + recurrent
    return {"conv": 3 * conv, "recurrent": 3 * recurrent, "total": 3 * forward}


class _BatchClock(progress.Reporter):
    """Notes the time at the end of every training batch (the median gap is the steady per-batch cost)."""

    def __init__(self):
        self.times: list[float] = []

    def batch(self, epoch, batch, loss, accuracy, samples):
        self.times.append(time.perf_counter())


def _keras_parts(config, data, batches: int) -> dict:
    import tensorflow as tf

    from core.model.architecture import build_model

    prepared = arrays.prepare(data, config)
    pairs = list(arrays.batches(prepared.x_train, prepared.y_train, config, shuffle=True, seed=1))[: batches + 3]
    tensors = [(tf.constant(x), tf.constant(y.reshape(-1, 1))) for x, y in pairs]
    model = build_model(config, steps_per_epoch=len(pairs))
    loss = tf.keras.losses.BinaryCrossentropy()

    @tf.function(reduce_retracing=True)
    def gradients(x, y):
        with tf.GradientTape() as tape:
            value = loss(y, model(x, training=True))
        return tape.gradient(value, model.trainable_variables)

    forward = tf.function(lambda x: model(x, training=True), reduce_retracing=True)
    recurrent_layer = next(layer for layer in model.layers if layer.name.startswith(("lstm", "gru", "bidir")))
    inner = tf.keras.Model(model.inputs, recurrent_layer.input)
    # Plain tensors (a masked model's inner output carries its mask): the mask goes in explicitly.
    first = lambda out: out[0] if isinstance(out, (list, tuple)) else out  # noqa: E731
    inputs = [(tf.identity(first(inner(x))), tf.not_equal(x, 0)) for x, _ in tensors]

    @tf.function(reduce_retracing=True)
    def recurrent(pair):
        h, mask = pair
        with tf.GradientTape() as tape:
            tape.watch(h)
            out = recurrent_layer(h, mask=mask if config.mask_zero else None, training=True)
            out = tf.reduce_sum(out)
        return tape.gradient(out, [h, *recurrent_layer.trainable_variables])

    dataset = training._dataset(prepared.x_train, prepared.y_train, config, shuffle=True, epoch_seed=[0])
    started = time.perf_counter()
    for _ in dataset.take(batches):
        pass
    parts = {
        "input": (time.perf_counter() - started) / batches,
        "forward": _median_seconds(lambda t: forward(t[0]), tensors),
        "gradients": _median_seconds(lambda t: gradients(*t), tensors),
        "recurrent": _median_seconds(recurrent, inputs),
        "step": _median_seconds(lambda t: model.train_on_batch(*t), tensors),
    }
    fit_config = config.replace(train_limit=max(50, (batches + 3) * config.batch_size // 50 * 50), epochs=1)
    clock = _BatchClock()
    started = time.perf_counter()
    result = training.train(fit_config.replace(test_limit=50), data, clock)
    parts["fit"] = statistics.median(np.diff(clock.times)) if len(clock.times) > 2 else float("nan")
    # The whole fit per batch: the first batch traces the step, a second shape retraces it once.
    parts["fit_mean"] = result.train_seconds / max(1, len(result.batch_history))
    parts["fit_wall_s"] = round(time.perf_counter() - started, 1)
    return parts


def main() -> None:
    allocator.reexec_with_preload()  # as the app's training children run
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--preset", default="lstm")
    parser.add_argument("--batches", type=int, default=60)
    args = parser.parse_args()
    config = preset(args.preset)
    data = load_dataset()
    parts = _keras_parts(config, data, args.batches)
    lengths = np.asarray(data.train.lengths)
    if config.keras_maxlen_filter:
        lengths = lengths[lengths < config.maxlen]  # as core.encoding.arrays drops them
    learnt = 1 - config.validation_fraction  # the validation reviews are only scored
    flops = {k: v * learnt for k, v in epoch_flops(config, lengths).items()}
    batches_per_epoch = -(-len(lengths) * learnt // config.batch_size)
    epoch_seconds = parts["fit"] * batches_per_epoch
    large = matmul_gflops(1024, 1024, 1024)
    step_size = matmul_gflops(config.batch_size, config.embedding_dim + config.units, 4 * config.units, repeat=2000)
    ms = {k: round(v * 1000, 2) for k, v in parts.items() if k != "fit_wall_s"}
    emit(
        {
            "benchmark": "training_profile",
            "machine": machine(),
            "preset": args.preset,
            "config": config.summary(),
            "ms_per_batch": ms,
            "split_ms": {
                "input pipeline": ms["input"],
                "first recurrent layer (fwd+bwd)": ms["recurrent"],
                "rest of the model (fwd+bwd)": round(ms["gradients"] - ms["recurrent"], 2),
                "optimizer step": round(ms["step"] - ms["gradients"], 2),
                "fit's per-batch Python and callbacks": round(ms["fit"] - ms["step"] - ms["input"], 2),
            },
            "epoch_gflop": {k: round(v / 1e9, 1) for k, v in flops.items()},
            "epoch_seconds_at_steady_pace": round(epoch_seconds, 1),
            "achieved_gflops": round(flops["total"] / 1e9 / epoch_seconds, 2),
            "matmul_gflops": {"1024^3": round(large, 1), "one LSTM step": round(step_size, 1)},
            "share_of_peak": round(flops["total"] / 1e9 / epoch_seconds / large, 3),
        }
    )


if __name__ == "__main__":
    main()
