"""Keras's own pre-tokenized ``imdb.npz`` (+ ``imdb_word_index.json``) as a corpus.

Keras stores its sequences as pickled object arrays. We never let ``numpy.load`` unpickle
(its pickle switch stays off): a restricted unpickler accepts only the numpy classes that an
object array of integer lists needs, and refuses anything else (a pickle that tries to
call other code is reported as damaged). Texts are rebuilt by decoding the word ranks,
so they are lowercase words without punctuation; ratings and review ids are unknown.
"""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np

from core.data import limits
from core.data.corpus import Split, Vocabulary
from core.errors import DataFormatError

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
}


class _ArrayOnlyUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"refused to load {module}.{name}")
        return super().find_class(module, name)


def _read_npy(data: bytes) -> np.ndarray:
    stream = io.BytesIO(data)
    version = np.lib.format.read_magic(stream)
    read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    _shape, _fortran, dtype = read_header(stream)
    if dtype.hasobject:
        array = _ArrayOnlyUnpickler(stream).load()
        if not isinstance(array, np.ndarray):
            raise pickle.UnpicklingError("not an array")
        return array
    return np.load(io.BytesIO(data), allow_pickle=False)


def _ragged(sequences) -> tuple[np.ndarray, np.ndarray]:
    lists = [np.asarray(seq, dtype=np.int64) for seq in sequences]
    lengths = np.array([len(s) for s in lists], dtype=np.int64)
    flat = np.concatenate(lists) if lists else np.zeros(0, np.int64)
    return flat, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def _read_member(archive: zipfile.ZipFile, name: str, path: Path) -> bytes:
    """One member, its size checked from the zip's directory first and counted while it unpacks."""
    info = archive.getinfo(name)
    if info.file_size > limits.MAX_NPZ_MEMBER_BYTES:
        raise DataFormatError(
            f"Refusing {path}: its {name} unpacks to {limits.mib(info.file_size)}, more than the "
            f"{limits.mib(limits.MAX_NPZ_MEMBER_BYTES)} a Keras imdb.npz needs. Delete it so that Keras "
            "downloads it again, or use the aclImdb archive."
        )
    with archive.open(info) as member:
        data = member.read(limits.MAX_NPZ_MEMBER_BYTES + 1)
    if len(data) > limits.MAX_NPZ_MEMBER_BYTES:
        raise DataFormatError(f"Refusing {path}: its {name} unpacks to more than its header says.")
    return data


def load_keras_npz(path: Path) -> tuple[dict[str, Split], Vocabulary, dict]:
    """Read ``imdb.npz`` and the word index beside it into the corpus structures (within :mod:`core.data.limits`)."""
    index_path = Path(path).with_name("imdb_word_index.json")
    try:
        with zipfile.ZipFile(path) as archive:
            if len(archive.infolist()) > limits.MAX_NPZ_MEMBERS:
                raise DataFormatError(
                    f"Refusing {path}: it has {len(archive.infolist()):,} members; a Keras imdb.npz has 4. "
                    "Delete it so that Keras downloads it again, or use the aclImdb archive."
                )
            arrays = {
                name: _read_npy(_read_member(archive, f"{name}.npy", path))
                for name in ("x_train", "y_train", "x_test", "y_test")
            }
        word_index = json.loads(index_path.read_text("utf-8")) if index_path.is_file() else {}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, pickle.UnpicklingError, EOFError) as error:
        raise DataFormatError(
            f"{path} is not a usable Keras imdb.npz ({type(error).__name__}: {error}). "
            f"Delete it so that Keras downloads it again, or use the aclImdb archive."
        ) from None
    by_rank = {rank: word for word, rank in word_index.items()}
    max_rank = max([0, *by_rank] + [int(max(s)) for s in arrays["x_train"] if len(s)])
    words = tuple(by_rank.get(rank, f"<word{rank}>") for rank in range(1, max_rank + 1))
    splits = {}
    for name in ("train", "test"):
        flat, offsets = _ragged(arrays[f"x_{name}"])
        flat = np.where(flat <= max_rank, flat, 0).astype(np.int32)  # beyond the index: unknown
        texts = [
            " ".join(words[r - 1] for r in flat[offsets[i] : offsets[i + 1]] if r > 0) for i in range(len(offsets) - 1)
        ]
        n = len(texts)
        splits[name] = Split(
            name=name,
            texts=texts,
            labels=np.asarray(arrays[f"y_{name}"], dtype=np.int8),
            review_ids=np.arange(n, dtype=np.int32),
            ratings=np.full(n, -1, np.int8),
            ranks=flat,
            offsets=offsets,
        )
    counts = np.bincount(splits["train"].ranks, minlength=max_rank + 1)[1:].astype(np.int64)
    return (
        splits,
        Vocabulary(words, counts),
        {"empty_files": 0, "replaced_files": 0, "reviews_read": sum(len(s) for s in splits.values())},
    )
