"""Finding and reading the data, and every bad input the loader must explain."""

from __future__ import annotations

import gzip
import json
import tarfile

import numpy as np
import pytest

from core.data import corpus_cache, sources
from core.data.dataset import load_dataset
from core.errors import DataFormatError, DataNotFoundError
from tests.conftest import TINY_REVIEWS, make_archive, make_folder


def test_archive_and_folder_give_the_same_corpus(isolated_env, tiny_archive):
    from_archive = load_dataset(tiny_archive)
    from_folder = load_dataset(make_folder(isolated_env / "folder"))
    assert from_archive.train.texts == from_folder.train.texts
    assert from_archive.vocabulary.words == from_folder.vocabulary.words
    assert len(from_archive.train) == 4 and len(from_archive.test) == 2
    # Deterministic order: negatives first, then by id; labels, ids and ratings parsed.
    assert from_archive.train.labels.tolist() == [0, 0, 1, 1]
    assert from_archive.train.review_ids.tolist() == [0, 1, 0, 1]
    assert from_archive.train.ratings.tolist() == [2, 1, 9, 8]


def test_parent_folder_of_aclimdb_is_accepted(isolated_env):
    make_folder(isolated_env / "parent")
    assert len(load_dataset(isolated_env / "parent").train) == 4


def test_vocabulary_is_ranked_by_training_frequency_only(isolated_env, tiny_archive):
    data = load_dataset(tiny_archive)
    words = data.vocabulary.words
    assert words[:4] == ("a", "bad", "great", "acting")  # 3, 3, 3, 2 occurrences; ties alphabetical
    assert data.vocabulary.counts[:4].tolist() == [3, 3, 3, 2]
    assert "zombie" not in data.vocabulary.word_index  # test-only word
    zombie_at = data.test.texts[0].lower().split().index("zombie")
    assert data.test.review_ranks(0)[zombie_at] == 0  # unknown -> rank 0


def test_resolution_order_argument_env_cache(isolated_env, tiny_archive, monkeypatch):
    other = make_archive(isolated_env / "other.tar.gz")
    monkeypatch.setenv("IMDB_DATA", str(other))
    assert sources.resolve_source(tiny_archive).found_via == "argument"
    assert sources.resolve_source().found_via == "IMDB_DATA"
    monkeypatch.delenv("IMDB_DATA")
    cached = isolated_env / "cache" / "downloads" / "aclImdb_v1.tar.gz"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(tiny_archive.read_bytes())
    assert sources.resolve_source(allow_download=False).found_via == "cache"


def test_no_data_says_where_it_looked_and_three_ways(isolated_env):
    with pytest.raises(DataNotFoundError) as caught:
        load_dataset(allow_download=False)
    message = str(caught.value)
    assert "IMDB_DATA" in message and str(isolated_env / "cache") in message
    assert "--data" in message and "download" in message


def test_missing_explicit_path(isolated_env):
    with pytest.raises(DataNotFoundError, match="no such file"):
        load_dataset(isolated_env / "nope.tar.gz")


def test_download_checksum_mismatch_deletes_the_file(isolated_env, tiny_archive):
    # keras.utils.get_file fetches file:// URLs too, so a download can be tested offline.
    with pytest.raises(DataFormatError, match=r"sha256.*deleted"):
        sources.resolve_source(origin=tiny_archive.as_uri(), sha256="0" * 64)
    assert not (isolated_env / "cache" / "downloads" / sources.OFFICIAL_NAME).exists()


def test_download_with_matching_checksum_is_used(isolated_env, tiny_archive):
    digest = sources._sha256_file(tiny_archive)
    source = sources.resolve_source(origin=tiny_archive.as_uri(), sha256=digest)
    assert source.found_via == "download" and len(load_dataset(source.path).train) == 4
    assert sources.resolve_source(allow_download=False).found_via == "cache"  # found next time


def test_offline_download_failure_is_data_not_found(isolated_env):
    with pytest.raises(DataNotFoundError, match="Download of the official archive failed"):
        sources.resolve_source(origin=(isolated_env / "absent.tar.gz").as_uri())


def test_truncated_archive(isolated_env, tiny_archive):
    broken = isolated_env / "broken.tar.gz"
    broken.write_bytes(tiny_archive.read_bytes()[:-200])
    with pytest.raises(DataFormatError, match="truncated or corrupt"):
        load_dataset(broken)


def test_corrupt_bytes_archive(isolated_env):
    junk = isolated_env / "junk.tar.gz"
    junk.write_bytes(gzip.compress(b"not a tar file at all" * 100)[:50])
    with pytest.raises(DataFormatError):
        load_dataset(junk)


def test_folder_without_official_layout(isolated_env):
    (isolated_env / "bad" / "train" / "pos").mkdir(parents=True)
    with pytest.raises(DataFormatError, match="missing train/neg, test/neg, test/pos"):
        load_dataset(isolated_env / "bad")


def test_archive_without_a_label_folder(isolated_env):
    reviews = {k: v for k, v in TINY_REVIEWS.items() if k[:2] != ("test", "neg")}
    with pytest.raises(DataFormatError, match="test/neg"):
        load_dataset(make_archive(isolated_env / "partial.tar.gz", reviews))


