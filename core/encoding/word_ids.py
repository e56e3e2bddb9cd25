"""Word ids for Keras, with exactly the semantics of ``keras.datasets.imdb.load_data``.

Ids are ``rank + index_from``; ``start_char`` opens every sequence; words ranked so that
their id falls outside ``[skip_top, num_words)`` become ``oov_char`` (or are dropped
when ``oov_char`` is None). Like Keras, that range check also applies to the start
character, ``num_words=None`` means "the largest id present" (which Keras then treats
as out of range), and ``maxlen`` *removes* every review whose sequence (start character
included) has ``maxlen`` or more ids: it filters, it does not truncate. Truncation and
padding are :func:`pad`'s job. Words never seen in training (rank 0) are always OOV.

:func:`core.encoding.model_input.encode_text` runs typed text through the same tokenizer
and the same :func:`encode_ranks`, so a prediction sees exactly what training saw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.data.corpus import INDEX_FROM, Split, Vocabulary

PAD_ID = 0
START_CHAR = 1
OOV_CHAR = 2
UNKNOWN_ID = -1  # internal marker for rank-0 words; never survives encoding


@dataclass(frozen=True)
class Encoding:
    """Parameters of ``keras.datasets.imdb.load_data`` that decide word ids."""

    num_words: int | None = None
    skip_top: int = 0
    start_char: int | None = START_CHAR
    oov_char: int | None = OOV_CHAR
    index_from: int = INDEX_FROM


def encode_ranks(
    ranks: np.ndarray, offsets: np.ndarray, encoding: Encoding, num_words: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Encode a ragged array of ranks (flat + offsets) into Keras word ids (flat + offsets)."""
    ranks = np.asarray(ranks, dtype=np.int64)
    offsets = np.asarray(offsets, dtype=np.int64)
    ids = np.where(ranks > 0, ranks + encoding.index_from, UNKNOWN_ID)
    if encoding.start_char is not None:
        ids = np.insert(ids, offsets[:-1], encoding.start_char)
        offsets = offsets + np.arange(len(offsets))
    limit = num_words if num_words is not None else encoding.num_words
    keep = (ids >= encoding.skip_top) & (ids != UNKNOWN_ID)
    if limit is not None:
        keep &= ids < limit
    if encoding.oov_char is not None:
        ids = np.where(keep, ids, encoding.oov_char)
    else:
        kept_per_review = (
            np.add.reduceat(keep.astype(np.int64), offsets[:-1]) if len(ids) else np.zeros(len(offsets) - 1, np.int64)
        )
        kept_per_review[np.diff(offsets) == 0] = 0  # reduceat quirk on empty segments
        ids = ids[keep]
        offsets = np.concatenate([[0], np.cumsum(kept_per_review)])
    return ids.astype(np.int32), offsets


def _as_object_array(ids: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    out = np.empty(len(offsets) - 1, dtype=object)
    bounds = offsets.tolist()
    for i in range(len(out)):
        out[i] = ids[bounds[i] : bounds[i + 1]].tolist()
    return out


def _take(split: Split, order: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ranks (flat + offsets) and labels of ``split`` reordered by ``order``."""
    lengths = split.lengths[order]
    pieces = [split.review_ranks(i) for i in order.tolist()]
    flat = np.concatenate(pieces) if pieces else np.zeros(0, np.int32)
    return flat, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64), split.labels[order].astype(np.int64)


def load_data(
    data,
    num_words=None,
    skip_top=0,
    maxlen=None,
    seed=113,
    start_char=START_CHAR,
    oov_char=OOV_CHAR,
    index_from=INDEX_FROM,
):
    """``((x_train, y_train), (x_test, y_test))`` like ``keras.datasets.imdb.load_data``.

    ``data`` is an :class:`core.data.dataset.ImdbData`. ``x_*`` are object arrays of lists of
    ids. Both splits are shuffled with one ``np.random.RandomState(seed)``, train first,
    texts and labels alike. ``maxlen`` drops reviews of ``maxlen`` ids or more (start
    character included), as Keras does, and raises ``ValueError`` if a split is emptied.
    """
    encoding = Encoding(
        num_words=num_words, skip_top=skip_top, start_char=start_char, oov_char=oov_char, index_from=index_from
    )
    rng = np.random.RandomState(seed)
    prepared = []
    for split in (data.train, data.test):
        order = np.arange(len(split))
        rng.shuffle(order)
        flat, offsets, labels = _take(split, order)
        if maxlen:
            keep = (np.diff(offsets) + (start_char is not None)) < maxlen
            order = np.flatnonzero(keep)
            flat = np.concatenate([flat[offsets[i] : offsets[i + 1]] for i in order]) if len(order) else flat[:0]
            offsets = np.concatenate([[0], np.cumsum(np.diff(offsets)[keep])]).astype(np.int64)
            labels = labels[keep]
        prepared.append((flat, offsets, labels))
    if maxlen and any(len(p[2]) == 0 for p in prepared):
        raise ValueError(
            f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. Increase maxlen."
        )
    if not num_words:
        # Keras: the largest id present; ids are rank + index_from (start_char counts too).
        top = max((int(f.max()) for f, _, _ in prepared if len(f)), default=0)
        num_words = max(top + index_from, start_char or 0)
    result = []
    for flat, offsets, labels in prepared:
        ids, id_offsets = encode_ranks(flat, offsets, encoding, num_words=num_words)
        result.append((_as_object_array(ids, id_offsets), labels))
    return tuple(result)


def get_word_index(data) -> dict[str, int]:
    """``{word: rank}`` of the training vocabulary, like ``keras.datasets.imdb.get_word_index``."""
    return dict(data.vocabulary.word_index)


def decode(
    ids,
    vocabulary: Vocabulary,
    index_from: int = INDEX_FROM,
    start_char: int | None = START_CHAR,
    oov_char: int | None = OOV_CHAR,
    markers: bool = True,
) -> str:
    """Ids back to words; padding is skipped, start and OOV shown as ``<start>``/``<oov>``."""
    words = []
    for value in ids:
        value = int(value)
        if value == PAD_ID:
            continue
        if start_char is not None and value == start_char:
            if markers:
                words.append("<start>")
        elif oov_char is not None and value == oov_char:
            if markers:
                words.append("<oov>")
        else:
            words.append(vocabulary.word(value - index_from) or "<oov>")
    return " ".join(words)


def pad(
    sequences, maxlen: int | None = None, padding: str = "pre", truncating: str = "pre", value: int = PAD_ID
) -> np.ndarray:
    """Pad or truncate to ``maxlen`` with ``keras.utils.pad_sequences`` (imported lazily)."""
    from keras.utils import pad_sequences

    return pad_sequences(
        list(sequences), maxlen=maxlen, padding=padding, truncating=truncating, value=value, dtype="int32"
    )
