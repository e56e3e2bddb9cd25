"""The layers of the app: ``pages/`` holds only pages, the pure ``ui`` modules never import Streamlit.

A pure module (charts, HTML, wording, tables, the palette, the assets) is testable
without a Streamlit session; no ``ui`` module imports Keras or TensorFlow, which must
never load in the web server.
"""

from __future__ import annotations

import ast

from tests.conftest import REPO

PAGES = {"start.py", "explore.py", "train.py", "predict.py", "evaluate.py", "board.py"}
PURE = {
    "__init__",
    "assets",
    "charts",
    "comparisons",
    "evaluation_charts",
    "html",
    "palette",
    "tables",
    "wording",
    "xray_charts",
}
STREAMLIT_EDGE = {
    "baseline_panel",
    "board_panel",
    "classroom",
    "frame",
    "links",
    "notices",
    "presenter",
    "resources",
    "run_admin",
    "snapshot_panel",
    "state",
    "views",
    "widgets",
    "xray_panel",
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


def test_pages_holds_only_the_page_scripts():
    assert {path.name for path in (REPO / "pages").iterdir() if path.name != "__pycache__"} == PAGES


def test_every_ui_module_is_either_pure_or_the_streamlit_edge():
    assert {path.stem for path in (REPO / "ui").glob("*.py")} == PURE | STREAMLIT_EDGE


def test_pure_ui_modules_never_import_streamlit():
    offenders = {name for name in PURE if "streamlit" in imported_roots(REPO / "ui" / f"{name}.py")}
    assert not offenders


def test_no_ui_module_or_page_imports_keras_or_tensorflow():
    files = [*(REPO / "ui").glob("*.py"), *(REPO / "pages").glob("*.py"), REPO / "app.py"]
    offenders = {str(path.relative_to(REPO)) for path in files if imported_roots(path) & set(HEAVY)}
    assert not offenders
