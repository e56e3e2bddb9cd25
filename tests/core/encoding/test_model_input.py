"""core.encoding.model_input: what the model sees of a review (start id, OOV, truncation, padding)."""

from __future__ import annotations

import numpy as np

from core.encoding.model_input import encode_review


def test_encode_review_marks_start_oov_and_pre_truncation():
    words = ["the", "film", "zyzzyva", "was", "great"]
    ranks = np.array([1, 19, 0, 13, 84])  # rank 0: never seen in training
    review = encode_review(words, ranks, num_words=50, maxlen=4, truncating="pre")
    assert [t.token for t in review.tokens] == ["<start>", *words]
    assert [t.id for t in review.tokens] == [1, 4, 22, 2, 16, 2]  # id = rank + 3; rank 84 -> 87 >= 50: OOV
    assert [t.oov for t in review.tokens] == [False, False, False, True, False, True]
    assert [t.cut for t in review.tokens] == [True, True, False, False, False, False]  # the END is kept
    assert review.model_input == [22, 2, 16, 2] and review.padding == 0
    post = encode_review(words, ranks, num_words=50, maxlen=4, truncating="post")
    assert post.model_input == [1, 4, 22, 2]
    short = encode_review(words, ranks, num_words=50, maxlen=10, truncating="pre")
    assert short.cut == 0 and short.padding == 4
