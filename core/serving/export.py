"""Taking a run away: a run bundle that scores text anywhere, and Keras's own serving formats.

A ``.keras`` file alone is useless without the vocabulary and the encoding rules, so the
bundle is what a user takes away: a folder (or a zip of it) holding the run's
``model.keras``, ``vocabulary.json``, ``run.json`` (config, test metrics), ``history.json``,
``bundle.json`` (how text becomes ids, from :mod:`core.encoding`), ``tokenizer.py`` (a
verbatim copy of :mod:`core.text.tokenizer`: the one home of the text rules travels, it is
not rewritten) and ``predict.py`` (``assets/bundle/predict.py``), which needs only keras
and numpy and gives the :class:`~core.serving.predictor.Predictor`'s probabilities.
Building a bundle copies files and never imports Keras, so the web server can offer it.

``savedmodel`` and ``tflite`` come from Keras's own ``Model.export`` (``"tf_saved_model"``,
``"litert"``) and need TensorFlow: the command line makes them, the app does not.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from core import atomic
from core.backend import import_keras
from core.encoding import arrays
from core.errors import RunError
from core.runs.store import HISTORY_FILE, MODEL_FILE, RUN_FILE, VOCABULARY_FILE, RunInfo, RunStore
from core.serving.predictor import PREDICT_BATCH
from core.text import tokenizer
from core.text.limits import MAX_TEXT_CHARS

FORMATS = ("bundle", "savedmodel", "tflite")
#: The run's own files a bundle carries (test_predictions.npz stays: it indexes the lab's test split).
RUN_FILES = (MODEL_FILE, VOCABULARY_FILE, RUN_FILE, HISTORY_FILE)
PREDICT_SCRIPT = Path(__file__).resolve().parents[2] / "assets" / "bundle" / "predict.py"
#: The LiteRT model scores one review at a time, of any length: a dynamic batch needs TF's Flex ops,
#: which the LiteRT interpreter lacks, and one review padded to its own length is what the app scores.
LITERT_INPUT = (1, None)


@dataclass(frozen=True)
class Export:
    """What :func:`export_run` wrote."""

    run_id: str
    format: str
    path: Path
    bytes: int


def bundle_settings(run: RunInfo) -> dict:
    """``bundle.json``: every rule between a tokenized review and the model's input, from core's own values."""
    config, encoding = run.config, arrays.encoding_for(run.config)
    return {
        "run_id": run.run_id,
        "tokenizer_version": tokenizer.TOKENIZER_VERSION,
        "max_text_chars": MAX_TEXT_CHARS,
        "num_words": encoding.num_words,
        "skip_top": encoding.skip_top,
        "start_char": encoding.start_char,
        "oov_char": encoding.oov_char,
        "index_from": encoding.index_from,
        "maxlen": config.maxlen,
        "truncating": config.truncating,
        "padding": config.effective_padding,
        "bucketing": config.bucketing,
        "batch_size": PREDICT_BATCH,
        "model_input": "int32 word ids, shape (batch, length); output: probability of positive, shape (batch, 1)",
    }


def bundle_files(store: RunStore, run_id: str) -> dict[str, bytes]:
    """The bundle's files by name, predict.py first (checked run; nothing is imported)."""
    run = store.get(run_id)
    files = {
        "predict.py": PREDICT_SCRIPT.read_bytes(),
        "tokenizer.py": Path(tokenizer.__file__).read_bytes(),
        "bundle.json": atomic.json_bytes(bundle_settings(run)),
    }
    for name in RUN_FILES:
        files[name] = (run.path / name).read_bytes()
    return files


def bundle_zip(store: RunStore, run_id: str) -> bytes:
    """The bundle as a zip holding one folder ``<run_id>/`` with ``predict.py`` at its top."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in bundle_files(store, run_id).items():
            archive.writestr(f"{run_id}/{name}", data)
    return buffer.getvalue()


def _refuse_existing(final: Path) -> None:
    if final.exists():
        raise RunError(f"{final} already exists: remove it or choose another --out folder.")


def write_bundle(store: RunStore, run_id: str, out: Path) -> Path:
    """The bundle folder ``out/<run_id>/``, written whole or not at all."""
    final = Path(out) / run_id
    _refuse_existing(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    files = bundle_files(store, run_id)
    with atomic.atomic_folder(final, atomic.temp_beside(final, folder=True)) as temp:
        for name, data in files.items():
            (temp / name).write_bytes(data)
    return final


def write_bundle_zip(store: RunStore, run_id: str, out: Path) -> Path:
    final = Path(out) / f"{run_id}.zip"
    _refuse_existing(final)
    atomic.write_bytes(final, bundle_zip(store, run_id))
    return final


def export_savedmodel(store: RunStore, run_id: str, out: Path) -> Path:
    """A TensorFlow SavedModel folder ``out/<run_id>-savedmodel/`` (endpoint ``serve``, any batch and length).

    Its ``assets.extra/`` (which TF Serving ignores) holds ``bundle.json``,
    ``vocabulary.json`` and ``tokenizer.py``: what turns text into its input.
    """
    final = Path(out) / f"{run_id}-savedmodel"
    _refuse_existing(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    import_keras()  # quietly: TensorFlow's start-up lines read like failures
    model, files = store.load_model(run_id), bundle_files(store, run_id)
    temp = atomic.temp_beside(final, folder=True)
    with atomic.atomic_folder(final, temp):
        shutil.rmtree(temp)  # the exporter makes its own folder
        model.export(str(temp), format="tf_saved_model", verbose=False)
        extra = temp / "assets.extra"
        extra.mkdir(exist_ok=True)
        for name in ("bundle.json", VOCABULARY_FILE, "tokenizer.py"):
            (extra / name).write_bytes(files[name])
    return final


def export_tflite(store: RunStore, run_id: str, out: Path) -> Path:
    """A LiteRT (TFLite) flatbuffer ``out/<run_id>.tflite``: int32 ids of shape ``(1, length)`` in."""
    keras = import_keras()
    final = Path(out) / f"{run_id}.tflite"
    _refuse_existing(final)
    model = store.load_model(run_id)
    signature = [keras.InputSpec(shape=LITERT_INPUT, dtype="int32")]
    with atomic.atomic_path(final) as temp:
        model.export(str(temp), format="litert", verbose=False, input_signature=signature)
    return final


def export_run(store: RunStore, run_id: str, out: Path, fmt: str = "bundle", *, as_zip: bool = False) -> Export:
    """Export a stored run into the folder ``out``.

    Args:
        store: where the run is stored.
        run_id: which run.
        out: the folder to write into (created if missing); an existing export is never overwritten.
        fmt: ``"bundle"`` (folder, or zip with ``as_zip``), ``"savedmodel"`` or ``"tflite"``.
        as_zip: write the bundle as ``<run_id>.zip``.

    Returns:
        An :class:`Export` naming the written path and its size in bytes.
    """
    if fmt not in FORMATS:
        raise RunError(f"Unknown export format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    if as_zip and fmt != "bundle":
        raise RunError("--zip is for the bundle only (a SavedModel is a folder, a .tflite one file).")
    writer = {
        "bundle": write_bundle_zip if as_zip else write_bundle,
        "savedmodel": export_savedmodel,
        "tflite": export_tflite,
    }[fmt]
    try:
        path = writer(store, run_id, Path(out))
    except OSError as error:
        raise RunError(f"Could not write the export into {out}: {error.strerror or error}.") from None
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size
    return Export(run_id=run_id, format="zip" if as_zip else fmt, path=path, bytes=size)
