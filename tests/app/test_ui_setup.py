"""No data: every page shows the set-up panel, and each way of providing the data works."""

from __future__ import annotations

import pytest

from core.data import sources
from tests.app.ui_helpers import assert_clean, run_page, texts


@pytest.mark.parametrize("page", [None, "train"])
def test_every_page_shows_the_setup_panel_instead_of_a_traceback(no_data_env, page):
    at = run_page(page)
    assert_clean(at)
    message = at.code[0].value
    assert "No IMDB data found" in message and str(no_data_env) in message  # where it looked
    assert "Provide the data" in texts(at)
    assert [t.label for t in at.tabs] == ["Path on this machine", "Upload the archive", "Download"]
    assert not at.get("vega_lite_chart") and not at.slider  # the page itself stopped
    if page is None:  # AppTest shows the sidebar only after the first run (the browser keeps it)
        assert "No dataset loaded" in " ".join(e.value for e in at.sidebar.error)


def test_a_path_typed_in_the_panel_is_used_for_the_session(no_data_env, tiny_archive):
    archive = tiny_archive
    at = run_page()
    at.text_input(key="setup_path").input(str(archive))
    at.button[0].click().run()  # the form's submit button
    assert_clean(at)
    assert at.session_state["data_path"] == str(archive)
    assert at.title[0].value == "Explore the data" and at.get("vega_lite_chart")
    assert at.dataframe[0].value["reviews"].tolist() == [4, 2]  # the tiny archive's reviews


def test_an_uploaded_archive_is_stored_in_the_cache_and_used(no_data_env, tiny_archive, tmp_path):
    archive = tiny_archive.read_bytes()
    at = run_page()
    at.file_uploader(key="setup_upload").set_value(("aclImdb_v1.tar.gz", archive, "application/gzip")).run()
    assert_clean(at)
    stored = tmp_path / "cache" / "downloads" / "aclImdb_labeled.tar.gz"
    assert stored.read_bytes() == archive
    assert not [p for p in stored.parent.iterdir() if ".tmp-" in p.name]
    assert at.session_state["data_path"] == str(stored)
    assert at.get("vega_lite_chart")


def test_a_bad_upload_is_refused_and_nothing_is_stored(no_data_env, tmp_path):
    at = run_page()
    at.file_uploader(key="setup_upload").set_value(("aclImdb_v1.tar.gz", b"not an archive", "application/gzip"))
    at.run()
    assert_clean(at)
    assert "corrupt" in " ".join(e.value for e in at.error)
    assert not (tmp_path / "cache" / "downloads" / "aclImdb_labeled.tar.gz").exists()


def test_a_failed_download_is_reported(no_data_env, monkeypatch):
    def offline():
        raise OSError("network is unreachable")

    monkeypatch.setattr(sources, "download_official", offline)
    at = run_page()
    next(b for b in at.button if b.label == "Download the official archive").click().run()
    assert_clean(at)
    assert "network is unreachable" in " ".join(e.value for e in at.error)


def test_a_damaged_archive_explains_itself(no_data_env, monkeypatch, tmp_path):
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"\x1f\x8b" + b"garbage" * 10)
    monkeypatch.setenv("IMDB_DATA", str(broken))
    at = run_page("train")
    assert_clean(at)
    assert "corrupt" in at.code[0].value and str(broken) in at.code[0].value
