"""No data: every page shows the set-up panel, and each way of providing the data works."""

from __future__ import annotations

import pytest

from core import settings
from core.data import sources, uploads
from tests.app.ui_helpers import assert_clean, codes, new_app, run_page, texts, unlock_teacher
from tests.conftest import TEACHER_TOKEN


@pytest.mark.parametrize("page", [None, "train"])
def test_every_page_shows_the_setup_panel_instead_of_a_traceback(no_data_env, page):
    at = run_page(page)
    assert_clean(at)
    message = codes(at)[0]
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


def test_an_uploaded_archive_is_kept_for_its_browser_and_used(no_data_env, tiny_archive, tmp_path):
    archive = tiny_archive.read_bytes()
    at = run_page()
    at.file_uploader(key="setup_upload").set_value(("aclImdb_v1.tar.gz", archive, "application/gzip")).run()
    assert_clean(at)
    stored = uploads.session_upload_target(at.session_state["session_id"])
    assert stored.parent.parent == tmp_path / "cache" / "uploads" and stored.read_bytes() == archive
    assert not [p for p in stored.parent.iterdir() if ".tmp-" in p.name]
    assert at.session_state["data_path"] == str(stored)
    assert at.get("vega_lite_chart")
    other = run_page()  # another browser: the upload is not its data
    assert "data_path" not in other.session_state and "Provide the data" in texts(other)


def test_a_bad_upload_is_refused_and_nothing_is_stored(no_data_env, tmp_path):
    at = run_page()
    at.file_uploader(key="setup_upload").set_value(("aclImdb_v1.tar.gz", b"not an archive", "application/gzip"))
    at.run()
    assert_clean(at)
    error = " ".join(e.value for e in at.error)
    assert "aclImdb_v1.tar.gz is a text file, not the IMDB archive" in error  # the upload's name, not a temp one
    assert ".tmp-" not in error and "ReadError" not in error
    assert not (tmp_path / "cache" / "downloads").exists() and not [*(tmp_path / "cache").rglob("*.tar.gz")]


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
    assert "corrupt" in codes(at)[0] and str(broken) in codes(at)[0]


def test_a_csv_file_is_called_a_csv_file_and_the_panel_gives_no_command_line_advice(no_data_env, monkeypatch, tmp_path):
    table = tmp_path / "reviews.csv"
    table.write_text("id,review,stars\n1,Great film,9\n2,Dull,2\n", encoding="utf-8")
    monkeypatch.setenv("IMDB_DATA", str(table))
    at = run_page("train")
    assert_clean(at)
    message = codes(at)[0]
    assert "reviews.csv is a CSV file, not the IMDB archive" in message
    assert "tarfile" not in message and "ReadError" not in message and "invalid header" not in message
    monkeypatch.setenv("IMDB_DATA", str(tmp_path / "missing.tar.gz"))
    st_clear()
    at = run_page()
    page = codes(at)[0] + texts(at) + " ".join(t.help or "" for t in at.text_input)
    assert "No IMDB data found" in page
    assert "python -m" not in page and "--data" not in page and "environment variable" not in page


def st_clear():
    import streamlit as st

    from ui.shared import server_objects

    st.cache_resource.clear()
    server_objects.forget_all()


def _teacher_session(monkeypatch):
    monkeypatch.setenv(settings.TEACHER_TOKEN_ENV, TEACHER_TOKEN)
    return unlock_teacher(new_app().run())


def test_only_the_teacher_can_save_a_path_for_the_whole_server(no_data_env, tiny_archive, monkeypatch):
    teacher = _teacher_session(monkeypatch)
    teacher.text_input(key="setup_path").input(str(tiny_archive))
    teacher.checkbox(key="setup_path_save").check()
    next(b for b in teacher.button if b.label == "Use this path").click().run()
    assert_clean(teacher)
    assert settings.saved_data_path() == tiny_archive
    assert not [p for p in settings.server_settings_file().parent.iterdir() if ".tmp-" in p.name]  # atomic
    assert "data_path" not in teacher.session_state  # for everyone, not in this session
    other = run_page()  # another browser: no path of its own, and the data is there
    assert_clean(other)
    assert "data_path" not in other.session_state
    assert other.title[0].value == "Explore the data" and other.dataframe[0].value["reviews"].tolist() == [4, 2]


def test_a_wrong_path_is_not_saved_and_a_broken_saved_path_can_be_forgotten(no_data_env, monkeypatch, tmp_path):
    teacher = _teacher_session(monkeypatch)
    teacher.text_input(key="setup_path").input(str(tmp_path / "typo.tar.gz"))
    teacher.checkbox(key="setup_path_save").check()
    next(b for b in teacher.button if b.label == "Use this path").click().run()
    assert_clean(teacher)
    assert "Not saved" in " ".join(e.value for e in teacher.error) and settings.saved_data_path() is None
    settings.save_data_path(tmp_path / "moved-away.tar.gz")  # saved once, then the file went away
    st_clear()
    teacher = _teacher_session(monkeypatch)
    assert "does not work now" in texts(teacher)
    next(b for b in teacher.button if b.label == "Forget the saved path").click().run()
    assert settings.saved_data_path() is None
