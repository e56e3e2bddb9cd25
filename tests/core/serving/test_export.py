"""Exports of a stored run: the bundle's predict.py, the SavedModel and the LiteRT file give the app's probabilities."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import warnings
import zipfile

import numpy as np
import pytest

from core.errors import RunError
from core.serving import export
from core.serving.predictor import Predictor
from core.text.limits import MAX_TEXT_CHARS
from tests.conftest import REPO
from tests.core.conftest import FILLER

#: OOV words, HTML line breaks, a review longer than maxlen (40), empty text, non-ASCII, a 100k+ character paste.
TEXTS = [
    "The movie was great",
    "awful, AWFUL music; the people were awful",
    "A story<br /><br />about people and some great scenes",
    " ".join(FILLER * 4 + ["awful", "great", "great"]),
    "",
    "Ein großartiger Film — 素晴らしい 🎬 café, l’amour, don't",
    "zebra quagga okapi",
    "awful " * (MAX_TEXT_CHARS // 6 + 10) + "great",
]
#: More texts than one of the app's batches, of many lengths: batches are padded to their longest.
MANY = [" ".join(FILLER[: 1 + i % 13] + (["great"] if i % 2 else ["awful"]) * (i % 5)) for i in range(300)]


def _load_predict_script(folder, monkeypatch):
    """The bundle's predict.py as a module, importing the bundle's own tokenizer.py."""
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, "tokenizer", raising=False)
    spec = importlib.util.spec_from_file_location("bundle_predict", folder / "predict.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.delitem(sys.modules, "tokenizer", raising=False)
    return module


def test_the_bundle_scores_like_the_app(toy, tmp_path, monkeypatch):
    _, store, snap = toy
    folder = export.write_bundle(store, snap.run_id, tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["predict.py", "tokenizer.py", "bundle.json", *export.RUN_FILES]
    )
    assert (folder / "tokenizer.py").read_text("utf-8") == (REPO / "core/text/tokenizer.py").read_text("utf-8")
    script = _load_predict_script(folder, monkeypatch)
    predictor = Predictor(snap.run_id, store)
    settings, ranks = script.load_settings(folder)
    for text in TEXTS:
        assert script.encode(text, settings, ranks).tolist() == predictor.encode(text).model_ids.tolist(), text[:40]
    for texts in (TEXTS, MANY):
        difference = np.abs(script.predict(texts, folder) - predictor.predict(texts)).max()
        assert difference < 1e-5
    together = script.predict(MANY[:12], folder)  # each text as the bundle scores it alone
    assert np.abs(together - [script.predict([t], folder)[0] for t in MANY[:12]]).max() < 1e-6


def test_the_zip_holds_the_bundle_folder_and_building_it_imports_no_keras(toy, tmp_path):
    _, store, snap = toy
    path = export.export_run(store, snap.run_id, tmp_path, as_zip=True).path
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        settings = json.loads(archive.read(f"{snap.run_id}/bundle.json"))
    assert f"{snap.run_id}/predict.py" in names and f"{snap.run_id}/model.keras" in names
    assert settings["maxlen"] == 40 and settings["num_words"] == 100 and settings["padding"] == "pre"
    with pytest.raises(RunError, match="already exists"):
        export.export_run(store, snap.run_id, tmp_path, as_zip=True)
    code = (
        "import sys; from core.runs.store import RunStore; from core.serving.export import bundle_zip\n"
        f"assert bundle_zip(RunStore({str(store.root)!r}), {snap.run_id!r})\n"
        "print(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"


def test_savedmodel_and_litert_exports_score_like_the_app(toy, tmp_path):
    import tensorflow as tf

    _, store, snap = toy
    predictor = Predictor(snap.run_id, store)
    sequences = [predictor.encode(text).model_ids for text in TEXTS]
    saved = tf.saved_model.load(str(export.export_run(store, snap.run_id, tmp_path, "savedmodel").path))
    assert (tmp_path / f"{snap.run_id}-savedmodel" / "assets.extra" / "vocabulary.json").is_file()
    alone = []
    for batch in ([s] for s in sequences):  # one review: padded to its own length, as the app scores it
        x = predictor_input(predictor, batch)
        alone.append(saved.serve(x).numpy().ravel()[0])
        assert np.abs(alone[-1] - predictor.predict_ids(batch)).max() < 1e-5
    # All at once, the app gives each review what it gives it alone (nothing is padded to a neighbour).
    assert np.abs(np.array(alone) - predictor.predict_ids(sequences)).max() < 1e-5

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's notice that LiteRT now lives in ai_edge_litert
        interpreter = tf.lite.Interpreter(
            model_path=str(export.export_run(store, snap.run_id, tmp_path, "tflite").path)
        )
    [entry] = interpreter.get_input_details()
    for sequence in sequences:
        interpreter.resize_tensor_input(entry["index"], (1, max(1, len(sequence))))
        interpreter.allocate_tensors()
        interpreter.set_tensor(entry["index"], predictor_input(predictor, [sequence]))
        interpreter.invoke()
        score = interpreter.get_tensor(interpreter.get_output_details()[0]["index"]).ravel()
        assert np.abs(score - predictor.predict_ids([sequence])).max() < 1e-5


def predictor_input(predictor: Predictor, sequences) -> np.ndarray:
    from core.encoding import arrays

    pad_to = None if predictor.config.bucketing else predictor.config.maxlen
    return arrays.pad_batch(sequences, predictor.config.effective_padding, pad_to)


def _pinned(names: tuple[str, ...]) -> list[str]:
    lock = (REPO / "requirements.lock").read_text("utf-8")
    return [re.search(rf"^{name}==(\S+)", lock, re.MULTILINE).group(0) for name in names]


@pytest.fixture(scope="session")
def bare_python(tmp_path_factory) -> str:
    """A fresh virtual environment with only keras, numpy and tensorflow (the lock's versions), once per session."""
    venv = tmp_path_factory.mktemp("bare-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pins = _pinned(("tensorflow", "keras", "numpy"))
    subprocess.run([str(venv / "bin/pip"), "install", "--quiet", *pins], check=True, timeout=240, capture_output=True)
    return str(venv / "bin/python")


@pytest.mark.slow
def test_predict_py_in_a_fresh_environment_with_only_keras_numpy_tensorflow(bare_python, toy, tmp_path):
    _, store, snap = toy
    folder = export.write_bundle(store, snap.run_id, tmp_path / "away")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = lambda *args: subprocess.run(  # noqa: E731
        [bare_python, str(folder / "predict.py"), *args], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    result = run("--json", *TEXTS)
    assert result.returncode == 0, result.stderr[-2000:]
    expected = Predictor(snap.run_id, store).predict(TEXTS)
    assert np.abs(np.array(json.loads(result.stdout)) - expected).max() < 1e-5
    lines = run("the movie was great", "awful").stdout.split()
    assert len(lines) == 2 and float(lines[0]) > 0.5 > float(lines[1])
    assert "No module named 'core'" in run_python(bare_python, "import core", tmp_path, env)


def run_python(python: str, code: str, cwd, env) -> str:
    return subprocess.run([python, "-c", code], cwd=cwd, env=env, capture_output=True, text=True).stderr
