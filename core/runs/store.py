"""Stored runs: trained models with everything needed to trust and reuse them.

A run is a folder ``<runs>/<run_id>/`` holding ``model.keras``, ``run.json`` (config,
test metrics, timings, library versions, data fingerprint), ``history.json`` (per batch
and per epoch), ``vocabulary.json`` (the words the model knows, so prediction needs no
dataset), ``test_predictions.npz`` (test-set probabilities) and ``snapshots.npz`` +
``snapshots.json`` (the weights along the way, :mod:`core.runs.snapshots`; older runs lack
them). It is written in a temporary folder and renamed into place, so a run folder is
whole or absent; every folder is still checked before use, and a damaged one is
reported and skipped. An
optional ``labels.json`` holds the nickname and tags a user gave it afterwards
(:mod:`core.runs.manage`, which also deletes runs).

Run ids derive from the config and the data fingerprint: the same request finds the
same run (the cache); "train again" adds ``-r2``, ``-r3``...; a cancelled run kept as
partial gets ``-partial-N`` and never serves as a cache hit.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import math
import os
import platform
import re
import shutil
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import atomic, settings
from core.backend import import_keras
from core.config import CUSTOM, RENAMED_PRESETS, TrainConfig, preset_label, preset_name
from core.data.corpus import INDEX_FROM, Vocabulary
from core.errors import ConfigError, RunError
from core.runs import snapshots, tensorboard_log

RUN_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,95}")  # always fullmatch: "$" lets a trailing newline pass
#: The files of a run folder, named here only (other modules use these constants or :class:`RunInfo`'s paths).
RUN_FILE = "run.json"
HISTORY_FILE = "history.json"
VOCABULARY_FILE = "vocabulary.json"
MODEL_FILE = "model.keras"
TEST_PREDICTIONS_FILE = "test_predictions.npz"
FILES = (RUN_FILE, HISTORY_FILE, VOCABULARY_FILE, MODEL_FILE, TEST_PREDICTIONS_FILE)
#: Written after the run, replaced atomically on each edit; a run without it has no nickname or tags.
LABELS_FILE = "labels.json"
#: Written on first use by :mod:`core.runs.blend` (the LSTM + bag-of-words blend), replaced atomically.
BLEND_FILE = "blend.npz"
#: A .keras file larger than this once unzipped is refused (zip bombs).
MAX_MODEL_UNZIPPED_BYTES = 2 * 1024**3
#: Ids a save tries when others take them meanwhile (workers storing the same config at once).
SAVE_ATTEMPTS = 5


def check_run_id(run_id: str) -> str:
    """Return ``run_id`` if it is a well-formed id; refuse paths, NUL and long strings."""
    if not isinstance(run_id, str) or not RUN_ID_PATTERN.fullmatch(run_id):
        raise RunError(
            f"{str(run_id)[:100]!r} is not a valid run id (lowercase letters, digits and '-', at most 96 characters)"
        )
    return run_id


def base_run_id(config: TrainConfig, data_fingerprint: str) -> str:
    digest = hashlib.sha256(f"{config.fingerprint()}|{data_fingerprint}".encode()).hexdigest()[:10]
    return f"{preset_label(config)}-{digest}"


def stored_run_ids(config: TrainConfig, data_fingerprint: str) -> list[str]:
    """The ids this config's run may be stored under: today's, then its preset's old name (a renamed preset),
    then ``custom-`` (a preset with another seed was custom before seeds stopped deciding the preset)."""
    label = preset_label(config)
    run_id = base_run_id(config, data_fingerprint)
    old = [name for name in (RENAMED_PRESETS.get(label), CUSTOM if label != CUSTOM else None) if name]
    return [run_id] + [name + run_id[len(label) :] for name in old]


def library_versions() -> dict:
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    for name in ("tensorflow", "keras"):
        with contextlib.suppress(Exception):
            versions[name] = __import__(name).__version__
    return versions


def check_keras_file(path: Path) -> None:
    """Raise :class:`RunError` unless ``path`` looks like a whole ``.keras`` archive.

    Keras reports a truncated file as "File not found"; this says what is really wrong.
    """
    if not path.is_file():
        raise RunError(f"{path.name} is missing")
    if path.stat().st_size == 0:
        raise RunError(f"{path.name} is empty (0 bytes): the save was interrupted")
    if not zipfile.is_zipfile(path):
        raise RunError(f"{path.name} is not a .keras archive (truncated or overwritten)")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            missing = {"config.json", "model.weights.h5"} - names
            if missing:
                raise RunError(f"{path.name} lacks {', '.join(sorted(missing))}")
            if sum(info.file_size for info in archive.infolist()) > MAX_MODEL_UNZIPPED_BYTES:
                raise RunError(f"{path.name} unpacks to more than {MAX_MODEL_UNZIPPED_BYTES >> 30} GiB: refused")
            bad = archive.testzip()
            if bad:
                raise RunError(f"{path.name}: member {bad} fails its checksum")
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise RunError(f"{path.name} is damaged ({error})") from None


@dataclass(frozen=True)
class RunInfo:
    """What ``run.json`` says about a stored run."""

    run_id: str
    path: Path
    config: TrainConfig
    test_metrics: dict
    train_seconds: float
    samples_per_second: float
    created: float
    partial: bool
    data_fingerprint: str
    epochs_trained: int
    best_epoch: int | None
    versions: dict
    notes: tuple[str, ...]
    owner: str | None = None  # the browser session that trained it; None: the CLI, or before owners were kept
    eval_seconds: float = 0.0  # scoring the test set (calibrates the time of that phase)
    host: str | None = None  # the machine that trained it (calibration reads only this machine's runs)
    steady_samples_per_second: float = 0.0  # after the first batch (tracing): the pace that calibrates
    nickname: str | None = None
    tags: tuple[str, ...] = ()
    embeddings_note: str | None = None  # pretrained vectors and how many words they covered; None: learned

    @property
    def preset(self) -> str | None:
        """Which preset this run's config is (:func:`core.config.preset_name`; run.json's copy is informative)."""
        return preset_name(self.config)

    @property
    def test_accuracy(self) -> float:
        return float(self.test_metrics.get("accuracy", float("nan")))

    @property
    def validation_accuracy(self) -> float:
        """:func:`validation_accuracy` of this run: what chooses between runs, never the test's."""
        return validation_accuracy(self)

    @property
    def model_file(self) -> Path:
        """The run's ``model.keras``."""
        return self.path / MODEL_FILE

    @property
    def history_file(self) -> Path:
        """The run's ``history.json`` (per batch and per epoch)."""
        return self.path / HISTORY_FILE

    def read_history(self) -> dict:
        """``history.json`` read back; ``OSError`` or ``ValueError`` when it is missing or damaged."""
        return json.loads(self.history_file.read_text("utf-8"))

    def label(self) -> str:
        """The run in a picker: its name and its validation accuracy (what runs are chosen by, never the test's)."""
        tag = " (partial)" if self.partial else ""
        name = f"{self.nickname} ({self.run_id})" if self.nickname else self.run_id
        return f"{name}: {self.validation_accuracy:.3f} validation accuracy{tag}"


