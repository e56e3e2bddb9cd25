"""The probe file the project ships parses, every line has a label, and scoring counts per kind."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import DataFormatError
from core.model.probes import PROBES_FILE, load_probes, parse_probes, score_probes


def test_shipped_probes_parse_and_every_line_has_a_label():
    probes = load_probes()
    lines = [line for line in PROBES_FILE.read_text("utf-8").splitlines()[1:] if line and not line.startswith("#")]
    assert len(probes.probes) == len(lines) - 1 >= 60  # minus the header
    assert all(p.label in (0, 1) and p.text.strip() and p.kind for p in probes.probes)
    assert {"negation", "contrast", "order", "intensifier"} <= set(probes.kinds)
    groups = {}
    for p in probes.probes:
        groups.setdefault(p.group, set()).add(p.label)
    assert all(len(sizes) == 2 for sizes in groups.values()), "each group is a minimal pair/triple with both labels"


def test_a_line_without_a_label_is_a_clear_error():
    with pytest.raises(DataFormatError, match="line 3"):
        parse_probes("group\tkind\tlabel\ttext\nn1\tnegation\tpos\tnot bad\nn1\tnegation\t\tbad\n")


def test_scores_per_kind_and_the_wrong_ones():
    probes = parse_probes(
        "group\tkind\tlabel\ttext\na\tnegation\tpos\tnot bad\na\tnegation\tneg\tbad\nb\torder\tpos\tx\n"
    )
    score = score_probes(probes, np.array([0.2, 0.1, 0.9]))
    assert score.by_kind == {"negation": 0.5, "order": 1.0}
    assert [p.text for p, _ in score.wrong] == ["not bad"]
