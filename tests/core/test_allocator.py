"""core.allocator: TensorFlow children start on tcmalloc when the machine has it, and nothing else changes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from core import allocator, processes
from tests.conftest import REPO


def test_the_preload_is_added_once_and_can_be_switched_off(tmp_path, monkeypatch):
    library = tmp_path / "libtcmalloc_minimal.so.4"
    library.write_bytes(b"")
    monkeypatch.setattr(allocator, "CANDIDATES", (str(tmp_path / "missing.so"), str(library)))
    monkeypatch.delenv(allocator.SETTING, raising=False)
    env = allocator.child_environment({"LD_PRELOAD": "/other.so"})
    assert env["LD_PRELOAD"] == f"{library}:/other.so"
    assert allocator.child_environment(env)["LD_PRELOAD"] == env["LD_PRELOAD"]  # never twice
    monkeypatch.setenv(allocator.SETTING, "system")
    assert allocator.library() is None
    assert "LD_PRELOAD" not in allocator.child_environment({})


def test_no_library_leaves_the_environment_as_it_is(monkeypatch):
    monkeypatch.setattr(allocator, "CANDIDATES", ("/nonexistent/libtcmalloc_minimal.so.4",))
    assert allocator.child_environment({"PATH": "/bin"}) == {"PATH": "/bin"}


def _report_allocator(conn):
    conn.send((allocator.in_use(), os.environ.get("LD_PRELOAD", "")))
    conn.close()


@pytest.mark.skipif(allocator.library() is None, reason="tcmalloc is not installed (make test installs it)")
def test_a_spawned_child_runs_on_tcmalloc_and_the_parent_environment_is_put_back():
    before = os.environ.get("LD_PRELOAD")
    process, conn = processes.start(_report_allocator, (), name="allocator-test", duplex=False)
    used, preload = conn.recv()
    processes.stop(process, conn)
    assert used == "tcmalloc" and allocator.library() in preload
    assert os.environ.get("LD_PRELOAD") == before


@pytest.mark.skipif(allocator.library() is None, reason="tcmalloc is not installed (make test installs it)")
def test_the_command_line_starts_itself_again_on_tcmalloc():
    code = "from core import allocator; allocator.reexec_with_preload(); print(allocator.in_use())"
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "IMDB_LAB_REEXECUTED")}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "tcmalloc", out.stderr
