"""The glass-box task: a synthetic data set whose right answer needs memory and whose solution is known.

Each example is a short "review" of neutral filler words with one sentiment word in it
("good", "awful"...). A "not" up to :data:`REACH` words before the sentiment word flips
it ("the movie was not really good" is negative); a "not" after it changes nothing ("the
film was good not the plot" stays positive). A bag of words cannot solve it (the label
is sentiment XOR "not before", and word order decides which "not" counts); a tiny LSTM
can, in seconds, and a class knows what its gates should do: remember "not" until the
sentiment word, then carry the flipped verdict to the end.

The words are IMDB words, but nothing comes from the IMDB archive: the examples are
generated from :data:`SEED` and written once as their own archive in the official layout
(``<cache>/glassbox/``), so the usual loader, cache, training jobs, run store and X-ray
work on it unchanged, under its own fingerprint, never mixed with the IMDB splits.
A config trains on it when its ``task`` is :data:`TASK` (:func:`data_for`).
"""

from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import numpy as np

from core import atomic, settings
from core.config import TASKS

#: The config's ``task`` values: the reviews, and this data set.
IMDB, TASK = TASKS
#: The generator's seed and version: a change makes a new archive (a new fingerprint, new run ids).
SEED, VERSION = 20_261_207, 1
#: How far before the sentiment word a "not" still flips it (1: right before it).
REACH = 3
TRAIN_EXAMPLES, TEST_EXAMPLES = 4000, 1000
#: Example length in words (the sentiment word and any "not" included).
SHORTEST, LONGEST = 6, 12
NOT = "not"
POSITIVE_WORDS = ("good", "great", "excellent", "wonderful", "brilliant", "superb", "enjoyable", "fun")
NEGATIVE_WORDS = ("bad", "awful", "terrible", "boring", "dull", "poor", "horrible", "waste")
FILLER = (
    "the", "movie", "film", "was", "is", "this", "it", "a", "story", "acting", "plot", "and",
    "really", "very", "of", "to", "cast", "ending", "scenes", "in", "director", "so",
)  # fmt: skip


def example(rng: np.random.Generator) -> tuple[list[str], int]:
    """One example's words and label (1: positive): a sentiment word, maybe flipped by a "not" before it."""
    length = int(rng.integers(SHORTEST, LONGEST + 1))
    words = [str(w) for w in rng.choice(FILLER, size=length)]
    positive = bool(rng.integers(2))
    at = int(rng.integers(REACH, length))  # room for a "not" up to REACH words before it
    words[at] = str(rng.choice(POSITIVE_WORDS if positive else NEGATIVE_WORDS))
    kind = int(rng.integers(3))  # 0: plain, 1: flipped by a "not" before, 2: a "not" after (no flip)
    if kind == 1:
        words[at - int(rng.integers(1, REACH + 1))] = NOT
    elif kind == 2 and at + 1 < length:
        words[int(rng.integers(at + 1, length))] = NOT
    return words, int(positive != (kind == 1))


def examples(count: int, rng: np.random.Generator) -> list[tuple[str, int]]:
    """``count`` examples as (text, label)."""
    return [(" ".join(words), label) for words, label in (example(rng) for _ in range(count))]


def archive_path() -> Path:
    return settings.cache_dir() / "glassbox" / f"{TASK}-v{VERSION}.tar.gz"


def write_archive(path: Path) -> Path:
    """The generated examples as an archive in the official layout (byte-for-byte the same every time)."""
    rng = np.random.default_rng(SEED)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as zipped, tarfile.open(fileobj=zipped, mode="w") as tar:
        for split, count in (("train", TRAIN_EXAMPLES), ("test", TEST_EXAMPLES)):
            for i, (text, label) in enumerate(examples(count, rng)):
                data = text.encode("utf-8")
                # No stars: these are no reviews; 0 is the rating every example gets.
                info = tarfile.TarInfo(f"aclImdb/{split}/{'pos' if label else 'neg'}/{i}_0.txt")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    atomic.write_bytes(path, buffer.getvalue())
    return path


def dataset():
    """The glass-box data set, loaded like any archive (generated on first use, then read from its cache)."""
    from core.data.dataset import load_dataset

    path = archive_path()
    if not path.is_file():
        write_archive(path)
    return load_dataset(path, allow_download=False)


def data_for(config, reviews):
    """The data ``config`` trains on: the glass-box set when its ``task`` names it, else ``reviews()`` (IMDB)."""
    return dataset() if config.task == TASK else reviews()
