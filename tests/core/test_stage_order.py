"""The pipeline's direction: no ``core`` module reaches back up the chain, and ``core`` never imports Streamlit.

Stages in data-flow order (each package's docstring names its one input and one
output): text -> data -> encoding -> model -> runs -> jobs -> serving, with the command
line on top. A module may import its own stage, earlier stages and the shared modules
(settings, errors, atomic writes, child processes, configs); imports inside functions
count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

CORE = REPO / "core"
SHARED = {
    "core",
    "core.settings",
    "core.errors",
    "core.atomic",
    "core.processes",
    "core.config",
    "core.backend",
    "core.access",
    "core.allocator",
    "core.rate_limit",
}
STAGES = ["text", "data", "encoding", "model", "runs", "jobs", "serving", "cli"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else None


MODULES = sorted(CORE.rglob("*.py"))


def test_every_core_module_belongs_to_a_stage_or_is_shared():
    for path in MODULES:
        name = _module_name(path)
        assert name in SHARED or _stage(name) is not None or name == "core.__main__", name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: _module_name(p))
def test_no_module_reaches_back_up_the_chain(path):
    name = _module_name(path)
    own = _stage(name)
    for imported in _imports(path):
        top = imported.split(".")[0]
        assert top not in ("streamlit", "ui", "pages"), f"{name} imports {imported}"
        if top != "core" or imported in SHARED:
            continue
        stage = _stage(imported)
        if stage is None:
            continue  # a name imported from a shared module (``from core.config import FIELDS``)
        if name in SHARED:
            pytest.fail(f"shared module {name} imports the stage module {imported}")
        assert own is None or stage <= own, f"{name} ({STAGES[own]}) reaches back up to {imported}"


def test_each_stage_says_what_it_takes_and_gives():
    for stage in STAGES[:-1]:
        doc = ast.get_docstring(ast.parse((CORE / stage / "__init__.py").read_text("utf-8")))
        assert doc and " in" in doc and " out" in doc, stage
