"""Lessons: the teacher's lesson plan in the sidebar, and students who follow the teacher's step.

The lessons themselves are data (``assets/lessons/*.toml``, read and checked by
:mod:`core.runs.lessons`). Streamlit edge: ``panel`` (choose a lesson, the step's lines,
Previous / Next, minutes left; moving opens the step's page and, for the teacher, moves
the class), ``follow`` (a student's "Follow the teacher" switch); pure: ``targets`` (the
page and query parameters a step opens), ``wording`` (the panel's sentences).
"""
