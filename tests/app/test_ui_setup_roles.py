"""With a teacher token set, only the teacher sees the data set-up actions; a student is told who sets it up."""

from __future__ import annotations

from core import settings
from core.data import uploads
from tests.app.ui_helpers import assert_clean, new_app, run_page, texts, unlock_teacher
from tests.conftest import TEACHER_TOKEN as TOKEN


def _teacher(monkeypatch):
    """A session unlocked through the sidebar form, as the teacher does."""
    monkeypatch.setenv("IMDB_LAB_TEACHER_TOKEN", TOKEN)
    at = unlock_teacher(new_app().run())
    assert_clean(at)
    return at


def test_a_student_sees_who_sets_up_the_data_and_no_set_up_action(no_data_env, monkeypatch):
    monkeypatch.setenv("IMDB_LAB_TEACHER_TOKEN", TOKEN)
    for page in (None, "train"):
        student = run_page(page)
        assert_clean(student)
        assert "The teacher sets up the data for this server" in texts(student)
        assert not student.tabs and not student.get("file_uploader") and not student.checkbox
        assert not [t for t in student.text_input if t.key == "setup_path"]
        assert [b.label for b in student.main.button] == ["Try again"]
        assert str(no_data_env) not in texts(student) and not [c for c in student.code if "Looked in" in c.value]


def test_the_teacher_sees_the_set_up_actions_and_can_upload_for_everyone(no_data_env, tiny_archive, monkeypatch):
    teacher = _teacher(monkeypatch)
    assert [t.label for t in teacher.tabs] == ["Path on this machine", "Upload the archive", "Download"]
    teacher.checkbox(key="setup_upload_save").check().run()
    upload = ("aclImdb_labeled.tar.gz", tiny_archive.read_bytes(), "application/gzip")
    teacher.file_uploader(key="setup_upload").set_value(upload).run()
    assert_clean(teacher)
    assert settings.saved_data_path() == uploads.server_upload_target()
    assert uploads.server_upload_target().read_bytes() == tiny_archive.read_bytes()
    student = run_page()  # every session now has the data, with no path of its own
    assert_clean(student)
    assert "data_path" not in student.session_state
    assert student.title[0].value == "Explore the data" and student.dataframe[0].value["reviews"].tolist() == [4, 2]
