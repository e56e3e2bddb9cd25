"""A run's word embeddings in two dimensions: its most frequent words, projected by PCA.

Read straight from ``model.keras`` (a zip holding ``model.weights.h5``) with h5py and numpy,
so the web server shows it without TensorFlow. The embedding layer is the only one whose
weight matrix has ``num_words`` rows; Keras ids are ``rank + INDEX_FROM``.

At a weight snapshot (:mod:`core.runs.snapshots`) the same words are projected on the
*stored model's* two principal directions, so moving through training moves the words on
one fixed map (a PCA of each snapshot would turn and flip the picture at every step): at
step 0 they sit in a small random cloud, and the directions the model ends up using grow.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

import numpy as np

from core.data.corpus import INDEX_FROM
from core.errors import RunError
from core.runs import snapshots
from core.runs.store import RunStore, check_keras_file


@dataclass(frozen=True)
class Projection:
    words: list[str]  # the most frequent words first
    xy: np.ndarray  # (len(words), 2): the first two principal components
    explained: tuple[float, float]  # share of the variance (of these vectors) each component explains
    snapshot: int | None = None  # the weight snapshot shown (None: the stored model)


def embedding_matrix(store: RunStore, run_id: str, rows: np.ndarray | None = None) -> np.ndarray:
    """The run's embedding weights, ``(num_words, embedding_dim)`` float32, or only ``rows`` of them (ascending ids).

    Read through the zip member as a file, never the whole weights file into memory, and
    only the rows asked for: the map needs its top 100-1,000 words of a table that may
    have 100,000 rows of another run's 512 dimensions.
    """
    import h5py

    run = store.get(run_id)
    path = run.model_file
    check_keras_file(path)
    try:
        with (
            zipfile.ZipFile(path) as archive,
            archive.open("model.weights.h5") as member,
            h5py.File(member, "r") as weights,
        ):
            names = []
            weights.visititems(lambda name, item: names.append(name) if isinstance(item, h5py.Dataset) else None)
            candidates = [n for n in names if n.startswith("layers/embedding") and weights[n].ndim == 2]
            if not candidates:
                raise RunError(f"Run {run_id}: its model has no embedding layer to project")
            table = weights[sorted(candidates)[0]]
            return np.asarray(table[()] if rows is None else table[np.asarray(rows)], dtype=np.float32)
    except (OSError, KeyError, zipfile.BadZipFile) as error:
        raise RunError(f"Run {run_id}: its weights could not be read ({error})") from error


def project(store: RunStore, run_id: str, top: int = 500, snapshot: int | None = None) -> Projection:
    """The embeddings of the run's ``top`` most frequent words on the stored model's first two principal directions.

    ``snapshot``: the weights at that snapshot of training instead, on the same directions.
    """
    run = store.get(run_id)
    words = [w for w in store.vocabulary(run_id).words[:top]]
    ids = np.arange(1, len(words) + 1) + INDEX_FROM
    keep = ids < run.config.num_words
    words, ids = [w for w, k in zip(words, keep, strict=True) if k], ids[keep]
    final = embedding_matrix(store, run_id, ids).astype(np.float64)  # PCA of at most 1,000 rows: float64 is cheap
    mean = final.mean(axis=0)
    _, _, components = np.linalg.svd(final - mean, full_matrices=False)
    vectors = final
    if snapshot is not None:
        index = snapshots.read_index(run.path)
        if index is None:
            raise RunError(f"Run {run_id} has no snapshots of its training: train it again to get them.")
        vectors = snapshots.embedding_at(run.path, index, snapshot)[ids]
        mean = vectors.mean(axis=0)
    centred = vectors - mean
    xy = centred @ components[:2].T
    total = max(float((centred**2).sum()), 1e-12)
    shares = [float((xy[:, k] ** 2).sum()) / total if k < xy.shape[1] else 0.0 for k in range(2)]
    return Projection(words, xy, (shares[0], shares[1]), snapshot)
