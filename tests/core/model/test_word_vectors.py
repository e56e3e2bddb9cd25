"""Pretrained GloVe vectors: aligned by word to the lab's ids, frozen or fine-tuned, from a file, a download or the package."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from core import settings
from core.backend import import_keras
from core.config import TrainConfig
from core.data.corpus import INDEX_FROM, Vocabulary
from core.errors import ConfigError, DataFormatError
from core.model import word_vectors
from core.model.architecture import build_model

WORDS = ("the", "movie", "zyxwv", "good", "bad")  # ranks 1..5: ids 4..8; "zyxwv" is in no GloVe file
VECTORS = {"the": [1, 2, 3, 4], "movie": [-1, -2, -3, -4], "good": [0.5, 0.5, 0.5, 0.5], "bad": [9, 8, 7, 6]}
FILE_CONFIG = TrainConfig(num_words=100, embedding_dim=4, embeddings="glove-file")


def _vocabulary(words=WORDS) -> Vocabulary:
    return Vocabulary(tuple(words), np.arange(len(words), 0, -1))


def _glove_text(vectors=VECTORS, extra=("unrelated 0 0 0 0",)) -> str:
    lines = [f"{w} {' '.join(str(v) for v in vec)}" for w, vec in vectors.items()]
    return "\n".join([*extra, *lines]) + "\n"


@pytest.fixture
def glove_file(tmp_path, monkeypatch):
    path = tmp_path / "vectors.txt"
    path.write_text(_glove_text(), "utf-8")
    monkeypatch.setenv(settings.GLOVE_FILE_ENV, str(path))
    return path


def test_vectors_land_on_their_words_ids_padding_is_zero_and_missing_words_are_seeded_keras_uniform(glove_file):
    aligned = word_vectors.aligned_vectors(FILE_CONFIG, _vocabulary())
    matrix = aligned.matrix
    assert matrix.shape == (100, 4) and matrix.dtype == np.float32
    for rank, word in enumerate(WORDS, start=1):
        if word in VECTORS:
            np.testing.assert_array_equal(matrix[rank + INDEX_FROM], VECTORS[word])
    assert (aligned.found, aligned.words, aligned.missing) == (4, 5, ("zyxwv",))
    assert aligned.describe(False) == "GloVe file vectors.txt: 4 of 5 words found, frozen"
    assert not matrix[0].any()  # padding
    missing_row = matrix[3 + INDEX_FROM]
    assert np.abs(missing_row).max() <= word_vectors.UNIFORM_LIMIT and missing_row.any()
    assert np.abs(matrix[9:]).max() <= word_vectors.UNIFORM_LIMIT  # ids no word of this vocabulary has
    again = word_vectors.aligned_vectors(FILE_CONFIG, _vocabulary()).matrix
    np.testing.assert_array_equal(again, matrix)  # the config's seed decides the random rows
    other = word_vectors.aligned_vectors(FILE_CONFIG.replace(seed=7), _vocabulary()).matrix
    assert not np.array_equal(other[3 + INDEX_FROM], missing_row)
    np.testing.assert_array_equal(other[4 + INDEX_FROM], matrix[4 + INDEX_FROM])


def test_only_words_with_an_id_are_looked_up(glove_file):
    words = ("the", *(f"w{i}" for i in range(200)), "movie")  # "movie" ranks past num_words
    aligned = word_vectors.aligned_vectors(FILE_CONFIG, _vocabulary(words))
    assert (aligned.found, aligned.words) == (1, 100 - INDEX_FROM - 1)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("the 1 2 3 4\nmovie 1 2 3\n", "line 2: expected a word and 4 numbers"),
        ("the 1 2 3 4\nmovie 1 2 x 4\n", "line 2: 'movie' has a value that is not a finite number"),
        ("the 1 2 nan 4\n", "line 1: 'the' has a value that is not a finite number"),
        ("the\n", "line 1: expected a word and 0 numbers"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_line(tmp_path, monkeypatch, text, fragment):
    path = tmp_path / "bad.txt"
    path.write_text(text, "utf-8")
    monkeypatch.setenv(settings.GLOVE_FILE_ENV, str(path))
    with pytest.raises(DataFormatError, match=fragment):
        word_vectors.aligned_vectors(FILE_CONFIG, _vocabulary())


def test_files_that_are_too_long_wrong_sized_or_unnamed_are_refused(glove_file, monkeypatch):
    with pytest.raises(ConfigError, match="embedding_dim: 8 does not match the vectors' 4"):
        word_vectors.aligned_vectors(FILE_CONFIG.replace(embedding_dim=8), _vocabulary())
    with pytest.raises(ConfigError, match="holds none of the vocabulary's words"):
        word_vectors.aligned_vectors(FILE_CONFIG, _vocabulary(("zyxwv",)))
    monkeypatch.setattr(word_vectors, "MAX_LINES", 3)
    with pytest.raises(DataFormatError, match="more than 3 lines"):
        word_vectors.aligned_vectors(FILE_CONFIG, _vocabulary())
    monkeypatch.delenv(settings.GLOVE_FILE_ENV)
    with pytest.raises(ConfigError, match=settings.GLOVE_FILE_ENV):
        word_vectors.aligned_vectors(FILE_CONFIG, _vocabulary())
    assert word_vectors.aligned_vectors(TrainConfig(), _vocabulary()) is None  # learned: Keras's own start


def test_the_online_vectors_come_from_stanfords_archive_checked_by_its_sha256(tmp_path, monkeypatch):
    archive = tmp_path / "glove.6B.zip"
    hundred = {word: [float(i)] * 100 for i, word in enumerate(("the", "movie", "good"), start=1)}
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("glove.6B.50d.txt", "the " + " ".join(["9"] * 50) + "\n")
        bundle.writestr("glove.6B.100d.txt", _glove_text(hundred, extra=()))
    calls = []

    def fake_get_file(**kwargs):
        calls.append(kwargs)
        return str(archive)

    monkeypatch.setattr(import_keras().utils, "get_file", fake_get_file)
    config = TrainConfig(num_words=100, embeddings="glove-100d")
    assert config.embedding_dim == 100  # GloVe decides the embedding size
    aligned = word_vectors.aligned_vectors(config, _vocabulary())
    ((call,),) = [calls]
    assert call["origin"] == "https://nlp.stanford.edu/data/glove.6B.zip"
    assert call["file_hash"] == "617afb2fe6cbd085c235baf7a465b96f4112bd7f7ccb2b2cbd649fed9cbcf2fb"
    assert call["hash_algorithm"] == "sha256" and call["cache_subdir"] == "downloads"
    assert (aligned.found, aligned.source) == (3, "GloVe 6B 100d")
    np.testing.assert_array_equal(aligned.matrix[2 + INDEX_FROM], [2.0] * 100)  # "movie", from the 100d member

    def failing(**kwargs):
        raise ValueError("Incomplete or corrupted file detected. The sha256 file hash does not match")

    monkeypatch.setattr(import_keras().utils, "get_file", failing)
    with pytest.raises(DataFormatError, match="failed its sha256 check"):
        word_vectors.aligned_vectors(config, _vocabulary())

    def offline(**kwargs):
        raise OSError("Name or service not known")

    monkeypatch.setattr(import_keras().utils, "get_file", offline)
    with pytest.raises(ConfigError, match=r"could not be downloaded .*use glove-50d"):
        word_vectors.aligned_vectors(config, _vocabulary())


def test_the_offline_package_holds_glove_6b_50d():
    folder = word_vectors.offline_folder()
    matrix = np.load(folder / word_vectors.OFFLINE_MATRIX, mmap_mode="r")
    assert matrix.shape == (400_000, 50) and matrix.dtype == np.float32
    vectors = word_vectors.offline_vectors({"the", "movie", "zyxwvutsrq"})
    assert set(vectors) == {"the", "movie"}
    np.testing.assert_allclose(vectors["the"][:3], [0.418, 0.24968, -0.41242])  # glove.6B.50d.txt's first line
    # GloVe rows dwarf Keras's uniform +-0.05 start (kept as they are: docs/word-vectors.md).
    assert 0.3 < float(np.abs(vectors["movie"]).mean()) < 1.0


def _one_batch(model):
    x = np.array([[4, 5, 6, 7, 8, 4, 5, 1]] * 8, dtype=np.int32)
    model.train_on_batch(x, np.array([1, 0] * 4, dtype=np.float32))


@pytest.mark.parametrize("trainable", [False, True])
def test_the_embedding_starts_from_the_vectors_and_frozen_stays_frozen(glove_file, tmp_path, trainable):
    config = FILE_CONFIG.replace(units=4, maxlen=20, batch_size=8, embeddings_trainable=trainable)
    matrix = word_vectors.aligned_vectors(config, _vocabulary()).matrix
    model = build_model(config, embedding_matrix=matrix)
    embedding = model.get_layer("embedding")
    np.testing.assert_array_equal(embedding.get_weights()[0], matrix)
    assert embedding.trainable is trainable
    _one_batch(model)
    changed = not np.array_equal(embedding.get_weights()[0], matrix)
    assert changed is trainable
    model.save(tmp_path / "model.keras")  # a plain Embedding: no custom layer, no matrix in its config
    loaded = import_keras().models.load_model(tmp_path / "model.keras", safe_mode=True)
    assert (
        type(loaded.get_layer("embedding")) is type(embedding) and loaded.get_layer("embedding").trainable is trainable
    )
    assert "Constant" not in (tmp_path / "model.keras").read_bytes().decode("latin-1")


def test_a_glove_run_says_how_many_words_were_found(imdb, tmp_path):
    from core.model.training import train
    from core.runs.store import RunStore
    from tests.conftest import TINY

    config = TINY.replace(embeddings="glove-50d", embeddings_trainable=False)
    result = train(config, imdb)
    assert result.embeddings_note.startswith("GloVe 6B 50d: 1,9") and result.embeddings_note.endswith(
        "of 1,996 words found, frozen"
    )
    run = RunStore(tmp_path / "runs").save(result, config, imdb)
    assert run.embeddings_note == result.embeddings_note and run.config.embedding_dim == 50
