"""Shared by the core tests: the tiny training config, a job manager on the shared data, and the toy run
(a model that must learn two words) of the prediction tests."""

from __future__ import annotations

import numpy as np
import pytest

from core.config import TrainConfig
from core.data.dataset import load_dataset
from core.jobs.manager import DONE, JobManager
from tests.conftest import TINY as ONE_EPOCH, make_archive

TINY = ONE_EPOCH.replace(epochs=2)  # two epochs: a curve to draw, time to cancel mid-training


@pytest.fixture
def manager(imdb, tmp_path):
    mgr = JobManager(runs_dir=tmp_path / "runs", data_loader=lambda: imdb)
    yield mgr
    mgr.shutdown()


FILLER = ["the", "movie", "was", "a", "story", "about", "people", "and", "some", "scenes", "with", "music", "in", "it"]


def _toy_reviews(n_per_label: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    reviews = {}
    for split in ("train", "test"):
        for label, word in (("pos", "great"), ("neg", "awful")):
            for rid in range(n_per_label):
                words = list(rng.choice(FILLER, size=rng.integers(6, 14)))
                words.insert(int(rng.integers(0, len(words))), word)
                reviews[(split, label, rid, 9 if label == "pos" else 2)] = " ".join(words)
    return reviews


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    root = tmp_path_factory.mktemp("toy")
    import os

    os.environ["IMDB_LAB_CACHE"] = str(root / "cache")
    data = load_dataset(make_archive(root / "toy.tar.gz", _toy_reviews(150, 0)))
    config = TrainConfig(
        num_words=100,
        maxlen=40,
        units=8,
        embedding_dim=8,
        epochs=16,  # the default word-level network: 16 epochs make "great" and "awful" decide short reviews
        batch_size=32,
        learning_rate=0.01,
        patience=0,
        validation_fraction=0.1,
    )
    manager = JobManager(runs_dir=root / "runs", data_loader=lambda: data)
    snap = manager.wait(manager.submit(config), timeout=300)
    manager.shutdown()
    assert snap.state == DONE, snap.error
    return data, manager.store, snap