@pytest.mark.parametrize("member", ["../evil.txt", "/etc/evil.txt", "aclImdb/../../evil.txt"])
def test_unsafe_member_paths_are_refused(isolated_env, member):
    archive = make_archive(isolated_env / "evil.tar.gz", extra=[(member, b"x")])
    with pytest.raises(DataFormatError, match="unsafe member"):
        load_dataset(archive)
    assert not (isolated_env.parent / "evil.txt").exists()


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
def test_links_are_refused(isolated_env, kind):
    link = tarfile.TarInfo("aclImdb/train/pos/9_9.txt")
    link.type, link.linkname = kind, "/etc/passwd"
    with pytest.raises(DataFormatError, match="unsafe member"):
        load_dataset(make_archive(isolated_env / "links.tar.gz", extra=[link]))


def test_empty_and_non_utf8_files_are_counted(isolated_env):
    reviews = dict(TINY_REVIEWS)
    reviews[("train", "pos", 7, 7)] = b""
    reviews[("train", "neg", 8, 4)] = b"caf\xe9 was bad \xff"
    data = load_dataset(make_archive(isolated_env / "odd.tar.gz", reviews))
    assert data.report["empty_files"] == 1 and data.report["replaced_files"] == 1
    assert len(data.train) == 5  # the empty one is skipped
    assert any("\ufffd" in t for t in data.train.texts)


def test_second_load_hits_the_cache(isolated_env, tiny_archive):
    first = load_dataset(tiny_archive)
    second = load_dataset(tiny_archive)
    assert not first.cache_hit and second.cache_hit
    assert second.train.texts == first.train.texts
    assert np.array_equal(second.train.ranks, first.train.ranks)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "stale"])
def test_damaged_or_stale_cache_is_rebuilt(isolated_env, tiny_archive, damage):
    data = load_dataset(tiny_archive)
    path = corpus_cache.cache_file(isolated_env / "cache", data.fingerprint)
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "garbage":
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 2 : len(raw) // 2 + 64] = b"\x00" * 64
        path.write_bytes(bytes(raw))
    else:
        corpus_cache.save(path, "another-fingerprint", {"train": data.train, "test": data.test}, data.vocabulary, {})
    again = load_dataset(tiny_archive)
    assert not again.cache_hit and "rebuilt" in again.report["cache_note"]
    assert again.train.texts == data.train.texts
    assert load_dataset(tiny_archive).cache_hit


def test_cache_write_is_atomic(isolated_env, tiny_archive, monkeypatch):
    """A write that dies half-way leaves no cache file and no temp file."""

    def explode(handle, **arrays):
        handle.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(corpus_cache.np, "savez", explode)
    with pytest.raises(KeyboardInterrupt):
        load_dataset(tiny_archive)
    assert list((isolated_env / "cache" / "corpus").iterdir()) == []


def test_changed_source_changes_the_fingerprint(isolated_env):
    a = make_archive(isolated_env / "a.tar.gz")
    reviews = dict(TINY_REVIEWS)
    reviews[("train", "pos", 0, 9)] = "Changed text"
    b = make_archive(isolated_env / "b.tar.gz", reviews)
    assert load_dataset(a).fingerprint != load_dataset(b).fingerprint


def test_keras_npz_source(isolated_env):
    """Keras's own pre-tokenized format, read without allow_pickle."""
    datasets = isolated_env / "keras-home" / "datasets"
    datasets.mkdir(parents=True)
    seq = lambda *v: list(v)  # noqa: E731
    x_train = np.empty(4, dtype=object)
    x_train[:] = [seq(1, 2, 3), seq(3, 4), seq(1, 1, 5), seq(2)]
    x_test = np.empty(2, dtype=object)
    x_test[:] = [seq(1, 4), seq(5, 2, 2)]
    np.savez(
        datasets / "imdb.npz", x_train=x_train, y_train=np.array([1, 0, 1, 0]), x_test=x_test, y_test=np.array([1, 0])
    )
    (datasets / "imdb_word_index.json").write_text(json.dumps({"the": 1, "good": 2, "bad": 3, "film": 4, "fun": 5}))
    data = load_dataset(allow_download=False)
    assert data.source.kind == "keras-npz" and len(data.train) == 4
    assert data.train.texts[0] == "the good bad"
    from core.encoding.word_ids import load_data

    (x, _y), _ = load_data(data)
    # ids = rank + 3; with num_words=None Keras treats the largest id (8) as out of range.
    assert sorted(map(tuple, x)) == sorted([(1, 4, 5, 6), (1, 6, 7), (1, 4, 4, 2), (1, 5)])


def test_keras_npz_with_code_in_its_pickle_is_refused(isolated_env):
    import pickle

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    datasets = isolated_env / "keras-home" / "datasets"
    datasets.mkdir(parents=True)
    arr = np.empty(1, dtype=object)
    arr[0] = Evil()
    np.savez(datasets / "imdb.npz", x_train=arr, y_train=np.array([1]), x_test=arr, y_test=np.array([1]))
    assert pickle  # the fake was pickled by numpy itself
    with pytest.raises(DataFormatError, match=r"refused to load builtins\.print"):
        load_dataset(allow_download=False)
