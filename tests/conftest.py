"""Fixtures shared by every test: the shared archive, isolated cache/runs dirs, tiny archives, the tiny config."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import pytest

from core.config import CONV_LSTM

REPO = Path(__file__).resolve().parents[1]
SHARED_ARCHIVE = (REPO.parent / "shared" / "data" / "aclImdb_labeled.tar.gz").resolve()

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

#: The teacher token the tests' servers are given (``IMDB_LAB_TEACHER_TOKEN``): long enough to be accepted.
TEACHER_TOKEN = "class-of-2026-teacher-token"

#: The tiny network every training test uses: seconds on 300 reviews, a real Keras model all the same.
#: The conv-lstm network, shrunk: 20 LSTM steps for 80 words keep the suite fast, and its probabilities
#: stay spread out after one epoch (the page tests move a threshold through them).
TINY = CONV_LSTM.replace(
    train_limit=300,
    test_limit=200,
    epochs=1,
    units=8,
    embedding_dim=8,
    maxlen=80,
    conv_stride=1,  # 80 words strided by 4 and pooled by 4 leave the LSTM 5 steps: too few to learn from 300 reviews
    num_words=2000,
    batch_size=32,
    patience=0,
)


@pytest.fixture(scope="session")
def shared_archive() -> Path:
    if not SHARED_ARCHIVE.is_file():
        pytest.fail(f"The shared IMDB archive is missing at {SHARED_ARCHIVE}")
    return SHARED_ARCHIVE


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory) -> Path:
    """One corpus cache for the whole session: the full archive is parsed once."""
    return tmp_path_factory.mktemp("imdb-cache")


@pytest.fixture
def isolated_env(tmp_path, monkeypatch):
    """No data source anywhere: empty cache, no IMDB_DATA, an empty Keras home."""
    monkeypatch.delenv("IMDB_DATA", raising=False)
    monkeypatch.setenv("IMDB_LAB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("IMDB_LAB_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    return tmp_path


@pytest.fixture(scope="session")
def imdb(shared_archive, session_cache):
    """The full dataset from the shared archive (parsed once per session, then cached)."""
    from core.data.dataset import load_dataset

    previous = os.environ.get("IMDB_LAB_CACHE")
    os.environ["IMDB_LAB_CACHE"] = str(session_cache)
    try:
        return load_dataset(shared_archive)
    finally:
        if previous is None:
            os.environ.pop("IMDB_LAB_CACHE", None)
        else:
            os.environ["IMDB_LAB_CACHE"] = previous


TINY_REVIEWS = {
    # (split, label, id, rating): text
    ("train", "pos", 0, 9): "A great movie.<br /><br />I loved it, great acting!",
    ("train", "pos", 1, 8): "Great fun and a good story.",
    ("train", "neg", 0, 2): "A bad movie. Boring and bad.",
    ("train", "neg", 1, 1): "Terrible acting, bad plot.",
    ("test", "pos", 0, 10): "Great, wonderful film.",
    ("test", "neg", 0, 3): "Bad and dull; a zombie film.",
}


def make_archive(path: Path, reviews=None, extra=None) -> Path:
    """Write a tiny .tar.gz in the official layout; ``extra`` adds raw (name, bytes|TarInfo) members."""
    reviews = TINY_REVIEWS if reviews is None else reviews
    with tarfile.open(path, "w:gz") as archive:
        for (split, label, rid, rating), text in reviews.items():
            data = text.encode("utf-8") if isinstance(text, str) else text
            info = tarfile.TarInfo(f"aclImdb/{split}/{label}/{rid}_{rating}.txt")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for item in extra or []:
            if isinstance(item, tarfile.TarInfo):
                archive.addfile(item)
            else:
                name, data = item
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return path


def make_folder(root: Path, reviews=None) -> Path:
    reviews = TINY_REVIEWS if reviews is None else reviews
    for (split, label, rid, rating), text in reviews.items():
        folder = root / "aclImdb" / split / label
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{rid}_{rating}.txt").write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return root / "aclImdb"


@pytest.fixture
def tiny_archive(tmp_path) -> Path:
    return make_archive(tmp_path / "tiny.tar.gz")
