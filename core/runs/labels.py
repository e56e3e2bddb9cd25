"""The "how many labels" experiment (issue 29): does a GloVe start help an LSTM more when labelled reviews are few?

One network, the default preset, trained on 500, 2,000 and all 25,000 training reviews,
each from scratch (``embeddings="learned"``) and from GloVe 6B 50d, fine-tuned: six
configs (:func:`grid`). Nothing is trained here: :func:`results` finds, among the stored
runs, the run of each cell, so Evaluate draws whatever the class (or the teacher, ahead
of the lesson) has trained, and names the cells still missing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from core.config import DEFAULT_PRESET, TrainConfig, preset

#: The IMDB training split's size: what ``train_limit=None`` trains on (10% of it held out for validation).
ALL_REVIEWS = 25_000
#: Where each cell's embedding starts: Keras's random start, or GloVe 6B 50d fine-tuned with the network.
EMBEDDINGS = ("learned", "glove-50d")
#: (epochs, early-stopping patience) on the small sets; on all reviews the preset keeps its own (:func:`grid`).
SMALL_SETS = {500: (10, 10), 2_000: (10, 3)}
#: The training reviews of each cell; None is the whole training split (:data:`ALL_REVIEWS`).
TRAIN_LIMITS = (*SMALL_SETS, None)
#: Fields that do not tell cells apart: the random draw, and the test slice (never a widget: ``ui.train.knobs``).
NOT_COMPARED = {"seed": 0, "test_limit": None}
COLUMNS = ["reviews", "embeddings", "run_id", "runs", "validation_accuracy", "test_accuracy"]

#: What was measured before the app could run the grid: test accuracy by (training reviews, embeddings), as
#: ranges over seeds. Source: docs/word-vectors.md (the ``lstm`` preset, 2-core Xeon): "How many labels" (500
#: reviews, seed 113), "What it did here" (2,000 reviews, seeds 113 and 7) and issue 29's table (25,000, one seed).
MEASURED = {
    (500, "learned"): (0.752, 0.752),
    (500, "glove-50d"): (0.5, 0.5),
    (2_000, "learned"): (0.776, 0.815),
    (2_000, "glove-50d"): (0.801, 0.805),
    (ALL_REVIEWS, "learned"): (0.8765, 0.8765),
    (ALL_REVIEWS, "glove-50d"): (0.869, 0.869),
}


@dataclass(frozen=True)
class Cell:
    """One point of the experiment: its number of training reviews, its embeddings and the config that trains it."""

    reviews: int
    embeddings: str
    config: TrainConfig


def grid(base: TrainConfig | None = None) -> list[Cell]:
    """The six configs: ``base`` (the default preset) at each of :data:`TRAIN_LIMITS`, learned and GloVe.

    Epochs follow the size. On all 25,000 reviews the preset's own two epochs are about
    180 steps of batch 256, enough to converge. On 2,000 reviews (1,800 to learn from) an
    epoch is 8 steps, on 500 only 2: two epochs would compare networks that have barely
    moved from their start. So the small sets train for 10 epochs, the best validation
    epoch kept (:data:`SMALL_SETS`). At 2,000 reviews with patience 3, the setting
    docs/word-vectors.md measured. At 500 the validation share is 50 reviews, where one
    review is 2 points, and patience 3 stopped runs on that noise before they had learned
    (measured: docs/word-vectors.md, "How many labels"), so early stopping is off there
    (patience = epochs; the best validation epoch is still the one kept).
    """
    base = base or preset(DEFAULT_PRESET)
    cells = []
    for limit in TRAIN_LIMITS:
        sized = base.replace(train_limit=limit)
        if limit is not None:
            epochs, patience = SMALL_SETS[limit]
            sized = sized.replace(epochs=epochs, patience=patience)
        for embeddings in EMBEDDINGS:
            config = sized.replace(embeddings=embeddings, embeddings_trainable=True)
            cells.append(Cell(limit or ALL_REVIEWS, embeddings, config))
    return cells


def same_cell(config: TrainConfig, cell: Cell) -> bool:
    """Whether a run of ``config`` is a run of ``cell``: every field equal but the seed and the test slice.

    The seed is left out because every student trains from their own (``core.config.own_seed``):
    their run of a cell is as much the experiment as the teacher's. The test slice is set
    by the server for tests, never by a student, and is not what the experiment varies.
    Everything else (epochs and patience included) must match: a 500-review run trained
    for 2 epochs is another experiment.
    """
    return config.replace(**NOT_COMPARED) == cell.config.replace(**NOT_COMPARED)


def results(runs, cells: list[Cell] | None = None, data_fingerprint: str | None = None) -> pd.DataFrame:
    """One row per cell: its reviews, embeddings, the run shown (None when not trained yet) and its accuracies.

    ``runs`` are :class:`core.runs.store.RunInfo` (or alike: ``config``, ``partial``,
    ``data_fingerprint``, ``run_id``, ``validation_accuracy``, ``test_accuracy``); partial
    runs and, with ``data_fingerprint``, runs on other data are not counted. Of several runs
    of a cell (students' seeds), the one with the best validation accuracy is shown, as
    everywhere in the lab (test accuracy never chooses); ``runs`` says how many there were.
    """
    cells = grid() if cells is None else cells
    whole = [r for r in runs if not r.partial and (data_fingerprint is None or r.data_fingerprint == data_fingerprint)]
    rows = []
    for cell in cells:
        found = [r for r in whole if same_cell(r.config, cell)]
        shown = max(found, key=_validation_or_lowest, default=None)
        rows.append(
            {
                "reviews": cell.reviews,
                "embeddings": cell.embeddings,
                "run_id": shown.run_id if shown else None,
                "runs": len(found),
                "validation_accuracy": float(shown.validation_accuracy) if shown else math.nan,
                "test_accuracy": float(shown.test_accuracy) if shown else math.nan,
            }
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["run_id"] = frame["run_id"].astype(object).where(frame["run_id"].notna(), None)  # None, never NaN
    return frame


def missing(frame: pd.DataFrame, cells: list[Cell] | None = None) -> list[Cell]:
    """The cells of :func:`results`' ``frame`` with no run yet, in grid order."""
    cells = grid() if cells is None else cells
    trained = {(r.reviews, r.embeddings) for r in frame.itertuples() if pd.notna(r.run_id)}
    return [cell for cell in cells if (cell.reviews, cell.embeddings) not in trained]


def _validation_or_lowest(run) -> float:
    value = float(run.validation_accuracy)
    return value if math.isfinite(value) else -math.inf
