"""core.data.sources and core.settings: a wrong file says what it is; a path saved for the server is found first."""

from __future__ import annotations

import gzip
import io
import json
import zipfile

import pytest

from core import settings
from core.data import sources, uploads
from core.data.dataset import load_dataset
from core.errors import DataFormatError, DataNotFoundError


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("reviews.csv", b"id,review\n1,great\n", "CSV"),
        ("export.txt", "\ufeffreview\tstars\ngood\t9\n".encode(), "CSV"),  # tab separated, with a BOM
        ("notes.txt", b"just some words\nand more\n", "text"),
        ("empty.tar.gz", b"", "empty"),
        ("archive.tar.gz", gzip.compress(b"x"), "gzip"),
        ("binary.bin", bytes(range(200, 256)) * 10, "binary"),
    ],
)
def test_file_kind_reads_the_first_bytes(tmp_path, name, data, kind):
    assert sources.file_kind(_write(tmp_path / name, data)) == kind


def test_a_zip_file_is_called_a_zip_file(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("aclImdb/train/pos/1_9.txt", "great")
    assert sources.file_kind(_write(tmp_path / "aclImdb.zip", buffer.getvalue())) == "ZIP"


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("reviews.csv", b"id,review,stars\n1,Great film,9\n", "reviews.csv is a CSV file, not the IMDB archive"),
        ("aclImdb_v1.tar.gz", b"", "aclImdb_v1.tar.gz is an empty file, not the IMDB archive"),
        ("model.keras", b"PK\x03\x04rest", "model.keras is a ZIP file"),
    ],
)
def test_a_wrong_file_says_what_it_is_instead_of_tar_internals(isolated_env, tmp_path, name, data, said):
    path = _write(tmp_path / name, data)
    with pytest.raises(DataFormatError) as caught:
        load_dataset(path)
    message = str(caught.value)
    assert said in message and "aclImdb_v1.tar.gz" in message  # what to give instead
    assert "ReadError" not in message and "tarfile" not in message and "invalid header" not in message


def test_a_damaged_gzip_still_says_truncated_or_corrupt_without_internals(isolated_env, tiny_archive, tmp_path):
    broken = _write(tmp_path / "broken.tar.gz", tiny_archive.read_bytes()[:-200])
    with pytest.raises(DataFormatError, match="truncated or corrupt: it is a gzip file") as caught:
        load_dataset(broken)
    assert "Error:" not in str(caught.value)


def test_an_uploaded_csv_is_named_by_its_upload_name(isolated_env):
    upload = io.BytesIO(b"id,review\n1,good\n")
    upload.name = "my_reviews.csv"
    with pytest.raises(DataFormatError, match=r"^my_reviews.csv is a CSV file, not the IMDB archive"):
        uploads.save_uploaded_archive(upload, uploads.session_upload_target("a-student"))
    assert not uploads.session_upload_target("a-student").exists()


def test_a_path_saved_for_the_server_is_written_atomically_and_found_first(isolated_env, tiny_archive, monkeypatch):
    monkeypatch.setenv("IMDB_DATA", str(isolated_env / "elsewhere.tar.gz"))  # the saved path wins over it
    assert settings.saved_data_path() is None
    settings.save_data_path(tiny_archive)
    stored = settings.server_settings_file()
    assert stored == isolated_env / "runs" / ".settings" / "server.json"  # hidden: the runs scan skips it
    assert json.loads(stored.read_text("utf-8")) == {"data_path": str(tiny_archive)}
    assert [p.name for p in stored.parent.iterdir()] == ["server.json"]  # no temporary file left
    source = sources.resolve_source(allow_download=False)
    assert (source.path, source.found_via) == (tiny_archive, sources.SAVED_VIA)
    assert len(load_dataset(allow_download=False).train) == 4
    assert sources.resolve_source(tiny_archive).found_via == "argument"  # an explicit path still comes first
    settings.save_data_path(None)  # forgotten: back to IMDB_DATA
    assert settings.saved_data_path() is None
    with pytest.raises(DataNotFoundError, match=r"elsewhere\.tar\.gz"):
        sources.resolve_source(allow_download=False)


def test_a_damaged_settings_file_counts_as_none_saved(isolated_env):
    settings.server_settings_file().parent.mkdir(parents=True)
    settings.server_settings_file().write_text("{not json", "utf-8")
    assert settings.saved_data_path() is None
    settings.save_data_path("/data/aclImdb")  # and saving replaces it whole
    assert settings.saved_data_path().as_posix() == "/data/aclImdb"


def test_the_runs_scan_ignores_the_settings_folder(isolated_env, tiny_archive):
    from core.runs.store import RunStore

    settings.save_data_path(tiny_archive)
    assert RunStore().scan() == ([], [])
