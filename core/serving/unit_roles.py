"""Which units of the last recurrent layer carry the verdict, and which words move each one.

For every unit of the last recurrent layer (a bidirectional layer: forward units, then
backward ones), over a run's validation reviews (never the test split):

* ``mean_change``: the mean change of the verdict's log-odds when the unit is silenced
  (its h and c held at 0 for the whole review, :mod:`core.serving.interventions`' ``silence``);
  ``mean_abs_change`` the mean of its size;
* ``example`` / ``example_change``: the review where silencing it moved the verdict most (its
  index in ``texts``, i.e. its place in the run's validation reviews, and that change), for
  the X-ray to open in Predict;
* ``words_up`` / ``words_down``: the words whose step raises / lowers the unit's h the most on
  average (h after the word less h before it; words read at least :data:`MIN_COUNT` times).
  A conv front end pools several words per step, so there the word columns are empty.

The replay is the X-ray's own (:mod:`core.serving.xray`), batched: reviews are sorted by length
and read :data:`CHUNK` at a time, each as if alone (shorter ones end in masked steps, which carry
the state as Keras does), in float32; only the last layer is read again per silenced unit.
Chunks run on one thread per core, each with a single-threaded BLAS: OpenBLAS's own threads on
these small matrices made it 8x slower on a busy 2-core machine.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from core.encoding import arrays, word_ids
from core.errors import LabError
from core.runs import derived
from core.serving import xray as xr

#: Bumped when the stored roles change meaning (an old cache file is then not read).
VERSION = 2
#: Validation reviews read by default.
REVIEWS = 2000
#: Reviews replayed at once (sorted by length, so a chunk's reviews are about as long).
CHUNK = 128
#: Words named per unit and direction of change.
TOP_WORDS = 5
#: A word is named only if the reviews read it at least this often (rarer ones are mostly names).
MIN_COUNT = 20


def validation_texts(data, config, reviews: int = REVIEWS) -> list[str]:
    """The first ``reviews`` of the run's validation reviews (:func:`core.encoding.arrays.split_training`)."""
    _, validation, _ = arrays.split_training(data, config)
    return [data.train.texts[i] for i in validation[:reviews]]


def _float32(weights: xr.Weights) -> xr.Weights:
    cast = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731
    layers = [
        [xr.CellWeights(cast(w.kernel), cast(w.recurrent), cast(w.bias)) for w in layer] for layer in weights.layers
    ]
    conv = None if weights.conv is None else tuple(cast(a) for a in weights.conv)
    return replace(
        weights, embedding=cast(weights.embedding), conv=conv, layers=layers, dense=tuple(map(cast, weights.dense))
    )


def _fed(predictor, texts: list[str]) -> list[np.ndarray]:
    """Each review's ids padded exactly as the model is fed them alone."""
    config = predictor.config
    pad_to = None if config.bucketing else config.maxlen
    return [arrays.pad_batch([predictor.encode(t).model_ids], config.effective_padding, pad_to)[0] for t in texts]


def _pack(weights: xr.Weights, fed: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x (B, T, d), step mask (B, T), the word id per step or 0) for reviews each read as if alone."""
    fronts = [xr.front_end(weights, ids[None, :].astype(np.int64))[0] for ids in fed]
    steps = max(len(f) for f in fronts)
    x = np.zeros((len(fed), steps, fronts[0].shape[1]), dtype=np.float32)
    mask = np.zeros((len(fed), steps), dtype=bool)
    words = np.zeros((len(fed), steps), dtype=np.int64)
    for b, (ids, front) in enumerate(zip(fed, fronts, strict=True)):
        x[b, : len(front)] = front
        mask[b, : len(front)] = ids != 0 if weights.config.mask_zero else True
        if weights.config.conv_pool == 1:
            words[b, : len(ids)] = ids
    return x, mask, words


def _features(config, directions: list[xr.Direction], mask: np.ndarray) -> np.ndarray:
    if config.pooling == "last":
        return np.concatenate([d.final for d in directions], axis=-1)
    return xr.pooled(config, np.concatenate([d.hidden for d in directions], axis=-1), mask)


def _word_moves(directions: list[xr.Direction], mask: np.ndarray, words: np.ndarray, size: int, start: int | None):
    """Per word id, the summed change of each unit's h at its steps (V, units), and how often it was read."""
    keep = mask & (words != 0) & (words != (-1 if start is None else start))  # not padding, not the start token
    ids = words[keep]
    moves = []
    for j, d in enumerate(directions):
        before = np.zeros_like(d.hidden)
        if j == 0:
            before[:, 1:] = d.hidden[:, :-1]
        else:  # the backward direction reads right to left
            before[:, :-1] = d.hidden[:, 1:]
        delta = (d.hidden - before)[keep]
        moves.extend(np.bincount(ids, weights=delta[:, u], minlength=size) for u in range(delta.shape[1]))
    return np.stack(moves, axis=1), np.bincount(ids, minlength=size)


