"""Lessons in the app: every shipped step opens its page and state, only the teacher moves the class, followers follow.

A click on a sidebar control is sent to ``app.py`` (:func:`press`): AppTest's later runs
would otherwise start at the page file, without the sidebar. Such a run opens on the
default page first, as a fresh load of the app does; a step's switch then takes it on.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.runs.lessons import LessonPosition
from tests.app.ui_helpers import assert_clean, new_app, texts, unlock_teacher
from ui.lessons import panel, targets
from ui.shared import assets, pages, state


def run_main(at: AppTest) -> AppTest:
    """Rerun from ``app.py``, as a browser's every run does (see the module docstring)."""
    at._page_hash = at._finished_page_script_hash = ""
    return at.run()


def press(at: AppTest, key: str) -> AppTest:
    next(button for button in at.button if button.key == key).click()
    return run_main(at)


def heading(at: AppTest) -> str:
    return at.title[0].value if at.title else ""


def choose(at: AppTest, lesson_id: str) -> AppTest:
    at.selectbox(key=state.LESSON_KEY).set_value(lesson_id)
    return run_main(at)


def assert_on_step(at: AppTest, step) -> None:
    """The step's page is drawn, with the state its query string carries."""
    assert_clean(at)
    assert heading(at) == targets.page_of(step).page_heading
    if step.preset:
        assert at.session_state[state.TRAIN_BASE_KEY] == step.preset
        for name, value in step.knobs.items():
            assert at.session_state[state.knob_key(name)] == value
    if step.review:
        assert at.session_state[state.PREDICT_TEXT_KEY] == step.review


def test_the_teacher_walks_every_step_of_every_shipped_lesson(fake_manager, teacher_token):
    teacher = unlock_teacher(new_app().run())
    position = panel.class_position()
    for lesson in panel.load().values():
        choose(teacher, lesson.id)
        press(teacher, "lesson_open_sidebar")
        for index, step in enumerate(lesson.steps):
            if index:
                press(teacher, "lesson_next_sidebar")
            assert_on_step(teacher, step)
            assert teacher.session_state["presenter"] is step.presenter  # the step says on or off
            assert (position.read().lesson, position.read().step) == (lesson.id, index)
            assert f"Step {index + 1} of {len(lesson.steps)}: {step.title}" in texts(teacher)
            assert step.say[0] in texts(teacher)
        assert next(b for b in teacher.button if b.key == "lesson_next_sidebar").disabled  # the last step


def test_only_the_teacher_moves_the_class_and_a_follower_is_taken_to_each_step(fake_manager, teacher_token):
    lesson = panel.lessons()["2-overfitting"]
    student = new_app().run()
    assert not [box for box in student.selectbox if box.key == state.LESSON_KEY]  # no lesson panel for a student
    student.toggle(key=state.FOLLOW_TEACHER_KEY).set_value(True)
    run_main(student)
    assert "The teacher has not started a lesson yet" in texts(student)
    assert heading(student) == pages.START.page_heading and panel.class_position().read() is None

    teacher = unlock_teacher(new_app().run())
    choose(teacher, lesson.id)
    press(teacher, "lesson_open_sidebar")
    run_main(student)
    assert_on_step(student, lesson.steps[0])  # the overfitting demo's preset on the student's Train page
    assert not student.session_state["presenter"]  # a follower keeps the sidebar and its switch
    for _ in (1, 2):
        assert teacher.session_state["presenter"]  # the sidebar is hidden: the bar on the page has Next
        press(teacher, "lesson_next_bar")
    run_main(student)
    assert_on_step(student, lesson.steps[2])
    assert "Step 3 of 6: Validation versus test" in texts(student)

    student.toggle(key=state.FOLLOW_TEACHER_KEY).set_value(False)
    run_main(student)
    press(teacher, "lesson_next_sidebar")  # step 4: Train with dropout 0.3
    assert_on_step(teacher, lesson.steps[3])
    run_main(student)
    assert heading(student) != pages.TRAIN.page_heading
    assert student.session_state[state.knob_key("dropout")] == 0.0  # the student's own knobs are kept
    assert LessonPosition(panel.class_position().path.parent).read().step == 3


