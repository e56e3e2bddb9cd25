"""Scoring batches: each review is padded as it would be alone, so its probability has no neighbours."""

from __future__ import annotations

import numpy as np

from core.config import TrainConfig
from core.encoding import arrays


def _reviews(lengths):
    return [np.arange(1, n + 1, dtype=np.int32) for n in lengths]


def test_length_groups_hold_one_length_each_shortest_first_and_cover_every_review():
    lengths = np.array([5, 3, 5, 9, 3, 3, 5, 1])
    groups = arrays.length_groups(lengths, batch_size=2)
    assert [lengths[g].tolist() for g in groups] == [[1], [3, 3], [3], [5, 5], [5], [9]]
    assert sorted(np.concatenate(groups).tolist()) == list(range(len(lengths)))
    assert arrays.length_groups(np.array([], dtype=np.int64), 4) == []


def test_bucketed_scoring_pads_nothing_and_unbucketed_pads_to_maxlen_as_in_training():
    sequences = _reviews([7, 2, 7, 4, 30])
    bucketed = TrainConfig(maxlen=30, bucketing=True)
    seen = []
    for idx, x in arrays.scoring_batches(sequences, bucketed, batch_size=256):
        assert x.shape == (len(idx), len(sequences[idx[0]]))  # exactly the reviews' own length
        assert all(len(sequences[i]) == x.shape[1] for i in idx)
        seen.extend(idx.tolist())
    assert sorted(seen) == list(range(len(sequences)))
    fixed = TrainConfig(maxlen=30, bucketing=False)
    for idx, x in arrays.scoring_batches(sequences, fixed, batch_size=2):
        assert x.shape == (len(idx), 30)
        for row, i in enumerate(idx):  # each row is what pad_sequences gives the review alone
            assert (x[row] == arrays.pad_batch([sequences[i]], fixed.effective_padding, 30)[0]).all()