def _chunk(weights: xr.Weights, fed: list[np.ndarray], size: int, start: int | None, first: int = 0):
    """One chunk: summed log-odds change per silenced unit, its size, the word moves of the base run,
    and per unit the chunk's biggest change (signed) and its review (``first`` + its place in the chunk)."""
    config = weights.config
    x, mask, words = _pack(weights, fed)
    layers, features = xr.run_stack(weights, x, mask)
    base = xr.classify(weights, features)[0]
    x_last = x if len(layers) == 1 else np.concatenate([d.hidden for d in layers[-2]], axis=-1)
    last = layers[-1]
    change, size_of_change, most, where = [], [], [], []
    for j, w in enumerate(weights.layers[-1]):
        for unit in range(config.units):
            edits = xr.StepEdits(silence=(unit,))
            silenced = xr.run_direction(config.cell, w, x_last, mask, bool(j), edits, record=False)
            directions = [silenced if k == j else d for k, d in enumerate(last)]
            moved = xr.classify(weights, _features(config, directions, mask))[0] - base
            change.append(float(moved.sum()))
            size_of_change.append(float(np.abs(moved).sum()))
            biggest = int(np.argmax(np.abs(moved)))
            most.append(float(moved[biggest]))
            where.append(first + biggest)
    moves, counts = _word_moves(last, mask, words, size, start) if config.conv_pool == 1 else (None, None)
    return np.array(change), np.array(size_of_change), moves, counts, np.array(most, np.float64), np.array(where)


def _top(moves, counts, unit: int, vocabulary, encoding, sign: int) -> list[str]:
    if moves is None:
        return []
    seen = np.flatnonzero(counts >= MIN_COUNT)
    mean = moves[seen, unit] / counts[seen]
    order = seen[np.argsort(-sign * mean, kind="stable")[:TOP_WORDS]]
    chosen = [i for i in order if sign * moves[i, unit] > 0]
    return [
        word_ids.decode([i], vocabulary, encoding.index_from, encoding.start_char, encoding.oov_char) for i in chosen
    ]


def _examples(parts: list, order: np.ndarray) -> tuple[list[int], list[float]]:
    """Per unit, the review (index in the texts given) where silencing it moved the verdict most, and that change.

    Each chunk gave its biggest change per unit and where that review is in the length order.
    """
    best = np.stack([p[5] for p in parts])  # (chunks, units): the index in the sorted order
    changes = np.stack([p[4] for p in parts])
    chunk = np.argmax(np.abs(changes), axis=0)
    units = np.arange(changes.shape[1])
    return [int(order[i]) for i in best[chunk, units]], [float(c) for c in changes[chunk, units]]


def unit_roles(predictor, texts: list[str]) -> pd.DataFrame:
    """One row per unit of the last recurrent layer: its effect when silenced and the words that move it."""
    config = predictor.config
    if not texts:
        raise LabError("Unit roles need at least one review to read: give the run's validation reviews.")
    weights = _float32(xr.weights_for(predictor))
    fed = _fed(predictor, texts)
    order = np.argsort([len(f) for f in fed], kind="stable")
    size = config.num_words + 1
    chunks = [(first, [fed[i] for i in order[first : first + CHUNK]]) for first in range(0, len(order), CHUNK)]
    start = predictor.encoding.start_char
    with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(min(os.cpu_count() or 1, 4)) as pool:
        parts = list(pool.map(lambda chunk: _chunk(weights, chunk[1], size, start, chunk[0]), chunks))
    change, size_of_change = sum(p[0] for p in parts), sum(p[1] for p in parts)
    examples, example_changes = _examples(parts, order)
    moves = None if parts[0][2] is None else sum(p[2] for p in parts)
    counts = None if parts[0][3] is None else sum(p[3] for p in parts)
    directions = ("forward", "backward") if config.bidirectional else ("forward",)
    rows = []
    for k in range(len(directions) * config.units):
        rows.append(
            {
                "layer": config.layers,
                "unit": k,
                "direction": directions[k // config.units],
                "mean_change": change[k] / len(fed),
                "mean_abs_change": size_of_change[k] / len(fed),
                "words_up": _top(moves, counts, k, predictor.vocabulary, predictor.encoding, +1),
                "words_down": _top(moves, counts, k, predictor.vocabulary, predictor.encoding, -1),
                "example": examples[k],
                "example_change": example_changes[k],
            }
        )
    frame = pd.DataFrame(rows)
    frame.attrs["reviews"] = len(fed)
    return frame


def cache_path(runs_root: Path, run_id: str, created: float) -> Path:
    return derived.path_of(runs_root, ".unit-roles", run_id, created, VERSION)


def cached_unit_roles(predictor, texts: list[str], runs_root: Path, created: float) -> dict:
    """:func:`unit_roles` as ``{"reviews": n, "units": [row, ...]}``, read from its file next to the runs once stored."""

    def compute() -> dict:
        frame = unit_roles(predictor, texts)
        return {"reviews": int(frame.attrs["reviews"]), "units": frame.to_dict("records")}

    return derived.read_or_compute(cache_path(runs_root, predictor.run.run_id, created), compute)