class RunStore:
    """The runs directory: one checked folder per trained model.

    Args:
        root: the folder (default: ``$IMDB_LAB_RUNS``, else ``<project>/runs``).

    Example::

        store = RunStore()
        best = store.best()
        model = store.load_model(best.run_id)  # safe_mode, after checking the file
    """

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root else settings.runs_dir()

    # ------------------------------------------------------------ writing

    def sweep(self) -> list[str]:
        """Remove the temporary run folders whose writer is gone (:func:`core.atomic.abandoned`).

        Other hosts may share this folder: their saves in progress are left alone.
        """
        removed = []
        if not self.root.is_dir():
            return removed
        for path in self.root.iterdir():
            if not path.name.startswith(atomic.TEMP_MARK) or not atomic.abandoned(path):
                continue
            shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
            removed.append(path.name)
        return removed

    def new_run_id(self, config: TrainConfig, data_fingerprint: str, *, partial: bool = False) -> str:
        """``<base>``, then ``<base>-r2``...; partial runs ``<base>-partial``, ``<base>-partial-2``..."""
        base = base_run_id(config, data_fingerprint) + ("-partial" if partial else "")
        if not (self.root / base).exists():
            return base
        suffix = "-" if partial else "-r"
        n = 2
        while (self.root / f"{base}{suffix}{n}").exists():
            n += 1
        return f"{base}{suffix}{n}"

    def save(
        self,
        result,
        config: TrainConfig,
        data,
        *,
        partial: bool = False,
        run_id: str | None = None,
        owner: str | None = None,
    ) -> RunInfo:
        """Store a :class:`core.model.training.TrainResult`; atomic: whole folder or nothing.

        ``owner`` is the browser session that trained it (who may delete it in the app).
        Another worker may store the same config at the same moment: when this one chose
        the id, it takes the next free one (``-r2``...) rather than lose the training; an
        explicit ``run_id`` that is taken raises :class:`RunError`.
        """
        for _ in range(1 if run_id else SAVE_ATTEMPTS):
            chosen = check_run_id(run_id or self.new_run_id(config, data.fingerprint, partial=partial))
            final = self.root / chosen
            try:
                with atomic.atomic_folder(final, atomic.temp_beside(final, folder=True)) as temp:
                    self._write_run_files(temp, result, config, data, run_id=chosen, partial=partial, owner=owner)
                return self.get(chosen)
            except OSError as error:
                if not _taken(error):
                    raise RunError(
                        f"Could not save run {chosen} in {self.root}: {error.strerror or error}. "
                        f"Free some disk space or set {settings.RUNS_ENV} to a writable folder."
                    ) from None
        raise RunError(f"run {chosen} already exists")

    @staticmethod
    def _write_run_files(folder: Path, result, config: TrainConfig, data, *, run_id, partial, owner) -> None:
        meta = {
            "run_id": run_id,
            "owner": owner,
            "host": platform.node(),
            "config": config.to_dict(),
            "preset": preset_name(config),
            "test_metrics": result.test_metrics,
            "train_seconds": result.train_seconds,
            "eval_seconds": result.eval_seconds,
            "prepare_seconds": result.prepare_seconds,
            "samples_per_second": result.samples_per_second,
            "steady_samples_per_second": getattr(result, "steady_samples_per_second", 0.0),
            "created": time.time(),
            "partial": partial,
            "cancelled": result.cancelled,
            "stopped_early": result.stopped_early,
            "best_epoch": result.best_epoch,
            "epochs_trained": len(result.epoch_history),
            "data_fingerprint": data.fingerprint,
            "data_source": str(data.source.path),
            "versions": library_versions(),
            "notes": list(result.notes),
            "embeddings_note": getattr(result, "embeddings_note", None),
        }
        history = {"batches": result.batch_history, "epochs": result.epoch_history}
        # Words whose id the model can see: ranks 1 .. num_words - INDEX_FROM - 1.
        known = max(0, config.num_words - INDEX_FROM - 1)
        vocabulary = {"words": list(data.vocabulary.words[:known]), "index_from": INDEX_FROM}
        (folder / HISTORY_FILE).write_bytes(atomic.json_bytes(history, allow_nan=True))
        (folder / VOCABULARY_FILE).write_bytes(atomic.json_bytes(vocabulary))
        with open(folder / TEST_PREDICTIONS_FILE, "wb") as handle:
            np.savez(
                handle,
                probabilities=result.test_probabilities.astype(np.float32),
                test_indices=result.test_indices.astype(np.int64),
            )
        result.model.save(folder / MODEL_FILE)
        if getattr(result, "snapshots", None) is not None:
            snapshots.write(folder, result.snapshots, total_steps=len(result.batch_history))
        try:
            tensorboard_log.write(folder, run_id, config, history, result.test_metrics)
        except OSError:
            raise  # a full disk fails the save like any other file
        except Exception as error:  # the model and its history matter more than their TensorBoard copy
            meta["notes"].append(f"TensorBoard logs were not written ({type(error).__name__}: {error})")
        # Last: its presence means the others were written.
        (folder / RUN_FILE).write_bytes(atomic.json_bytes(meta, allow_nan=True))

    # ------------------------------------------------------------ reading

    def get(self, run_id: str) -> RunInfo:
        """The run ``run_id``; :class:`RunError` if missing or damaged.

        Checking a run reads its JSON files and CRCs its ``.keras`` archive (tens of ms);
        the verdict is remembered for as long as none of its files changes (size, mtime,
        inode), because every page rerun of every browser session lists the runs.
        """
        folder = self.root / check_run_id(run_id)
        if not folder.is_dir():
            raise RunError(f"No run {run_id} in {self.root}.")
        verdict = _CHECKED.get(str(folder), _files_signature(folder), _checked_run)
        if isinstance(verdict, str):
            raise RunError(verdict)
        return verdict

    def validation_accuracy_of(self, run_id: str | None) -> float | None:
        """Run ``run_id``'s :func:`validation_accuracy`; None without a run, an epoch or a readable run (a job's result)."""
        try:
            value = self.get(run_id).validation_accuracy if run_id else math.nan
        except RunError:
            return None
        return value if math.isfinite(value) else None

    def scan(self) -> tuple[list[RunInfo], list[str]]:
        """All whole runs, newest first, and one problem line per damaged folder."""
        runs, problems = [], []
        if not self.root.is_dir():
            return runs, problems
        for folder in sorted(self.root.iterdir()):
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            if not RUN_ID_PATTERN.fullmatch(folder.name):
                problems.append(f"{folder.name}: not a run folder (skipped)")
                continue
            try:
                runs.append(self.get(folder.name))
            except RunError as error:
                problems.append(str(error))
        runs.sort(key=lambda r: r.created, reverse=True)
        return runs, problems

    def list(self) -> list[RunInfo]:
        return self.scan()[0]

    def find_cached(self, config: TrainConfig, data_fingerprint: str, owner: str | None = None) -> RunInfo | None:
        """The stored whole run of exactly this config and data, if any (under a renamed preset's old id too).

        With ``owner`` (a browser, in the app), only a run that owner trained: a student who
        asks for a network someone else trained trains their own (``-r2``...), so nobody is
        handed a run they did not train. None (the command line): anyone's.
        """
        for base in stored_run_ids(config, data_fingerprint):
            for run_id in self._retrains_of(base):
                with contextlib.suppress(RunError):
                    run = self.get(run_id)
                    if not run.partial and run.config == config and (owner is None or run.owner == owner):
                        return run
        return None

    def _retrains_of(self, base: str):
        """``base``, then ``base-r2``, ``base-r3``... while they exist (:meth:`new_run_id`'s names)."""
        yield base
        n = 2
        while (self.root / f"{base}-r{n}").exists():
            yield f"{base}-r{n}"
            n += 1

    def best(self) -> RunInfo | None:
        """The whole run with the highest validation accuracy (:func:`best_run`)."""
        return best_run(self.list())

    def history(self, run_id: str) -> dict:
        return self.get(run_id).read_history()

    def vocabulary(self, run_id: str) -> Vocabulary:
        words = json.loads((self.get(run_id).path / VOCABULARY_FILE).read_text("utf-8"))["words"]
        return Vocabulary(tuple(words), np.zeros(len(words), dtype=np.int64))

    def test_predictions(self, run_id: str) -> tuple[np.ndarray, np.ndarray]:
        """``(test_indices, probabilities)``; never unpickles."""
        with np.load(self.get(run_id).path / TEST_PREDICTIONS_FILE, allow_pickle=False) as npz:
            return npz["test_indices"], npz["probabilities"]

    def load_model(self, run_id: str):
        """The Keras model of a run, loaded with ``safe_mode=True`` after checking the file."""
        keras = import_keras()

        run = self.get(run_id)
        try:
            return keras.saving.load_model(run.model_file, compile=False, safe_mode=True)
        except Exception as error:  # Keras raises many types for damaged files
            raise RunError(f"Run {run_id}'s model could not be loaded: {type(error).__name__}: {error}") from None


