"""Word-order probes: short hand-written reviews where order or negation decides the label.

The probe file (``assets/probes.tsv``, tab-separated ``group, kind, label, text``) holds
minimal pairs and triples ("not bad" / "bad", "good, not great" / "great, not good"). A
bag of words sees nearly the same words in each group, so it must get some of them wrong;
a model that reads in order need not. :func:`score_probes` turns any model's
probabilities into accuracy per kind and the probes it got wrong.

Example::

    probes = load_probes()
    score = score_probes(probes, baseline.predict_proba(probes.texts))
    score.by_kind  # {"negation": 0.58, ...}
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import settings
from core.errors import DataFormatError
from core.model import metrics

PROBES_FILE = settings.PROJECT_ROOT / "assets" / "probes.tsv"
COLUMNS = ("group", "kind", "label", "text")
LABELS = {"neg": 0, "pos": 1}


@dataclass(frozen=True)
class Probe:
    group: str
    kind: str
    label: int  # 1 positive, 0 negative
    text: str


@dataclass(frozen=True)
class ProbeSet:
    probes: tuple[Probe, ...]

    @property
    def texts(self) -> list[str]:
        return [p.text for p in self.probes]

    @property
    def labels(self) -> np.ndarray:
        return np.array([p.label for p in self.probes], dtype=np.int64)

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys(p.kind for p in self.probes))


@dataclass(frozen=True)
class ProbeScore:
    accuracy: float
    by_kind: dict[str, float]
    wrong: tuple[tuple[Probe, float], ...]  # each probe got wrong, with its probability of positive

    def as_dict(self) -> dict:
        return {
            "accuracy": self.accuracy,
            "by_kind": self.by_kind,
            "wrong": [
                {"group": p.group, "kind": p.kind, "label": p.label, "text": p.text, "p": q} for p, q in self.wrong
            ],
        }


def parse_probes(text: str, source: str = "probes") -> ProbeSet:
    """Parse the probe file's text; a bad line is a :class:`DataFormatError` naming it."""
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or tuple(rows[0]) != COLUMNS:
        raise DataFormatError(f"{source}: the first line must be the header {'<tab>'.join(COLUMNS)}")
    probes = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(COLUMNS) or row[2] not in LABELS or not row[3].strip():
            raise DataFormatError(f"{source}: line {number} needs group, kind, label (pos/neg) and text: {row!r}")
        probes.append(Probe(row[0], row[1], LABELS[row[2]], row[3]))
    return ProbeSet(tuple(probes))


def load_probes(path: str | Path | None = None) -> ProbeSet:
    """The probes the project ships (or those in ``path``)."""
    path = Path(path or PROBES_FILE)
    return parse_probes(path.read_text("utf-8"), path.name)


def score_probes(probes: ProbeSet, probabilities: np.ndarray) -> ProbeScore:
    """Accuracy overall and per kind of ``probabilities`` (one per probe) against the probes' labels."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    right = metrics.is_positive(probabilities) == (probes.labels == 1)
    kinds = np.array([p.kind for p in probes.probes])
    by_kind = {kind: float(right[kinds == kind].mean()) for kind in probes.kinds}
    wrong = tuple((p, float(q)) for p, q, ok in zip(probes.probes, probabilities, right, strict=True) if not ok)
    return ProbeScore(float(right.mean()), by_kind, wrong)
