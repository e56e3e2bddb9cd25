"""The layers of the app: ``pages/`` holds only pages, ``ui`` is one package per feature, pure modules never import Streamlit.

A pure module (charts, tables, wording, HTML, the palette, the page registry) is
testable without a Streamlit session. The Streamlit edge is listed here by name, so a
new module is pure unless it is added to :data:`STREAMLIT_EDGE` on purpose; no ``ui``
module imports Keras or TensorFlow, which must never load in the web server.
"""

from __future__ import annotations

import ast

from tests.conftest import REPO
from ui.shared import pages

UI = REPO / "ui"
FEATURES = {
    "shared",
    "explore",
    "train",
    "predict",
    "evaluate",
    "runs",
    "xray",
    "baseline",
    "blend",
    "snapshots",
    "classroom",
    "lessons",
}
STREAMLIT_EDGE = {
    "baseline/panel",
    "blend/panel",
    "classroom/board",
    "classroom/identity",
    "evaluate/labels",
    "evaluate/panels",
    "lessons/follow",
    "lessons/panel",
    "predict/panels",
    "runs/admin",
    "runs/panels",
    "shared/frame",
    "shared/links",
    "shared/notices",
    "shared/presenter",
    "shared/resources",
    "shared/state",
    "shared/widgets",
    "snapshots/panel",
    "train/controls",
    "train/panels",
    "xray/interventions",
    "xray/panel",
    "xray/unit_roles",
}
HEAVY = ("keras", "tensorflow")


def imported_roots(path) -> set[str]:
    """The top-level packages a module imports, anywhere in it (inside functions too)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def ui_modules() -> dict[str, object]:
    """``feature/module`` -> path, for every module of every ``ui`` sub-package (package docstrings left out)."""
    return {
        f"{path.parent.name}/{path.stem}": path
        for path in sorted(UI.glob("*/*.py"))
        if path.stem != "__init__" and "__pycache__" not in path.parts
    }


def test_pages_holds_only_the_page_scripts_of_the_registry():
    on_disk = {path.name for path in (REPO / "pages").iterdir() if path.name != "__pycache__"}
    assert on_disk == {page.path.removeprefix("pages/") for page in pages.ALL}


def test_ui_is_one_package_per_feature_with_nothing_loose():
    assert {path.name for path in UI.iterdir() if path.is_dir() and path.name != "__pycache__"} == FEATURES
    assert [path.name for path in UI.glob("*.py")] == ["__init__.py"]
    assert not list(UI.glob("*/*/*.py")), "one level of packages: ui/<feature>/<module>.py"


def test_the_streamlit_edge_names_real_modules():
    assert set(ui_modules()) >= STREAMLIT_EDGE


def test_pure_ui_modules_never_import_streamlit():
    pure = {name: path for name, path in ui_modules().items() if name not in STREAMLIT_EDGE}
    offenders = sorted(name for name, path in pure.items() if "streamlit" in imported_roots(path))
    assert not offenders, f"pure modules importing Streamlit (or add them to STREAMLIT_EDGE): {offenders}"
    inits = sorted(str(path.relative_to(REPO)) for path in UI.rglob("__init__.py") if imported_roots(path))
    assert not inits, "a package's __init__ is its map (a docstring), not code"


def test_no_ui_module_or_page_imports_keras_or_tensorflow():
    files = [*UI.rglob("*.py"), *(REPO / "pages").glob("*.py"), REPO / "app.py"]
    offenders = {str(path.relative_to(REPO)) for path in files if imported_roots(path) & set(HEAVY)}
    assert not offenders