def best_run(runs: list[RunInfo]) -> RunInfo | None:
    """The whole run of ``runs`` with the highest validation accuracy (a page that listed them needs no second scan).

    Validation, never test: choosing by test accuracy would make the test set a second
    validation set, and the lesson "choose by validation, test once" would be undone by the
    app itself (issue 28). Runs with no validation score (stopped in their first epoch) are
    not chosen.
    """
    scored = [r for r in runs if not r.partial and np.isfinite(validation_accuracy(r))]
    return max(scored, key=validation_accuracy, default=None)


class SignatureMemo:
    """One remembered value per path, valid while the path's signature (sizes, mtimes, inodes) is unchanged.

    Why not :func:`functools.lru_cache`: keyed by (path, signature), an LRU of N entries
    scanned in folder order evicts every entry once more than N runs are stored, and then
    every scan re-reads every model file. Here each path holds one entry, replaced when its
    files change, so a warm scan of any number of runs reads no file; the bound is far
    above any server's run count and only stops an endless stream of new paths.
    """

    def __init__(self, max_paths: int = 100_000):
        self.max_paths = max_paths
        self._values: dict[str, tuple] = {}
        self._lock = threading.Lock()

    def get(self, path: str, signature, compute):
        """``compute(path, signature)``, or what it returned last time for this very signature."""
        with self._lock:
            known = self._values.get(path)
        if known is not None and known[0] == signature:
            return known[1]
        value = compute(path, signature)
        with self._lock:
            if len(self._values) >= self.max_paths and path not in self._values:
                self._values.pop(next(iter(self._values)))  # the oldest path
            self._values[path] = (signature, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


def validation_accuracy(run) -> float:
    """The validation accuracy of the model a run kept: its best epoch's (early stopping), else its last epoch's.

    What chooses between runs (:func:`best_run`, the pickers), so that test accuracy is
    measured once and never used to choose. NaN when the run has no finished epoch.
    Read from ``history.json`` and remembered while that file is unchanged: the runs
    table asks for every run on every rerun.
    """
    path = run.history_file
    try:
        stat = path.stat()
    except OSError:
        return math.nan
    signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino, run.best_epoch)
    return _VALIDATION.get(str(path), signature, _validation_accuracy)


