"""The decision threshold lives in core.model.metrics: no other module compares a probability with 0.5."""

from __future__ import annotations

import ast

import numpy as np

from core.model import metrics
from tests.conftest import REPO


def test_verdicts_follow_the_threshold():
    assert metrics.label(metrics.THRESHOLD) == "positive" and metrics.label(metrics.THRESHOLD - 1e-9) == "negative"
    assert metrics.label(np.array([0.2, 0.8])).tolist() == ["negative", "positive"]
    assert metrics.confidence(metrics.THRESHOLD) == 0 and metrics.confidence(1.0) == 1
    assert metrics.binary_metrics(np.array([0.9, 0.4]), np.array([1, 1]))["accuracy"] == 0.5


def test_no_other_module_compares_with_a_literal_one_half():
    offenders = []
    for path in [
        *sorted((REPO / "core").rglob("*.py")),
        *sorted((REPO / "ui").glob("*.py")),
        *(REPO / "pages").glob("*.py"),
    ]:
        if path == REPO / "core" / "model" / "metrics.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Compare) and any(
                isinstance(part, ast.Constant) and part.value == 0.5 for part in (node.left, *node.comparators)
            ):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert offenders == []
