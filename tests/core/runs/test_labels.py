"""The "how many labels" experiment: its six configs, and finding each cell's run among stored runs (cheap fakes)."""

from __future__ import annotations

import math
import re
from types import SimpleNamespace

from core import settings
from core.config import preset
from core.jobs import admission
from core.runs import labels
from tests.conftest import REPO


def fake_run(cell, run_id, validation=0.8, test=0.81, **changes):
    """A RunInfo-like run of ``cell``'s config (with ``changes`` to it), whole, on data ``data-a``."""
    values = {"partial": False, "data_fingerprint": "data-a"}
    values.update({k: changes.pop(k) for k in list(changes) if k in values})
    return SimpleNamespace(
        run_id=run_id,
        config=cell.config.replace(**changes),
        validation_accuracy=validation,
        test_accuracy=test,
        **values,
    )


def test_the_grid_is_the_default_preset_at_three_sizes_from_scratch_and_from_glove():
    cells = labels.grid()
    assert [(c.reviews, c.embeddings) for c in cells] == [
        (500, "learned"),
        (500, "glove-50d"),
        (2000, "learned"),
        (2000, "glove-50d"),
        (25000, "learned"),
        (25000, "glove-50d"),
    ]
    assert len({c.config for c in cells}) == 6 and len({c.config.fingerprint() for c in cells}) == 6
    default = preset("lstm")
    for cell in cells:
        assert cell.config.embeddings_trainable
        assert cell.config.train_limit == (None if cell.reviews == labels.ALL_REVIEWS else cell.reviews)
        network = {"epochs": 1, "patience": 1, "train_limit": None, "embeddings": "learned", "embedding_dim": 4}
        assert cell.config.replace(**network) == default.replace(**network)  # the same network otherwise
    whole = [c.config for c in cells if c.reviews == labels.ALL_REVIEWS]
    assert {(c.epochs, c.patience) for c in whole} == {(default.epochs, default.patience)}
    small = [c.config for c in cells if c.reviews < labels.ALL_REVIEWS]
    assert all(c.epochs > default.epochs for c in small)
    assert cells[4].config == default  # all reviews from scratch is the preset itself: its runs count


def test_every_cell_is_admitted_by_the_servers_size_checks():
    for cell in labels.grid():
        admission.check_size(cell.config, settings.max_parameters(), settings.max_job_memory_bytes())


def test_a_run_counts_for_its_cell_whatever_its_seed_or_test_slice_but_not_with_other_epochs():
    cells = labels.grid()
    runs = [
        fake_run(cells[0], "seeded", seed=4242, test_limit=200),
        fake_run(cells[1], "longer", epochs=30),  # another experiment
        fake_run(cells[2], "partial", partial=True),
        fake_run(cells[3], "other-data", data_fingerprint="data-b"),
        fake_run(cells[4], "other-network", units=64),
    ]
    frame = labels.results(runs, cells, "data-a")
    assert frame["run_id"].tolist() == ["seeded", None, None, None, None, None]
    assert frame["runs"].tolist() == [1, 0, 0, 0, 0, 0]
    assert math.isnan(frame.loc[1, "test_accuracy"]) and math.isnan(frame.loc[1, "validation_accuracy"])
    assert [(c.reviews, c.embeddings) for c in labels.missing(frame, cells)] == [
        (c.reviews, c.embeddings) for c in cells[1:]
    ]
    assert labels.results(runs[3:4], cells)["run_id"].tolist()[3] == "other-data"  # no data given: any data


def test_of_several_runs_of_a_cell_the_best_by_validation_is_shown_never_by_test():
    cells = labels.grid()
    runs = [
        fake_run(cells[5], "best-test", validation=0.85, test=0.90, seed=1),
        fake_run(cells[5], "best-validation", validation=0.88, test=0.86, seed=2),
        fake_run(cells[5], "no-epoch", validation=math.nan, test=0.95, seed=3),
    ]
    row = labels.results(runs, cells).iloc[5]
    assert (row["run_id"], row["runs"]) == ("best-validation", 3)
    assert (row["validation_accuracy"], row["test_accuracy"]) == (0.88, 0.86)
    assert len(labels.missing(labels.results(runs, cells), cells)) == 5


def test_the_measured_numbers_are_the_ones_the_docs_report():
    """MEASURED quotes docs/word-vectors.md (and issue 29): each number is there, each cell is in the grid."""
    docs = (REPO / "docs" / "word-vectors.md").read_text("utf-8")
    cells = {(c.reviews, c.embeddings) for c in labels.grid()}
    for cell, (low, high) in labels.MEASURED.items():
        assert cell in cells
        for value in {low, high}:
            written = {f"{value:g}", f"{value:.3f}"}
            assert any(re.search(rf"(?<![\d.]){re.escape(w)}(?![\d])", docs) for w in written), value
