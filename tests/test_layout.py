"""Maps that cannot drift and sizes that cannot grow back (issue 27).

Every package's ``__init__`` docstring names each of its modules and sub-packages
(as ````name````), the README's "Where things are" names every ``ui`` module under its
feature and every ``core`` package and top-level module; no file in ``pages/`` or
``ui/`` is over 350 lines, and no function over 60 lines says nothing of why.
"""

from __future__ import annotations

import ast
import re

import pytest

from tests.conftest import REPO

MAX_FILE_LINES = 350
MAX_FUNCTION_LINES = 60
#: A longer function says why in its docstring, starting with these words.
LONG_REASON = "Long because"
PACKAGES = sorted(path.parent for root in ("core", "ui") for path in (REPO / root).rglob("__init__.py"))


def _members(package) -> list[str]:
    modules = [p.stem for p in package.glob("*.py") if p.stem != "__init__"]
    subpackages = [p.name for p in package.iterdir() if (p / "__init__.py").is_file()]
    return sorted(modules + subpackages)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_each_package_docstring_names_every_module(package):
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text("utf-8"))) or ""
    missing = [name for name in _members(package) if f"``{name}``" not in doc]
    assert not missing, f"{package.relative_to(REPO)}/__init__.py does not name: {missing}"


def _readme_layout() -> list[str]:
    text = (REPO / "README.md").read_text("utf-8")
    block = text.split("## Where things are", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    return block.splitlines()


def _section(lines: list[str], heading: str, indent: int) -> str:
    """The lines from ``heading`` (at ``indent`` spaces) to the next line at that indent or less."""
    start = next(i for i, line in enumerate(lines) if line.startswith(" " * indent + heading))
    end = next(
        (i for i in range(start + 1, len(lines)) if re.match(rf"^ {{0,{indent}}}\S", lines[i])),
        len(lines),
    )
    return "\n".join(lines[start:end])


def test_the_readme_names_every_ui_module_under_its_feature():
    lines = _readme_layout()
    missing = []
    for feature in sorted(p for p in (REPO / "ui").iterdir() if (p / "__init__.py").is_file()):
        try:
            section = _section(lines, f"{feature.name}/", 2)
        except StopIteration:
            missing.append(f"ui/{feature.name}/")
            continue
        missing += [
            f"ui/{feature.name}/{p.name}"
            for p in feature.glob("*.py")
            if p.stem != "__init__" and p.name not in section
        ]
    assert not missing, f"README's layout misses: {missing}"


def test_the_readme_names_every_core_package_and_top_level_module():
    core = _section(_readme_layout(), "core/", 0)
    members = [f"{p.name}/" for p in (REPO / "core").iterdir() if (p / "__init__.py").is_file()]
    members += [p.name for p in (REPO / "core").glob("*.py") if p.stem != "__init__"]
    assert [name for name in sorted(members) if name not in core] == []


def _sources():
    return [REPO / "app.py", *sorted((REPO / "pages").glob("*.py")), *sorted((REPO / "ui").rglob("*.py"))]


def test_no_page_or_ui_file_is_over_the_limit():
    long = {
        str(path.relative_to(REPO)): n
        for path in _sources()
        if (n := len(path.read_text("utf-8").splitlines())) > MAX_FILE_LINES
    }
    assert not long, f"split these by concern (at most {MAX_FILE_LINES} lines): {long}"


def test_no_long_function_without_a_reason():
    long = []
    for path in [*_sources(), *sorted((REPO / "core").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            size = node.end_lineno - node.lineno + 1
            if size > MAX_FUNCTION_LINES and LONG_REASON not in (ast.get_docstring(node) or ""):
                long.append(f"{path.relative_to(REPO)}:{node.lineno} {node.name} ({size} lines)")
    assert not long, f"split these, or say '{LONG_REASON} ...' in the docstring: {long}"
