"""The stored baseline: one folder per data fingerprint and baseline config, like a run.

``<runs>/.baseline/<fingerprint[:16]>-<config digest>/`` holds ``baseline.json`` (config,
report, data fingerprint, when), ``terms.json`` (the n-gram vocabulary) and ``weights.npz``
(idf, coefficients, intercept; loaded with ``allow_pickle=False``). The folder is written
whole or not at all (:func:`core.atomic.atomic_folder`); the dot keeps it out of run listings.

Example::

    store = BaselineStore()
    stored = store.get_or_fit(load_dataset())   # fits once per data set, then reads the folder
    stored.model.predict_proba(["not bad at all"])
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from core import atomic, settings
from core.errors import RunError
from core.model.baseline import BaselineConfig, BaselineModel, BaselineReport, fit_baseline

FOLDER = ".baseline"
#: The files of a baseline folder, named here only.
META_FILE = "baseline.json"
TERMS_FILE = "terms.json"
WEIGHTS_FILE = "weights.npz"
FILES = (META_FILE, TERMS_FILE, WEIGHTS_FILE)
#: The lock file beside a baseline folder while it is being fitted (:func:`core.atomic.exclusive`).
LOCK_SUFFIX = ".lock"


@dataclass(frozen=True)
class StoredBaseline:
    """A baseline read back from disk (``cached``: it was there before this call)."""

    model: BaselineModel
    report: BaselineReport
    data_fingerprint: str
    created: float
    path: Path
    cached: bool

    def as_dict(self) -> dict:
        return {
            **asdict(self.report),
            "summary": BaselineConfig(**self.report.config).summary(),
            "data_fingerprint": self.data_fingerprint,
            "created": self.created,
            "cached": self.cached,
            "path": str(self.path),
        }


class BaselineStore:
    """Where baselines live: under the runs directory (``$IMDB_LAB_RUNS`` or ``./runs``)."""

    def __init__(self, runs_root: str | os.PathLike | None = None):
        self.root = Path(runs_root or settings.runs_dir()) / FOLDER

    def folder(self, data_fingerprint: str, config: BaselineConfig) -> Path:
        return self.root / f"{data_fingerprint[:16]}-{config.fingerprint()}"

    def get_or_fit(self, data, config: BaselineConfig | None = None) -> StoredBaseline:
        """The baseline for ``data`` and ``config``: read back if stored, else fitted and stored.

        Fitted once: the fit (about a minute of CPU) holds a lock beside the folder, so a room
        of students pressing "Fit" together, or a web server and ``python -m core baseline``,
        wait for the first caller's result and read it.
        """
        config = config or BaselineConfig()
        folder = self.folder(data.fingerprint, config)
        if all((folder / name).is_file() for name in FILES):
            return self.read(folder)
        with atomic.exclusive(folder.with_name(folder.name + LOCK_SUFFIX)):
            if all((folder / name).is_file() for name in FILES):
                return self.read(folder)  # fitted by whoever held the lock before us
            model, report = fit_baseline(data, config)
            self._write(folder, model, report, data.fingerprint)
        stored = self.read(folder)
        return StoredBaseline(stored.model, stored.report, stored.data_fingerprint, stored.created, folder, False)

    def find(self, data_fingerprint: str | None = None) -> StoredBaseline | None:
        """The newest readable stored baseline (for ``data_fingerprint`` when given); None if there is none."""
        for folder in self.folders(data_fingerprint):
            try:
                return self.read(folder)
            except RunError:
                continue
        return None

    def folders(self, data_fingerprint: str | None = None) -> list[Path]:
        """Whole baseline folders (for ``data_fingerprint`` when given), newest first; nothing is read."""
        found = []
        for folder in self.root.iterdir() if self.root.is_dir() else ():
            if atomic.TEMP_MARK in folder.name or not all((folder / name).is_file() for name in FILES):
                continue
            if data_fingerprint and not folder.name.startswith(f"{data_fingerprint[:16]}-"):
                continue
            found.append(folder)
        return sorted(found, key=self.modified, reverse=True)

    @staticmethod
    def modified(folder: Path) -> float:
        """When the baseline in ``folder`` was written: its meta file's mtime (``OSError`` if it is gone)."""
        return (folder / META_FILE).stat().st_mtime

    def read(self, folder: Path) -> StoredBaseline:
        try:
            meta = json.loads((folder / META_FILE).read_text("utf-8"))
            terms = json.loads((folder / TERMS_FILE).read_text("utf-8"))
            with np.load(folder / WEIGHTS_FILE, allow_pickle=False) as arrays:
                idf, coef, intercept = arrays["idf"], arrays["coef"], float(arrays["intercept"])
            report = BaselineReport(**meta["report"])
            if not (len(terms) == len(idf) == len(coef)):
                raise ValueError("terms, idf and coefficients differ in length")
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise RunError(f"The stored baseline in {folder.name} is damaged ({error}); delete that folder.") from error
        model = BaselineModel(terms, idf, coef, intercept, report.config["ngram_max"])
        return StoredBaseline(model, report, meta["data_fingerprint"], meta["created"], folder, True)

    def _write(self, folder: Path, model: BaselineModel, report: BaselineReport, data_fingerprint: str) -> None:
        temp = atomic.temp_beside(folder, folder=True)
        try:
            with atomic.atomic_folder(folder, temp) as target:
                meta = {"report": asdict(report), "data_fingerprint": data_fingerprint, "created": time.time()}
                (target / META_FILE).write_bytes(atomic.json_bytes(meta))
                (target / TERMS_FILE).write_text(json.dumps(model.terms, ensure_ascii=False), "utf-8")
                np.savez(target / WEIGHTS_FILE, idf=model.idf, coef=model.coef, intercept=np.float64(model.intercept))
        except FileExistsError:
            pass  # another process stored the same baseline meanwhile: theirs is as good
