"""One home for each file name of a stored folder (issue 27): a run's in core.runs.store, a run's weight
snapshots' in core.runs.snapshots, a baseline's in core.runs.baseline_store; everything else asks them."""

from __future__ import annotations

import ast
import json

import pytest

from core.runs import baseline_store, snapshots, store
from core.runs.store import RunStore
from tests.conftest import REPO
from tests.core.runs.fake_runs import save_fake_run

HOMES = {
    "core/runs/store.py": {*store.FILES, store.LABELS_FILE},
    "core/runs/snapshots.py": {snapshots.INDEX_FILE, snapshots.WEIGHTS_FILE},
    "core/runs/baseline_store.py": set(baseline_store.FILES),
}
SOURCES = sorted(
    path
    for folder in ("core", "ui", "pages", "bench")
    for path in (REPO / folder).rglob("*.py")
    if ".venv" not in path.parts
) + [REPO / "app.py"]


def _string_constants(path):
    """Every string constant of ``path`` but its bare string expressions (docstrings)."""
    tree = ast.parse(path.read_text("utf-8"))
    bare = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in bare:
            yield node.lineno, node.value


def test_the_homes_name_distinct_files():
    names = [name for home in HOMES.values() for name in home]
    assert len(names) == len(set(names)) and all(names)


def test_each_folder_file_is_named_only_in_its_home():
    home_of = {name: home for home, names in HOMES.items() for name in names}
    elsewhere = sorted(
        f"{path.relative_to(REPO)}:{line}: {value!r} (named in {home_of[value]})"
        for path in SOURCES
        for line, value in _string_constants(path)
        if value in home_of and path != REPO / home_of[value]
    )
    assert elsewhere == [], "use the home module's constant (or RunInfo's paths) instead"


def test_every_home_names_its_files():
    """The test above is only as good as its list: each home really spells each name."""
    for home, names in HOMES.items():
        assert names <= {value for _, value in _string_constants(REPO / home)}, home


@pytest.fixture
def run(tmp_path):
    return save_fake_run(RunStore(tmp_path / "runs"))


def test_a_run_knows_its_model_and_history_files(run):
    assert run.model_file == run.path / store.MODEL_FILE and run.model_file.is_file()
    assert run.history_file == run.path / store.HISTORY_FILE and run.history_file.is_file()
    history = run.read_history()
    assert history == json.loads(run.history_file.read_text("utf-8"))
    assert history["epochs"][0]["epoch"] == 1 and len(history["batches"]) == 1
    assert RunStore(run.path.parent).history(run.run_id) == history


def test_reading_a_missing_or_damaged_history_raises_as_before(run):
    run.history_file.write_text("{not json", "utf-8")
    with pytest.raises(ValueError):
        run.read_history()
    run.history_file.unlink()
    with pytest.raises(OSError):
        run.read_history()


def test_a_baseline_folder_is_dated_by_its_meta_file(tmp_path):
    folder = tmp_path / "baseline"
    folder.mkdir()
    (folder / baseline_store.META_FILE).write_text("{}", "utf-8")
    assert baseline_store.BaselineStore(tmp_path).modified(folder) == (folder / baseline_store.META_FILE).stat().st_mtime
    with pytest.raises(OSError):
        baseline_store.BaselineStore(tmp_path).modified(tmp_path / "gone")
