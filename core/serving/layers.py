"""The layer summary of a run's network, from its config alone (no Keras: the web server shows it).

One row per layer, as ``model.summary()`` prints it: name, kind, output shape and parameter
count. tests/core/serving/test_layers_summary.py checks the counts against Keras for every preset.
"""

from __future__ import annotations

from core.config import TrainConfig


def _cell_params(cell: str, inputs: int, units: int) -> int:
    if cell == "lstm":
        return 4 * (units * (inputs + units) + units)
    return 3 * units * (inputs + units) + 2 * 3 * units  # GRU, reset_after: two bias rows


def layer_summary(config: TrainConfig) -> list[dict]:
    """Rows ``{"name", "kind", "output", "params"}`` in model order (``None`` is the batch or length)."""
    emb = config.embedding_dim
    rows = [
        {"name": "word_ids", "kind": "Input", "output": "(None, None)", "params": 0},
        {"name": "embedding", "kind": "Embedding", "output": f"(None, None, {emb})", "params": config.num_words * emb},
    ]
    if config.word_dropout:
        rows.append(
            {"name": "word_dropout", "kind": "Dropout(whole words)", "output": f"(None, None, {emb})", "params": 0}
        )
    if config.conv_pool > 1:
        kernel, stride = config.conv_kernel, config.conv_stride
        kind = f"Conv1D({kernel})" if stride == 1 else f"Conv1D({kernel}, stride {stride})"
        rows.append(
            {"name": "conv", "kind": kind, "output": f"(None, None, {emb})", "params": kernel * emb * emb + emb}
        )
        rows.append(
            {
                "name": "conv_pool",
                "kind": f"MaxPooling1D({config.conv_pool})",
                "output": f"(None, None, {emb})",
                "params": 0,
            }
        )
    width, directions = emb, 2 if config.bidirectional else 1
    for i in range(config.layers):
        sequences = i < config.layers - 1 or config.pooling != "last"
        out = config.units * directions
        kind = config.cell.upper() + f"({config.units})"
        rows.append(
            {
                "name": f"bidirectional_{i + 1}" if config.bidirectional else f"{config.cell}_{i + 1}",
                "kind": f"Bidirectional({kind})" if config.bidirectional else kind,
                "output": f"(None, None, {out})" if sequences else f"(None, {out})",
                "params": directions * _cell_params(config.cell, width, config.units),
            }
        )
        width = out
    if config.pooling != "last":
        rows.append({"name": "max_over_steps", "kind": "GlobalMaxPooling1D", "output": f"(None, {width})", "params": 0})
    if config.pooling == "max-mean":
        rows.append(
            {"name": "mean_over_steps", "kind": "GlobalAveragePooling1D", "output": f"(None, {width})", "params": 0}
        )
        width *= 2
        rows.append({"name": "max_and_mean", "kind": "Concatenate", "output": f"(None, {width})", "params": 0})
    if config.dense_dropout:
        rows.append({"name": "dense_dropout", "kind": "Dropout", "output": f"(None, {width})", "params": 0})
    rows.append({"name": "positive", "kind": "Dense(1, sigmoid)", "output": "(None, 1)", "params": width + 1})
    return rows


def total_params(config: TrainConfig) -> int:
    return sum(row["params"] for row in layer_summary(config))