#: Each history file's kept validation accuracy, per its signature (see :class:`SignatureMemo`).
_VALIDATION = SignatureMemo()


def _validation_accuracy(path: str, signature: tuple) -> float:
    best_epoch = signature[-1]
    try:
        with open(path, encoding="utf-8") as handle:
            epochs = [row for row in json.load(handle).get("epochs", ()) if "epoch" in row]
    except (OSError, ValueError, AttributeError):
        return math.nan
    kept = [row for row in epochs if row["epoch"] == best_epoch] or epochs[-1:]
    value = kept[0].get("val_accuracy") if kept else None
    return float(value) if value is not None else math.nan


def _taken(error: OSError) -> bool:
    """Whether a save failed because the run folder appeared meanwhile (a rename onto it: ENOTEMPTY or EEXIST)."""
    return isinstance(error, FileExistsError) or error.errno in (errno.EEXIST, errno.ENOTEMPTY)


def _files_signature(folder: Path) -> tuple:
    """What changes when any file of a run folder is replaced, truncated or removed."""
    signature = []
    for name in (*FILES, LABELS_FILE):
        try:
            stat = (folder / name).stat()
            signature.append((stat.st_size, stat.st_mtime_ns, stat.st_ino))
        except OSError:
            signature.append(None)
    return tuple(signature)


