"""On-disk cache of the parsed corpus, keyed by the source's content fingerprint.

One uncompressed ``.npz`` (no pickle) per source fingerprint and tokenizer version,
written atomically. On load every array is read in full (zip CRCs are checked) and the
stored key and the arrays' shapes are verified: a stale or damaged cache is deleted
and rebuilt by the caller, never trusted.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from core import atomic
from core.data.corpus import Split, Vocabulary
from core.text.tokenizer import TOKENIZER_VERSION

FORMAT_VERSION = "2"
_SPLIT_FIELDS = ("labels", "review_ids", "ratings", "ranks", "offsets", "text_bytes", "text_offsets")


class CacheInvalid(Exception):
    """The cache file is stale or damaged (the message says which)."""


def cache_file(cache_dir: Path, fingerprint: str) -> Path:
    return Path(cache_dir) / "corpus" / f"{fingerprint}-tok{TOKENIZER_VERSION}-f{FORMAT_VERSION}.npz"


def _key(fingerprint: str) -> dict:
    return {"fingerprint": fingerprint, "tokenizer": TOKENIZER_VERSION, "format": FORMAT_VERSION}


def save(path: Path, fingerprint: str, splits: dict[str, Split], vocabulary: Vocabulary, report: dict) -> None:
    arrays = {}
    for name, split in splits.items():
        encoded = [t.encode("utf-8") for t in split.texts]
        text_offsets = np.concatenate([[0], np.cumsum([len(b) for b in encoded])]).astype(np.int64)
        arrays.update(
            {
                f"{name}_labels": split.labels,
                f"{name}_review_ids": split.review_ids,
                f"{name}_ratings": split.ratings,
                f"{name}_ranks": split.ranks,
                f"{name}_offsets": split.offsets,
                f"{name}_text_bytes": np.frombuffer(b"".join(encoded), dtype=np.uint8),
                f"{name}_text_offsets": text_offsets,
            }
        )
    arrays["vocab_words"] = np.frombuffer("\n".join(vocabulary.words).encode("utf-8"), dtype=np.uint8)
    arrays["vocab_counts"] = vocabulary.counts
    meta = {**_key(fingerprint), "report": report}
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    with atomic.atomic_path(path) as temp, open(temp, "wb") as handle:
        np.savez(handle, **arrays)


def load(path: Path, fingerprint: str) -> tuple[dict[str, Split], Vocabulary, dict]:
    """Read and verify a cache file; raise :class:`CacheInvalid` if it cannot be trusted."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}  # reads every member: CRC-checked
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as error:
        raise CacheInvalid(f"unreadable ({type(error).__name__}: {error})") from None
    try:
        meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
        if {k: meta.get(k) for k in _key(fingerprint)} != _key(fingerprint):
            raise CacheInvalid("stale: written for another source or tokenizer")
        splits = {name: _split_from_arrays(name, arrays) for name in ("train", "test")}
        words = arrays["vocab_words"].tobytes().decode("utf-8")
        vocabulary = Vocabulary(tuple(words.split("\n")) if words else (), arrays["vocab_counts"])
        if len(vocabulary.words) != len(vocabulary.counts):
            raise CacheInvalid("vocabulary words and counts disagree")
        for split in splits.values():
            if len(split.ranks) and (split.ranks.max() > len(vocabulary) or split.ranks.min() < 0):
                raise CacheInvalid("word ranks outside the vocabulary")
    except CacheInvalid:
        raise
    except (KeyError, ValueError, UnicodeDecodeError, TypeError) as error:
        raise CacheInvalid(f"damaged ({type(error).__name__}: {error})") from None
    return splits, vocabulary, meta.get("report", {})


def _split_from_arrays(name: str, arrays: dict) -> Split:
    values = {f: arrays[f"{name}_{f}"] for f in _SPLIT_FIELDS}
    n = len(values["labels"])
    offsets, text_offsets = values["offsets"], values["text_offsets"]
    consistent = (
        all(len(values[f]) == n for f in ("review_ids", "ratings"))
        and len(offsets) == n + 1 == len(text_offsets)
        and offsets[0] == 0
        and offsets[-1] == len(values["ranks"])
        and np.all(np.diff(offsets) >= 0)
        and text_offsets[0] == 0
        and text_offsets[-1] == len(values["text_bytes"])
        and np.all(np.diff(text_offsets) >= 0)
    )
    if not consistent:
        raise CacheInvalid(f"{name} arrays have inconsistent shapes")
    blob = values["text_bytes"].tobytes()
    bounds = text_offsets.tolist()
    texts = [blob[bounds[i] : bounds[i + 1]].decode("utf-8") for i in range(n)]
    return Split(
        name=name,
        texts=texts,
        labels=values["labels"],
        review_ids=values["review_ids"],
        ratings=values["ratings"],
        ranks=values["ranks"],
        offsets=offsets,
    )
