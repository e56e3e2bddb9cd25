"""From corpus to model inputs: splits, slices, truncation and length-bucketed batches.

Validation comes from the training split (a seeded share), never from the test set.
Reviews are kept ragged (one int32 array each, truncated to ``maxlen``) and padded per
batch: with bucketing, batches are formed from reviews of similar length, so an LSTM
loops over far fewer padding steps (shared/notes/keras-on-cpu.md: 0.52x the steps at
length 400). Without bucketing every batch is padded to ``maxlen`` exactly as
``keras.utils.pad_sequences`` would.

Scoring (:func:`scoring_batches`) pads each review by itself, never to a neighbour's length:
an LSTM without a mask reads padding as input, so a review padded to a longer neighbour's
length scores differently than alone ("A masterpiece." 0.660 alone, 0.583 beside one longer
review: shared/notes). One probability per text, however it is scored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.config import TrainConfig
from core.data.corpus import Split
from core.encoding.word_ids import Encoding, encode_ranks, pad

#: Reviews sorted by length within chunks of this many batches (bucketing).
BUCKET_CHUNK_BATCHES = 32


def encoding_for(config: TrainConfig) -> Encoding:
    return Encoding(num_words=config.num_words)


def truncate(ids: np.ndarray, maxlen: int, side: str) -> np.ndarray:
    """Keep ``maxlen`` ids: the end (``pre``: cut the beginning) or the start (``post``)."""
    if len(ids) <= maxlen:
        return ids
    return ids[-maxlen:] if side == "pre" else ids[:maxlen]


def encode_split(split: Split, config: TrainConfig, *index_sets: np.ndarray) -> list[list[np.ndarray]]:
    """Keras ids of ``split`` (encoded once), truncated to ``config.maxlen``, one list per index set."""
    ids, offsets = encode_ranks(split.ranks, split.offsets, encoding_for(config))
    bounds = offsets.tolist()
    return [
        [truncate(ids[bounds[i] : bounds[i + 1]], config.maxlen, config.truncating) for i in indices.tolist()]
        for indices in index_sets
    ]


def pad_batch(sequences: list[np.ndarray], padding: str, length: int | None = None) -> np.ndarray:
    """Pad to ``length`` (default: the longest sequence, at least 1) with ``pad_sequences``."""
    length = length or max(1, max((len(s) for s in sequences), default=1))
    return pad(sequences, maxlen=length, padding=padding)


@dataclass
class Prepared:
    """Model inputs for one training run."""

    x_train: list[np.ndarray]
    y_train: np.ndarray
    x_val: list[np.ndarray]
    y_val: np.ndarray
    x_test: list[np.ndarray]
    y_test: np.ndarray
    test_indices: np.ndarray  # positions in the dataset's test split
    dropped_long: int  # training reviews removed by keras_maxlen_filter


def split_training(data, config: TrainConfig, rng: np.random.Generator | None = None):
    """(fit, validation, dropped): positions in ``data.train`` a run with ``config`` fits on and validates on.

    The one rule (:func:`prepare` trains by it, :mod:`core.runs.blend` finds a run's
    validation reviews by it): a seeded permutation, cut to ``train_limit``, long reviews
    dropped with ``keras_maxlen_filter``, the first ``validation_fraction`` held out.
    """
    rng = rng or np.random.default_rng(config.seed)
    train_idx = rng.permutation(len(data.train))
    if config.train_limit:
        train_idx = train_idx[: config.train_limit]
    dropped = 0
    if config.keras_maxlen_filter:  # keras.datasets.imdb: drop sequences of maxlen ids or more
        keep = data.train.lengths[train_idx] + 1 < config.maxlen
        dropped = int((~keep).sum())
        train_idx = train_idx[keep]
    n_val = max(1, round(len(train_idx) * config.validation_fraction))
    return train_idx[n_val:], train_idx[:n_val], dropped


def prepare(data, config: TrainConfig) -> Prepared:
    """Slice, split off validation, encode and truncate, as ``config`` says."""
    rng = np.random.default_rng(config.seed)
    fit_idx, val_idx, dropped = split_training(data, config, rng)  # the test slice draws next from the same rng
    test_idx = np.arange(len(data.test))
    if config.test_limit:
        test_idx = np.sort(rng.permutation(len(data.test))[: config.test_limit])
    labels = lambda split, idx: split.labels[idx].astype(np.float32)  # noqa: E731
    x_fit, x_val = encode_split(data.train, config, fit_idx, val_idx)
    (x_test,) = encode_split(data.test, config, test_idx)
    return Prepared(
        x_train=x_fit,
        y_train=labels(data.train, fit_idx),
        x_val=x_val,
        y_val=labels(data.train, val_idx),
        x_test=x_test,
        y_test=labels(data.test, test_idx),
        test_indices=test_idx,
        dropped_long=dropped,
    )


def batch_order(
    lengths: np.ndarray, batch_size: int, *, bucketing: bool, shuffle: bool, rng: np.random.Generator | None
) -> list[np.ndarray]:
    """Index arrays, one per batch. Bucketing sorts by length within chunks of batches."""
    order = rng.permutation(len(lengths)) if shuffle else np.arange(len(lengths))
    if bucketing:
        chunk = batch_size * BUCKET_CHUNK_BATCHES
        order = (
            np.concatenate(
                [
                    part[np.argsort(lengths[part], kind="stable")]
                    for part in np.array_split(order, max(1, -(-len(order) // chunk)))
                ]
            )
            if len(order)
            else order
        )
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if shuffle and bucketing:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def batches(
    sequences: list[np.ndarray], labels: np.ndarray | None, config: TrainConfig, *, shuffle: bool, seed: int = 0
):
    """Yield ``(x, y)`` (or ``x``) padded batches; a new shuffle each time it is iterated."""
    lengths = np.array([len(s) for s in sequences])
    rng = np.random.default_rng(seed)
    pad_to = None if config.bucketing else config.maxlen
    for idx in batch_order(lengths, config.batch_size, bucketing=config.bucketing, shuffle=shuffle, rng=rng):
        x = pad_batch([sequences[i] for i in idx], config.effective_padding, pad_to)
        yield (x, labels[idx]) if labels is not None else (idx, x)


def length_groups(lengths: np.ndarray, batch_size: int) -> list[np.ndarray]:
    """Index arrays of reviews of one length each (at most ``batch_size``), shortest first.

    A batch of equal lengths needs no padding, and all the reviews of one length take
    ``ceil(n / batch_size)`` calls: scoring 25,000 test reviews this way runs the same
    loop steps as sorted, padded batches, with about four times as many calls.
    """
    order = np.argsort(lengths, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(lengths[order])) + 1) if len(order) else []
    return [group[i : i + batch_size] for group in groups for i in range(0, len(group), batch_size)]


def scoring_batches(sequences: list[np.ndarray], config: TrainConfig, batch_size: int):
    """Yield ``(indices, x)`` where each review is padded as it would be alone (see the module docstring).

    With bucketing a review keeps its own length (one length per batch); without, every
    review is padded to ``maxlen``, as in training.
    """
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    if config.bucketing:
        order = length_groups(lengths, batch_size)
    else:
        order = [np.arange(i, min(i + batch_size, len(lengths))) for i in range(0, len(lengths), batch_size)]
    pad_to = None if config.bucketing else config.maxlen
    for idx in order:
        yield idx, pad_batch([sequences[i] for i in idx], config.effective_padding, pad_to)