#: Each run folder's checked verdict (:func:`_checked_run`), per its files' signature.
_CHECKED = SignatureMemo()


def _checked_run(folder_name: str, signature: tuple) -> RunInfo | str:
    """The run in ``folder_name`` checked in full, or why it is damaged (remembered per ``signature``)."""
    folder = Path(folder_name)
    run_id = folder.name
    try:
        meta = json.loads((folder / RUN_FILE).read_text("utf-8"))
        for name in (HISTORY_FILE, VOCABULARY_FILE):
            json.loads((folder / name).read_text("utf-8"))
        if not (folder / TEST_PREDICTIONS_FILE).is_file():
            raise RunError(f"{TEST_PREDICTIONS_FILE} is missing")
        check_keras_file(folder / MODEL_FILE)
        return RunInfo(
            run_id=run_id,
            path=folder,
            config=TrainConfig.from_dict(meta["config"]),
            test_metrics=dict(meta["test_metrics"]),
            train_seconds=float(meta["train_seconds"]),
            samples_per_second=float(meta.get("samples_per_second", 0.0)),
            created=float(meta["created"]),
            partial=bool(meta["partial"]),
            data_fingerprint=str(meta["data_fingerprint"]),
            epochs_trained=int(meta.get("epochs_trained", 0)),
            best_epoch=meta.get("best_epoch"),
            versions=dict(meta.get("versions", {})),
            notes=tuple(meta.get("notes", ())),
            owner=meta.get("owner"),
            eval_seconds=float(meta.get("eval_seconds") or 0.0),
            host=meta.get("host"),
            steady_samples_per_second=float(meta.get("steady_samples_per_second") or 0.0),
            embeddings_note=str(meta["embeddings_note"])[:200] if meta.get("embeddings_note") else None,
            **read_labels(folder),
        )
    except RunError as error:
        return f"Run {run_id} is damaged: {error}"
    except (OSError, ValueError, KeyError, TypeError, ConfigError) as error:
        return f"Run {run_id} is damaged: {type(error).__name__}: {error}"


