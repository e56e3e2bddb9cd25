"""core.data.uploads: an uploaded archive is stored where the lab looks, and only once it loads."""

from __future__ import annotations

import io

import pytest

from core.data import uploads
from core.errors import DataFormatError


def test_a_good_upload_is_stored_in_the_cache_downloads_folder(isolated_env, tiny_archive):
    stored = uploads.save_uploaded_archive(io.BytesIO(tiny_archive.read_bytes()))
    assert stored == uploads.upload_target() == isolated_env / "cache" / "downloads" / uploads.UPLOAD_NAME
    assert stored.read_bytes() == tiny_archive.read_bytes()
    assert not [p for p in stored.parent.iterdir() if ".tmp-" in p.name]


def test_a_bad_upload_leaves_the_previous_archive_in_place(isolated_env, tiny_archive, tmp_path):
    target = tmp_path / "kept" / uploads.UPLOAD_NAME
    uploads.save_uploaded_archive(io.BytesIO(tiny_archive.read_bytes()), target)
    with pytest.raises(DataFormatError):
        uploads.save_uploaded_archive(io.BytesIO(b"not an archive"), target)
    assert target.read_bytes() == tiny_archive.read_bytes()
    assert [p.name for p in target.parent.iterdir()] == [uploads.UPLOAD_NAME]
