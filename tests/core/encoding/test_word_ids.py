"""Keras-compatible encoding: checked against keras.datasets.imdb.load_data itself."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.data.dataset import load_dataset
from core.encoding import word_ids
from core.encoding.model_input import encode_text
from core.encoding.word_ids import Encoding, decode, load_data, pad


@pytest.fixture
def keras_fake_npz(isolated_env):
    """A small imdb.npz in Keras's format, readable by Keras and by our loader."""
    rng = np.random.default_rng(0)
    datasets = isolated_env / "keras-home" / "datasets"
    datasets.mkdir(parents=True)

    def sequences(n):
        out = np.empty(n, dtype=object)
        out[:] = [rng.integers(1, 40, size=rng.integers(1, 25)).tolist() for _ in range(n)]
        return out

    path = datasets / "imdb.npz"
    np.savez(
        path, x_train=sequences(60), y_train=rng.integers(0, 2, 60), x_test=sequences(50), y_test=rng.integers(0, 2, 50)
    )
    (datasets / "imdb_word_index.json").write_text(json.dumps({f"w{r}": r for r in range(1, 40)}))
    return path


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"num_words": 20},
        {"num_words": 20, "skip_top": 5},
        {"maxlen": 12},
        {"num_words": 25, "oov_char": None},
        {"start_char": None, "index_from": 0},
        {"seed": 7, "index_from": 5, "num_words": 30, "skip_top": 2, "maxlen": 15},
    ],
)
def test_matches_keras_load_data(keras_fake_npz, monkeypatch, kwargs):
    from keras.src.datasets import imdb as keras_imdb

    monkeypatch.setattr(keras_imdb, "get_file", lambda *a, **k: str(keras_fake_npz))
    expected = keras_imdb.load_data(**kwargs)
    ours = load_data(load_dataset(allow_download=False), **kwargs)
    for (x_exp, y_exp), (x_our, y_our) in zip(expected, ours, strict=True):
        assert [list(s) for s in x_our] == [list(s) for s in x_exp]
        assert y_our.tolist() == y_exp.tolist()


@pytest.fixture
def tiny(isolated_env, tiny_archive):
    return load_dataset(tiny_archive)


def test_start_char_oov_and_offsets(tiny):
    (x_train, y_train), (x_test, _) = load_data(tiny, num_words=6)
    for seq in list(x_train) + list(x_test):
        assert seq[0] == 1  # start char at position 0
        assert all(i == 2 or 3 <= i < 6 for i in seq[1:])  # ranks >= 3 are OOV with num_words=6
    assert set(y_train.tolist()) == {0, 1}


def test_test_only_words_are_oov(tiny):
    _, (x_test, _y_test) = load_data(tiny)
    zombie_review = next(s for s in x_test if len(s) == 7)  # "Bad and dull; a zombie film."
    assert 2 in zombie_review


def test_maxlen_filters_and_shuffle_keeps_pairs(tiny):
    (x_all, y_all), _ = load_data(tiny, seed=1)
    (x_short, y_short), _ = load_data(tiny, seed=1, maxlen=7)
    assert all(len(s) < 7 for s in x_short) and len(x_short) < len(x_all)
    # Same seed, same order; texts and labels shuffled together.
    pairs = {tuple(s): y for s, y in zip(x_all, y_all, strict=True)}
    assert all(pairs[tuple(s)] == y for s, y in zip(x_short, y_short, strict=True))
    (x_again, _), _ = load_data(tiny, seed=1)
    assert [list(s) for s in x_again] == [list(s) for s in x_all]


def test_maxlen_that_keeps_nothing_raises(tiny):
    with pytest.raises(ValueError, match="Increase maxlen"):
        load_data(tiny, maxlen=2)


def test_round_trip_encode_decode(tiny):
    vocab = tiny.vocabulary
    ids = encode_text("A great movie with a zombie", vocab, Encoding()).ids
    assert decode(ids, vocab) == "<start> a great movie <oov> a <oov>"  # "with", "zombie" not in train
    assert decode(ids, vocab, markers=False) == "a great movie a"


def test_typed_text_and_corpus_take_the_same_path(tiny):
    """A training review typed in again encodes to exactly its training ids."""
    (x_train, _), _ = load_data(tiny, num_words=10)
    typed = {tuple(encode_text(t, tiny.vocabulary, Encoding(num_words=10)).ids) for t in tiny.train.texts}
    assert {tuple(s) for s in x_train} == typed


def test_pad_pre_and_post():
    seqs = [[1, 2, 3, 4], [5]]
    assert pad(seqs, maxlen=3).tolist() == [[2, 3, 4], [0, 0, 5]]
    assert pad(seqs, maxlen=3, padding="post", truncating="post").tolist() == [[1, 2, 3], [5, 0, 0]]


def test_full_dataset_integration(imdb):
    assert len(imdb.train) == 25_000 and len(imdb.test) == 25_000
    for split in (imdb.train, imdb.test):
        assert (split.labels == 1).sum() == 12_500 and (split.labels == 0).sum() == 12_500
        assert set(split.ratings[split.labels == 0].tolist()) <= {1, 2, 3, 4}
        assert set(split.ratings[split.labels == 1].tolist()) <= {7, 8, 9, 10}
    (x_train, y_train), (x_test, _y_test) = load_data(imdb, num_words=5000)
    assert len(x_train) == len(y_train) == 25_000 and len(x_test) == 25_000
    first = decode(x_train[0], imdb.vocabulary, markers=False).split()
    common = {"the", "a", "and", "of", "to", "is", "this", "it", "i", "in"}
    assert len(first) > 10 and sum(w in common for w in first) / len(first) > 0.15  # readable English
    assert max(max(s) for s in x_train) < 5000
    assert word_ids.get_word_index(imdb)["the"] == 1