def test_a_teachers_new_session_or_other_tab_picks_up_the_class_step(fake_manager, teacher_token):
    lesson = panel.lessons()["1-what-an-lstm-does"]
    teacher = unlock_teacher(new_app().run())
    choose(teacher, lesson.id)
    press(teacher, "lesson_open_sidebar")
    press(teacher, "lesson_next_sidebar")
    reloaded = unlock_teacher(new_app().run())  # a reload: a new session, the same class
    assert_clean(reloaded)
    assert reloaded.selectbox(key=state.LESSON_KEY).value == lesson.id
    assert f"Step 2 of 7: {lesson.steps[1].title}" in texts(reloaded)
    press(reloaded, "lesson_next_sidebar")  # the new tab moves the class on; the old tab's panel follows
    assert f"Step 3 of 7: {lesson.steps[2].title}" in texts(run_main(teacher))
    press(teacher, "lesson_next_sidebar")
    assert panel.class_position().read().step == 3  # on from the class's step 3, not from this tab's step 2
    assert_on_step(teacher, lesson.steps[3])


def test_without_teacher_mode_a_lone_learner_runs_a_lesson_for_themself(fake_manager):
    learner = new_app().run()
    assert not [toggle for toggle in learner.toggle if toggle.key == state.FOLLOW_TEACHER_KEY]  # nobody to follow
    lesson = panel.lessons()["2-overfitting"]
    choose(learner, lesson.id)
    press(learner, "lesson_open_sidebar")
    assert_on_step(learner, lesson.steps[0])
    assert not learner.session_state["presenter"]  # presenter mode is the teacher's projector only
    assert panel.class_position().read() is None  # a lone learner moves nobody


def test_a_broken_lesson_file_is_named_in_the_sidebar_and_the_app_still_works(
    fake_manager, teacher_token, monkeypatch, tmp_path
):
    (tmp_path / "typo.toml").write_text(
        'title = "Typo"\nminutes = 5\n[[steps]]\ntitle = "One"\nminutes = 5\npage = "trian"\nsay = ["Hi"]\n'
    )
    monkeypatch.setattr(assets, "LESSONS", tmp_path)
    panel.lessons.cache_clear()
    try:
        teacher = unlock_teacher(new_app().run())
        assert_clean(teacher)
        assert "Lesson 'typo': step 1 ('One'): unknown page 'trian'" in texts(teacher)
        assert heading(teacher) == pages.START.page_heading
    finally:
        panel.lessons.cache_clear()


def test_a_reload_of_a_followers_browser_still_follows_until_the_switch_is_off(
    fake_manager, teacher_token, monkeypatch
):
    """The Follow switch is the browser's (its cookie), as teacher mode is: a reload keeps it; another browser's is off."""
    from ui.classroom import identity

    cookie = {"token": "ab" * 16}
    monkeypatch.setattr(identity, "_cookie_token", lambda: cookie["token"])
    lesson = panel.lessons()["1-what-an-lstm-does"]
    student = new_app().run()
    student.toggle(key=state.FOLLOW_TEACHER_KEY).set_value(True)
    run_main(student)
    cookie["token"] = "ee" * 16  # the teacher's own browser
    teacher = unlock_teacher(new_app().run())
    choose(teacher, lesson.id)
    press(teacher, "lesson_open_sidebar")
    press(teacher, "lesson_next_sidebar")

    cookie["token"] = "ab" * 16
    reloaded = new_app().run()  # F5: a new session of the same browser follows, and is taken to step 2
    assert reloaded.toggle(key=state.FOLLOW_TEACHER_KEY).value
    assert_on_step(reloaded, lesson.steps[1])

    cookie["token"] = "cd" * 16  # another student's browser has not switched it on
    assert not new_app().run().toggle(key=state.FOLLOW_TEACHER_KEY).value

    cookie["token"] = "ab" * 16
    reloaded.toggle(key=state.FOLLOW_TEACHER_KEY).set_value(False)
    run_main(reloaded)
    assert not new_app().run().toggle(key=state.FOLLOW_TEACHER_KEY).value  # off: the next reload stays put
