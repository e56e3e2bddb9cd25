"""core.data.uploads: an upload is stored only once it loads, per browser, out of the default search."""

from __future__ import annotations

import io

import pytest

from core import access
from core.data import sources, uploads
from core.errors import DataFormatError, DataNotFoundError


def test_a_good_upload_is_stored_for_its_session_where_the_default_search_never_looks(isolated_env, tiny_archive):
    stored = uploads.save_uploaded_archive(io.BytesIO(tiny_archive.read_bytes()), uploads.session_upload_target("s1"))
    assert stored.parent.parent == isolated_env / "cache" / "uploads" and stored.name == uploads.UPLOAD_NAME
    assert stored.read_bytes() == tiny_archive.read_bytes()
    assert not [p for p in stored.parent.iterdir() if ".tmp-" in p.name]
    with pytest.raises(DataNotFoundError):  # no other session (nor training job) finds a student's upload
        sources.resolve_source(allow_download=False)
    assert sources.resolve_source(stored).path == stored  # its own session names it


def test_each_session_has_its_own_folder_whatever_its_id_holds(isolated_env):
    first, second, odd = (uploads.session_upload_target(s) for s in ("s1", "s2", "../../downloads"))
    assert len({first.parent, second.parent, odd.parent}) == 3
    assert {p.parent.parent for p in (first, second, odd)} == {isolated_env / "cache" / "uploads"}


def test_an_upload_chosen_for_the_server_is_found_by_the_default_search(isolated_env, tiny_archive):
    stored = uploads.save_uploaded_archive(io.BytesIO(tiny_archive.read_bytes()), uploads.server_upload_target())
    assert stored == isolated_env / "cache" / "downloads" / uploads.UPLOAD_NAME
    assert sources.resolve_source(allow_download=False).path == stored


def test_a_bad_upload_leaves_the_previous_archive_in_place(isolated_env, tiny_archive, tmp_path):
    target = tmp_path / "kept" / uploads.UPLOAD_NAME
    uploads.save_uploaded_archive(io.BytesIO(tiny_archive.read_bytes()), target)
    with pytest.raises(DataFormatError):
        uploads.save_uploaded_archive(io.BytesIO(b"not an archive"), target)
    assert target.read_bytes() == tiny_archive.read_bytes()
    assert [p.name for p in target.parent.iterdir()] == [uploads.UPLOAD_NAME]


def test_who_may_set_up_the_server_s_data(monkeypatch):
    monkeypatch.delenv("IMDB_LAB_TEACHER_TOKEN", raising=False)
    assert access.Actor("anyone").may_set_up_data()  # no token: the operator's own server
    monkeypatch.setenv("IMDB_LAB_TEACHER_TOKEN", "class-of-2026-lesson-token")
    assert not access.Actor("a-student").may_set_up_data()
    assert access.Actor("the-teacher", teacher=True).may_set_up_data()
