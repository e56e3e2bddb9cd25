"""The bag-of-words baseline on a tiny archive: scikit-learn's own score, rebuilt without scikit-learn, stored, served by the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.cli import main
from core.data.dataset import load_dataset
from core.model.baseline import BaselineConfig, fit_baseline, split_indices
from core.runs.baseline_store import BaselineStore
from tests.conftest import make_archive

GOOD = ["great", "wonderful", "loved", "fun", "moving", "brilliant"]
BAD = ["bad", "boring", "awful", "dull", "terrible", "waste"]


def _reviews() -> dict:
    rng = np.random.default_rng(0)
    reviews = {}
    for split in ("train", "test"):
        for label, words in (("pos", GOOD), ("neg", BAD)):
            for i in range(30 if split == "train" else 12):
                picked = rng.choice(words, 3).tolist() + rng.choice(GOOD + BAD, 2).tolist()
                reviews[(split, label, i, 8 if label == "pos" else 2)] = f"The film was {' '.join(picked)}.<br />Yes."
    return reviews


@pytest.fixture
def tiny_data(tmp_path, monkeypatch):
    monkeypatch.setenv("IMDB_LAB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("IMDB_LAB_RUNS", str(tmp_path / "runs"))
    return load_dataset(make_archive(tmp_path / "tiny.tar.gz", _reviews()))


CONFIG = BaselineConfig(min_df=1, C=1.0)


def test_baseline_matches_scikit_learns_own_score_and_probabilities(tiny_data):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from core.text.tokenizer import tokenize

    model, report = fit_baseline(tiny_data, CONFIG)
    assert report.test_accuracy == report.sklearn_test_accuracy
    assert report.test_accuracy > 0.8
    # An independent scikit-learn fit on the same reviews gives the same probabilities.
    fit_idx, _ = split_indices(len(tiny_data.train), CONFIG)
    vectorizer = TfidfVectorizer(
        tokenizer=tokenize, lowercase=False, token_pattern=None, ngram_range=(1, 2), sublinear_tf=True
    )
    x = vectorizer.fit_transform([tiny_data.train.texts[i] for i in fit_idx])
    classifier = LogisticRegression(C=1.0, max_iter=1000).fit(x, tiny_data.train.labels[fit_idx])
    expected = classifier.predict_proba(vectorizer.transform(tiny_data.test.texts))[:, 1]
    np.testing.assert_allclose(model.predict_proba(tiny_data.test.texts), expected, atol=1e-9)
    positive, negative = model.top_words("a great film, not boring", k=2)
    assert positive[0][0] == "great" and negative[0][0] == "boring"


def test_split_indices_hold_out_what_a_run_holds_out(tiny_data):
    from core.config import TrainConfig
    from core.encoding.arrays import prepare

    _, val_idx = split_indices(len(tiny_data.train), BaselineConfig())
    prepared = prepare(tiny_data, TrainConfig(num_words=100, maxlen=40))
    np.testing.assert_array_equal(tiny_data.train.labels[val_idx].astype(np.float32), prepared.y_val)
    assert len(val_idx) == len(prepared.y_val)


def test_stored_baseline_reads_back_the_same_model(tiny_data, tmp_path):
    store = BaselineStore(tmp_path / "runs")
    fitted = store.get_or_fit(tiny_data, CONFIG)
    again = store.get_or_fit(tiny_data, CONFIG)
    assert (fitted.cached, again.cached) == (False, True)
    texts = ["not bad at all", "dull and boring", ""]
    np.testing.assert_array_equal(fitted.model.predict_proba(texts), again.model.predict_proba(texts))
    assert store.find(tiny_data.fingerprint).report == fitted.report
    (again.path / "weights.npz").write_bytes(b"broken")
    assert store.find() is None  # damaged: skipped, not a traceback


def test_concurrent_callers_fit_the_baseline_once_and_read_the_same_result(tiny_data, tmp_path, monkeypatch):
    """A room pressing "Fit" together: one fit under the lock, the others wait and read what it stored."""
    import threading

    from core.runs import baseline_store

    fits = []

    def counted_fit(data, config):
        fits.append(threading.get_ident())
        return fit_baseline(data, config)

    monkeypatch.setattr(baseline_store, "fit_baseline", counted_fit)
    store, results = BaselineStore(tmp_path), []
    callers = [threading.Thread(target=lambda: results.append(store.get_or_fit(tiny_data, CONFIG))) for _ in range(4)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(timeout=60)
    assert len(fits) == 1 and len(results) == 4
    assert sorted(r.cached for r in results) == [False, True, True, True]
    assert len({r.path for r in results}) == 1 and len({tuple(r.model.coef) for r in results}) == 1
    assert store.folders() == [results[0].path]  # the lock file is not taken for a baseline


def test_cli_baseline_and_probes_print_json(tiny_data, tmp_path, capsys):
    args = ["--data", str(tmp_path / "tiny.tar.gz"), "--runs-dir", str(tmp_path / "runs"), "--json"]
    assert main(["baseline", *args]) == 0
    first = json.loads(capsys.readouterr().out)
    assert {"test_accuracy", "train_seconds", "cached"} <= set(first) and first["cached"] is False
    assert main(["baseline", *args]) == 0
    assert json.loads(capsys.readouterr().out)["cached"] is True
    assert main(["probes", *args]) == 0
    scored = json.loads(capsys.readouterr().out)
    assert set(scored["models"]) == {"baseline"} and "negation" in scored["models"]["baseline"]["by_kind"]
    assert main(["probes", "--run", "no-such-run", *args]) == 2


def test_runs_list_shows_the_stored_baseline(tiny_data, tmp_path, capsys):
    runs_dir = str(tmp_path / "runs")
    assert main(["runs", "--runs-dir", runs_dir]) == 0
    assert "(baseline)" not in capsys.readouterr().out
    stored = BaselineStore(runs_dir).get_or_fit(tiny_data, CONFIG)
    assert main(["runs", "--runs-dir", runs_dir]) == 0
    assert f"(baseline)                         {stored.report.test_accuracy:.4f}" in capsys.readouterr().out
    assert main(["runs", "--runs-dir", runs_dir, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["baseline"]["test_accuracy"] == stored.report.test_accuracy


def test_embeddings_are_read_without_tensorflow_and_match_keras(tmp_path):
    """The projection reads model.keras with h5py; its matrix is Keras's own embedding weights."""
    import subprocess
    import sys

    from core.config import TrainConfig
    from core.runs.embeddings import embedding_matrix, project
    from core.runs.store import RunStore
    from tests.conftest import REPO

    config = TrainConfig(num_words=200, embedding_dim=4, units=4, maxlen=20, epochs=1, train_limit=100, test_limit=50)
    data = load_dataset(make_archive(tmp_path / "t.tar.gz", _reviews()))
    from core.model.training import train

    store = RunStore(tmp_path / "runs")
    run = store.save(train(config, data), config, data)
    model = store.load_model(run.run_id)
    expected = next(layer for layer in model.layers if layer.name.startswith("embedding")).get_weights()[0]
    np.testing.assert_allclose(embedding_matrix(store, run.run_id), expected)
    rows = np.array([3, 7, 42])
    some = embedding_matrix(store, run.run_id, rows)  # only the rows the map shows, as stored (float32)
    assert some.dtype == np.float32 and some.shape == (3, 4)
    np.testing.assert_array_equal(some, expected[rows])
    projection = project(store, run.run_id, top=10)
    assert projection.xy.shape == (len(projection.words), 2) and projection.words[0] == data.vocabulary.words[0]
    code = (
        "import sys; from core.runs.store import RunStore; from core.runs.embeddings import project; "
        f"project(RunStore({str(store.root)!r}), {run.run_id!r}); print('tensorflow' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
