"""The pages' pure helpers (pages/views.py): shaping, the token view's escaping, curves."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from core.config import preset
from pages import views


def test_length_histogram_bins_every_review_once():
    lengths = pd.DataFrame({"split": ["train"] * 4 + ["test"] * 2, "label": ["pos", "neg", "pos", "neg", "pos", "pos"],
                            "tokens": [0, 24, 25, 3000, 10, 49]})
    bins = views.length_histogram(lengths, bin_width=25, clip_at=1500)
    assert bins["reviews"].sum() == 6
    assert (bins["end"] - bins["start"] == 25).all()
    assert bins.query("split == 'train' and label == 'neg'")["start"].tolist() == [0, 1500]  # 3000 clipped


def test_encode_review_marks_start_oov_and_pre_truncation():
    words = ["the", "film", "zyzzyva", "was", "great"]
    ranks = np.array([1, 19, 0, 13, 84])  # rank 0: never seen in training
    review = views.encode_review(words, ranks, num_words=50, maxlen=4, truncating="pre")
    assert [t.token for t in review.tokens] == ["<start>", *words]
    assert [t.id for t in review.tokens] == [1, 4, 22, 2, 16, 2]  # id = rank + 3; rank 84 -> 87 >= 50: OOV
    assert [t.oov for t in review.tokens] == [False, False, False, True, False, True]
    assert [t.cut for t in review.tokens] == [True, True, False, False, False, False]  # the END is kept
    assert review.model_input == [22, 2, 16, 2] and review.padding == 0
    post = views.encode_review(words, ranks, num_words=50, maxlen=4, truncating="post")
    assert post.model_input == [1, 4, 22, 2]
    short = views.encode_review(words, ranks, num_words=50, maxlen=10, truncating="pre")
    assert short.cut == 0 and short.padding == 4


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=8))
def test_tokens_html_escapes_every_token(tokens):
    review = views.encode_review(tokens, np.arange(1, len(tokens) + 1), num_words=5, maxlen=3, truncating="pre")
    markup = views.tokens_html(review)
    body = markup.split("</style>", 1)[1]
    for token in tokens:
        assert views.html.escape(token) in body
    # Only our own tags survive: every '<' opens a span or div we wrote.
    assert set(re.findall(r"<\s*/?\s*([a-zA-Z]+)", body)) <= {"span", "div"}
    assert "<script" not in body.lower()


def test_tokens_html_neutralises_markup_in_review_text():
    review = views.encode_review(['<img src=x onerror="alert(1)">', "ok"], np.array([0, 1]), num_words=100,
                                 maxlen=10, truncating="pre")
    markup = views.tokens_html(review)
    assert "<img" not in markup and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in markup


def test_abbreviate_ids_and_duration():
    assert views.abbreviate_ids([1, 5, 9], padding=2) == "[0 × 2, 1, 5, 9]"
    assert "more" in views.abbreviate_ids(list(range(100)), padding=0, edge=3)
    assert [views.duration(s) for s in (None, 0.2, 45, 185, 3720)] == ["—", "under 1 s", "45 s", "3 min 05 s",
                                                                       "1 h 02 min"]


def test_curve_frames_put_batches_and_epochs_on_one_epoch_axis():
    batches = [{"step": i + 1, "epoch": i // 4 + 1, "batch": i % 4 + 1, "loss": 1.0 - 0.1 * i, "accuracy": 0.5}
               for i in range(8)]
    epochs = [{"epoch": 1, "loss": 0.8, "accuracy": 0.6, "val_loss": 0.7, "val_accuracy": 0.65},
              {"epoch": 2, "loss": 0.5, "accuracy": 0.7, "val_loss": 0.6, "val_accuracy": 0.7}]
    frame = views.curve_frames(batches, epochs, batches_per_epoch=4, metric="loss")
    raw = frame[frame["series"] == "train, per batch"]
    assert raw["epoch"].tolist() == [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
    assert frame[frame["series"] == "validation"][["epoch", "value"]].values.tolist() == [[1.0, 0.7], [2.0, 0.6]]
    smooth = frame[frame["series"] == "train, smoothed"]["value"]
    assert smooth.iloc[-1] > raw["value"].iloc[-1]  # a rolling mean lags a falling loss
    thinned = views.curve_frames(batches * 500, [], 4, "loss", max_points=100)
    assert len(thinned) <= 2 * 101
    assert views.curve_frames([], [], 0, "accuracy").empty
    stopped = views.curve_frames(batches[:6], epochs, batches_per_epoch=4, metric="loss")  # Stop in epoch 2
    assert stopped[stopped["series"] == "validation"]["epoch"].tolist() == [1.0, 1.5]


def test_overfitting_note_needs_rising_validation_loss():
    healthy = [{"epoch": e, "loss": 0.6 - 0.1 * e, "accuracy": 0.7, "val_loss": 0.6 - 0.05 * e,
                "val_accuracy": 0.69} for e in (1, 2, 3)]
    assert views.overfitting_note(healthy) is None
    overfit = [{"epoch": e, "loss": 0.6 - 0.15 * e, "accuracy": 0.8 + 0.05 * e, "val_loss": 0.4 + 0.1 * (e - 1),
                "val_accuracy": 0.8} for e in (1, 2, 3)]
    assert "epoch 1" in views.overfitting_note(overfit)


def test_tutorial_comparison():
    assert "0.853" in views.tutorial_comparison(preset("tutorial-v1"), 0.84)
    assert "0.872-0.876" in views.tutorial_comparison(preset("fast"), None)
