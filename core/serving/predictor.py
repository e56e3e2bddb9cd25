"""Predicting typed reviews with a stored run, through the training encoder.

:class:`Predictor` holds one run's model, its vocabulary and config. Text goes through
:func:`core.encoding.model_input.encode_text` (the training tokenizer and encoder), is truncated
like the training data and padded the way the model was trained. Calls are serialized
with a lock: a model shared by many browser sessions is not re-entrant.

:meth:`Predictor.use_snapshot` puts one of the run's weight snapshots
(:mod:`core.runs.snapshots`) into the loaded model, in place (``set_weights``: the traced
inference function reads the same variables), and ``None`` puts the stored model's own
weights back; the last snapshot *is* the stored model, so it uses those float32 weights.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from core.encoding import arrays, model_input
from core.errors import RunError
from core.runs import snapshots
from core.runs.store import RunStore
from core.text import limits

#: Reviews per batch in :meth:`Predictor.predict_ids` (reviews of one length each; bundles copy this).
PREDICT_BATCH = 256


@dataclass(frozen=True)
class Encoded:
    """What the model sees for one text."""

    tokens: list[str]
    ids: np.ndarray  # Keras ids, start char first, before truncation
    model_ids: np.ndarray  # after truncation to maxlen
    oov_tokens: list[str]
    truncated_tokens: int  # tokens cut off by truncation
    clipped_chars: int  # characters beyond limits.MAX_TEXT_CHARS, never looked at (see Predictor.clip)


class Predictor:
    """A loaded run, ready to score text."""

    def __init__(self, run_id: str, store: RunStore | None = None):
        from core.model.inference import inference_function

        self.store = store or RunStore()
        self.run = self.store.get(run_id)
        self.config = self.run.config
        self.vocabulary = self.store.vocabulary(run_id)
        self.encoding = arrays.encoding_for(self.config)
        self.model = self.store.load_model(run_id)
        self._infer = inference_function(self.model)
        self._lock = threading.Lock()
        self._final_weights = None  # the stored weights, kept while a snapshot is in the model
        self.snapshot: int | None = None  # the snapshot now in the model (None: the stored model)
        self._snapshot_index = None

    def snapshot_index(self) -> snapshots.SnapshotIndex | None:
        """The run's snapshot index (read once), None when it has none."""
        if self._snapshot_index is None:
            self._snapshot_index = snapshots.read_index(self.run.path) or False
        return self._snapshot_index or None

    def use_snapshot(self, snapshot: int | None) -> None:
        """Score with snapshot ``snapshot`` of the run's training from now on (None or the last: the stored model)."""
        if snapshot is not None:
            index = self.snapshot_index()
            if index is None:
                raise RunError(f"Run {self.run.run_id} has no snapshots of its training: train it again to get them.")
            if not 0 <= snapshot < len(index.snapshots):
                raise RunError(f"Run {self.run.run_id} has no snapshot {snapshot} (it has {len(index.snapshots)}).")
            if snapshot == index.last and index.snapshots[snapshot].final:
                snapshot = None
        if snapshot == self.snapshot:
            return
        with self._lock:
            if snapshot is None:
                self.model.set_weights(self._final_weights)
                self._final_weights = None
            else:
                if self._final_weights is None:
                    self._final_weights = self.model.get_weights()
                self.model.set_weights(snapshots.load_weights(self.run.path, self.snapshot_index(), snapshot))
            self.snapshot = snapshot

    def clip(self, text: str) -> tuple[str, int]:
        """At most ``limits.MAX_TEXT_CHARS`` of ``text``, from the end the model keeps, and how many were cut (:func:`limits.clip`)."""
        return limits.clip(text, keep_end=self.keeps_end())

    def keeps_end(self) -> bool:
        return self.config.truncating == "pre"

    def encode(self, text: str) -> Encoded:
        text, clipped = self.clip(text)
        review = model_input.encode_text(
            text, self.vocabulary, self.encoding, self.config.maxlen, self.config.truncating
        )
        return Encoded(list(review.words), review.ids, review.model_ids, review.oov_words, review.cut, clipped)

    def predict_ids(self, sequences: list[np.ndarray]) -> np.ndarray:
        """Probabilities of positive for already-encoded sequences, each scored as it would be alone.

        Batches hold reviews of one length (:func:`arrays.scoring_batches`): a review's probability
        never depends on the others scored with it, here, in a CSV, in training's test scores or in a bundle.
        """
        out = np.zeros(len(sequences))
        for idx, x in arrays.scoring_batches(sequences, self.config, PREDICT_BATCH):
            with self._lock:  # per batch: another session's review need not wait for a whole file
                out[idx] = self._infer(x).numpy()
        return out

    def known_words(self, texts: list[str]) -> np.ndarray:
        """How many words of each text are in the run's vocabulary (0: the model sees only unknown words)."""
        oov = self.encoding.oov_char
        return np.array([int(np.count_nonzero(self.encode(t).ids[1:] != oov)) for t in texts], dtype=np.int64)

    def predict(self, texts: list[str]) -> np.ndarray:
        """Probability of positive for each text (empty text: 0.5 is *not* returned; it is scored)."""
        return self.predict_ids([self.encode(t).model_ids for t in texts])
