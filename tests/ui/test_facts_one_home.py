"""Facts with one home in the UI (issue 27): page paths and titles, session keys, a label's word.

Each test reads the sources (ast, docstrings left out) and fails when a fact is written a
second time somewhere else.
"""

from __future__ import annotations

import ast

from tests.conftest import REPO
from ui.shared import pages, state

SOURCES = [REPO / "app.py", *sorted((REPO / "pages").glob("*.py")), *sorted((REPO / "ui").rglob("*.py"))]


def _strings(path) -> list[str]:
    """String constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def _elsewhere(values: set[str], home) -> list[str]:
    return sorted(
        f"{path.relative_to(REPO)}: {text!r}"
        for path in SOURCES
        if path != home
        for text in _strings(path)
        if text in values
    )


def test_page_paths_live_in_the_registry():
    assert _elsewhere({page.path for page in pages.ALL}, REPO / "ui/shared/pages.py") == []


def test_each_page_takes_its_title_from_the_registry():
    for page in pages.ALL:
        calls = [
            node
            for node in ast.walk(ast.parse((REPO / page.path).read_text("utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "page_title"
        ]
        assert [ast.unparse(call.args[0]) for call in calls] == [f"pages.{page.slug.upper()}"], page.path


def test_the_registry_matches_the_scripts():
    assert [page.slug for page in pages.ALL] == ["start", "explore", "train", "predict", "evaluate", "board"]
    assert all((REPO / page.path).is_file() for page in pages.ALL)
    assert pages.by_file(REPO / "pages" / "train.py") is pages.TRAIN


def test_session_keys_that_several_modules_read_are_named_once():
    keys = {value for name, value in vars(state).items() if name.endswith("_KEY") and isinstance(value, str)}
    assert len(keys) > 10
    assert _elsewhere(keys, REPO / "ui/shared/state.py") == []


def test_a_labels_word_comes_from_core_model_metrics():
    """No ``"positive" if ... else "negative"`` nor ``== "positive"``: :func:`core.model.metrics.label_name` says it."""
    words = {"positive", "negative", "pos", "neg"}
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            operands = (
                [node.body, node.orelse]
                if isinstance(node, ast.IfExp)
                else [node.left, *node.comparators]
                if isinstance(node, ast.Compare)
                else []
            )
            if any(isinstance(o, ast.Constant) and o.value in words for o in operands):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert found == []


def test_every_text_box_has_a_length_limit():
    """``max_chars`` on every text box (the server clips too: core.text.limits, and each box's handler)."""
    found = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            is_box = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            box = is_box and node.func.attr in ("text_input", "text_area", "chat_input")
            if box and "max_chars" not in {k.arg for k in node.keywords}:
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert found == []
