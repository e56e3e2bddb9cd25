"""Score movie reviews with this run's model: ``python predict.py TEXT...`` (``--json``: one list).

A run bundle of the IMDB LSTM Lab: ``model.keras``, ``vocabulary.json`` (the words the model
knows, by rank), ``bundle.json`` (how text becomes ids), ``run.json`` (config and test
metrics), ``history.json`` and ``tokenizer.py`` (the lab's own tokenizer, copied as is).
It needs only ``keras`` (with a backend, e.g. TensorFlow) and ``numpy``, and gives the
lab's probabilities: same words, same ids, same truncation, same padding, same batches: each review
is padded as it would be alone, so its probability never depends on the other texts given with it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
from tokenizer import tokenize

HERE = Path(__file__).resolve().parent


def load_settings(folder: Path = HERE) -> tuple[dict, dict[str, int]]:
    """``bundle.json`` and ``{word: rank}`` (rank 1 is the most frequent training word)."""
    settings = json.loads((folder / "bundle.json").read_text("utf-8"))
    words = json.loads((folder / "vocabulary.json").read_text("utf-8"))["words"]
    return settings, {word: rank for rank, word in enumerate(words, start=1)}


def encode(text: str, settings: dict, ranks: dict[str, int]) -> np.ndarray:
    """Keras ids of ``text`` (``keras.datasets.imdb`` rules), truncated to ``maxlen``."""
    limit = settings["max_text_chars"]  # the lab reads at most this many characters
    if len(text) > limit:
        text = text[-limit:] if settings["truncating"] == "pre" else text[:limit]
    ids = [ranks[w] + settings["index_from"] if w in ranks else None for w in tokenize(text)]
    if settings["start_char"] is not None:
        ids.insert(0, settings["start_char"])
    low, high = settings["skip_top"], settings["num_words"]
    ids = [i if i is not None and low <= i < high else settings["oov_char"] for i in ids]
    maxlen = settings["maxlen"]
    if len(ids) > maxlen:
        ids = ids[-maxlen:] if settings["truncating"] == "pre" else ids[:maxlen]
    return np.array(ids, dtype="int32")


def pad(sequences: list[np.ndarray], settings: dict) -> np.ndarray:
    """One int32 batch: padded to the longest (bucketing: all have one length) or to ``maxlen``, on the trained side."""
    length = max(1, max(len(s) for s in sequences)) if settings["bucketing"] else settings["maxlen"]
    batch = np.zeros((len(sequences), length), dtype="int32")
    for row, ids in enumerate(sequences):
        if settings["padding"] == "pre":
            batch[row, length - len(ids) :] = ids
        else:
            batch[row, : len(ids)] = ids
    return batch


def predict(texts: list[str], folder: Path = HERE) -> np.ndarray:
    """Probability of positive for each text, in batches of one length each (bucketing), as the lab scores them."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up notices
    import keras

    settings, ranks = load_settings(folder)
    model = keras.saving.load_model(folder / "model.keras", compile=False)
    sequences = [encode(text, settings, ranks) for text in texts]
    out = np.zeros(len(texts))
    for rows in batches([len(s) for s in sequences], settings):
        x = pad([sequences[i] for i in rows], settings)
        out[rows] = keras.ops.convert_to_numpy(model(x, training=False)).reshape(-1)
    return out


def batches(lengths: list[int], settings: dict) -> list[list[int]]:
    """Rows of each batch: with bucketing, texts of one length only (nothing padded to a neighbour)."""
    size = settings["batch_size"]
    if not settings["bucketing"]:
        return [list(range(i, min(i + size, len(lengths)))) for i in range(0, len(lengths), size)]
    by_length: dict[int, list[int]] = {}
    for row, length in enumerate(lengths):
        by_length.setdefault(length, []).append(row)
    return [rows[i : i + size] for _, rows in sorted(by_length.items()) for i in range(0, len(rows), size)]


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    texts = [arg for arg in argv if arg != "--json"]
    if not texts:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    probabilities = [float(p) for p in predict(texts)]
    print(json.dumps(probabilities) if as_json else "\n".join(f"{p:.6f}" for p in probabilities))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
