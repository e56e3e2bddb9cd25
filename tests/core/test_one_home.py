"""Two kinds of plumbing with one home each: child processes (core.processes) and atomic writes (core.atomic)."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import REPO

SOURCES = [*sorted((REPO / "core").rglob("*.py")), *sorted((REPO / "ui").glob("*.py")), *(REPO / "pages").glob("*.py")]


def _calls_and_imports(path):
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            yield f"{node.value.id}.{node.attr}"


@pytest.mark.parametrize(
    ("home", "names"),
    [
        ("core/processes.py", {"multiprocessing"}),
        ("core/atomic.py", {"os.replace", "os.rename", "os.fsync"}),
    ],
)
def test_only_its_home_does_it(home, names):
    elsewhere = sorted(
        f"{path.relative_to(REPO)}: {name}"
        for path in SOURCES
        if path != REPO / home
        for name in set(_calls_and_imports(path)) & names
    )
    assert elsewhere == [], f"use {home} instead"
