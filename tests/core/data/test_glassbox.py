"""The glass-box task: generated, seeded, its own data set; the tiny LSTM learns it in seconds and the X-ray shows the flip."""

from __future__ import annotations

import time

import numpy as np
import pytest

from core.config import preset
from core.data import glassbox


def known_answer(words: list[str]) -> int:
    """The task's rule, written again from its definition: the sentiment, flipped by a "not" up to REACH words before."""
    [at] = [i for i, w in enumerate(words) if w in glassbox.POSITIVE_WORDS + glassbox.NEGATIVE_WORDS]
    flipped = glassbox.NOT in words[max(0, at - glassbox.REACH) : at]
    return int((words[at] in glassbox.POSITIVE_WORDS) != flipped)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """The ``glassbox`` preset submitted as a Train-page job would be (timed), and its stored run.

    The manager's data loader must never be asked: the task brings its own data.
    """
    import os

    from core.jobs.manager import JobManager
    from core.jobs.records import DONE

    root = tmp_path_factory.mktemp("glassbox")
    os.environ["IMDB_LAB_CACHE"] = str(root / "cache")

    def no_imdb():
        raise AssertionError("the glass-box task must not read the IMDB reviews")

    manager = JobManager(runs_dir=root / "runs", data_loader=no_imdb, isolation="thread")
    started = time.perf_counter()
    try:
        snap = manager.wait(manager.submit(preset("glassbox")), timeout=120)
    finally:
        manager.shutdown()
    seconds = time.perf_counter() - started
    assert snap.state == DONE, snap.error
    run = manager.store.get(snap.run_id)
    return glassbox.dataset(), run, seconds, manager.store


def test_the_data_is_generated_seeded_and_follows_its_rule(tmp_path, monkeypatch):
    monkeypatch.setenv("IMDB_LAB_CACHE", str(tmp_path))
    first = glassbox.write_archive(tmp_path / "a.tar.gz").read_bytes()
    assert first == glassbox.write_archive(tmp_path / "b.tar.gz").read_bytes()  # seeded: byte for byte
    rows = glassbox.examples(2000, np.random.default_rng(1))
    assert all(label == known_answer(text.split()) for text, label in rows)
    kinds = [(glassbox.NOT in t.split(), label) for t, label in rows]
    assert {(True, 0), (True, 1), (False, 0), (False, 1)} <= set(kinds)  # "not" alone does not decide


def test_the_tiny_lstm_learns_it_within_seconds_on_its_own_held_out_examples(trained):
    data, run, seconds, _ = trained
    assert data.source.path == glassbox.archive_path() and run.data_fingerprint == data.fingerprint
    assert len(data.train) == glassbox.TRAIN_EXAMPLES and len(data.test) == glassbox.TEST_EXAMPLES
    words = {glassbox.NOT, *glassbox.FILLER, *glassbox.POSITIVE_WORDS, *glassbox.NEGATIVE_WORDS}
    assert set(data.vocabulary.words) <= words
    assert run.config.task == glassbox.TASK and run.test_metrics["count"] == glassbox.TEST_EXAMPLES
    assert run.test_accuracy >= 0.98
    print(f"glass-box job: {seconds:.1f} s from submit to stored run, {run.train_seconds:.1f} s fitting")
    assert run.train_seconds < 10 and seconds < 30  # about 2 s and 5 s on 2 cores; generous for a loaded machine


def crossing(shot) -> int | None:
    """The first step where the running verdict is below 0.5 (None: it never is)."""
    below = np.flatnonzero(np.array(shot.prefix_probability) < 0.5)
    return int(below[0]) if len(below) else None


def test_its_xray_shows_the_flip_at_not(trained):
    from core.serving.predictor import Predictor
    from core.serving.xray import xray

    _, run, _, store = trained
    predictor = Predictor(run.run_id, store)
    shots = {
        text: xray(predictor, text)
        for word in ("good", "bad")
        for text in (f"the movie was {word} and the ending", f"the movie was not {word} and the ending")
    }
    for text, shot in shots.items():
        assert abs(shot.probability - float(predictor.predict([text])[0])) < 1e-5
    good, not_good, bad, not_bad = shots.values()
    # Before any sentiment word this model leans positive (~0.99): no example ever ends there.
    # The running verdict crosses 0.5 at the sentiment word itself, in opposite directions with and without "not":
    assert crossing(not_good) == not_good.tokens.index("good") and crossing(good) is None
    assert crossing(bad) == bad.tokens.index("bad") and crossing(not_bad) is None
    assert good.probability > 0.9 and not_good.probability < 0.1 and bad.probability < 0.1 and not_bad.probability > 0.9
    # "not" alone does not decide: the verdict at "not" is still on the positive side; the cell state holds it
    at_not = not_good.tokens.index("not")
    assert not_good.prefix_probability[at_not] > 0.5
    cell_was, cell_not = good.layers[0][0].cell[at_not - 1], not_good.layers[0][0].cell[at_not]
    assert np.abs(cell_not - cell_was).max() > 0.1
    # a "not" after the word flips nothing
    assert xray(predictor, "the movie was good not the ending").probability > 0.9
