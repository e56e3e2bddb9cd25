"""Where a lesson step takes a browser: the page and the query string that open its app state.

A step opens a page through the same address-bar parameters a shared link carries
(:mod:`ui.shared.links`): Train's ``preset``, ``base`` and the knobs that differ, Predict's
``text`` and ``run``, Evaluate's ``run``, and ``present`` for the projector view. So a
step's state is checked and restored by the one code that restores links. Only the
teacher's own browser gets ``present``: a student following along keeps a sidebar (and
with it the "Follow the teacher" switch). Pure: no Streamlit.
"""

from __future__ import annotations

from core.config import DEFAULT_PRESET
from core.runs.lessons import Step
from ui.shared import pages

#: The page slugs a step may name (the page registry's).
PAGE_SLUGS = tuple(page.slug for page in pages.ALL)


def page_of(step: Step) -> pages.Page:
    return next(page for page in pages.ALL if page.slug == step.page)


def query_params(step: Step, *, presenter: bool) -> dict[str, str]:
    """The step's address-bar parameters; ``presenter``: this browser projects (the step says on or off)."""
    params = {"present": "1" if step.presenter else "0"} if presenter else {}
    if step.page == pages.TRAIN.slug:
        base = step.preset or DEFAULT_PRESET
        params |= {"preset": base, "base": base} | {name: str(value) for name, value in step.knobs.items()}
    if step.review is not None:
        params["text"] = step.review
    if step.run is not None:
        params["run"] = step.run
    return params