def read_labels(folder: Path) -> dict:
    """The ``nickname`` and ``tags`` in ``folder/labels.json``; none when absent or unreadable (labels are optional)."""
    try:
        labels = json.loads((folder / LABELS_FILE).read_text("utf-8"))
        nickname, tags = labels.get("nickname"), labels.get("tags", [])
        if (nickname is None or isinstance(nickname, str)) and all(isinstance(t, str) for t in tags):
            return {"nickname": nickname or None, "tags": tuple(tags)}
    except (OSError, ValueError, AttributeError, TypeError):
        pass
    return {"nickname": None, "tags": ()}


def store_outcome(
    store: RunStore, result, config: TrainConfig, data, *, keep_partial: bool, before_save=None, owner=None
) -> dict:
    """Store a training result as the job's policy says; return what the job reports.

    A diverged result (last loss not finite) and a cancelled one are stored as partial;
    a cancelled one the user chose to discard is not stored at all. ``owner``: see :meth:`RunStore.save`.
    """
    diverged = bool(result.batch_history) and not math.isfinite(result.batch_history[-1]["loss"])
    run_id = None
    if not (result.cancelled and not keep_partial):
        if before_save is not None:
            before_save()
        run_id = store.save(result, config, data, partial=result.cancelled or diverged, owner=owner).run_id
    return {
        "run_id": run_id,
        "cancelled": result.cancelled,
        "diverged": diverged,
        "test_metrics": result.test_metrics,
        "train_seconds": result.train_seconds,
    }
