"""The files under ``assets/``: the app's stylesheet, its page icon, the Predict page's example reviews, the lessons' folder.

Content that is not code lives there, so wording and styling change without touching
Python. Pure: no Streamlit.
"""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path

ASSETS = Path(__file__).resolve().parents[2] / "assets"
#: The styles of the app's own HTML (:mod:`ui.shared.html`); ``st.html`` injects a ``.css`` path as a style.
STYLE = ASSETS / "style.css"
#: Presenter mode's additions (:mod:`ui.shared.presenter`): hide the chrome, enlarge the rest.
PRESENTER_STYLE = ASSETS / "presenter.css"
#: The browser tab's icon, served by this server: a ``:material/...`` page icon is fetched from
#: fonts.gstatic.com, which an offline classroom cannot reach (a failed request on every page).
FAVICON = ASSETS / "favicon.png"
#: The lesson plans (:mod:`core.runs.lessons`), one TOML file each: a teacher adds one without touching code.
LESSONS = ASSETS / "lessons"


@functools.cache
def example_reviews() -> dict[str, str]:
    """The Predict page's examples, button label -> review, in the file's order."""
    with open(ASSETS / "example_reviews.toml", "rb") as file:
        return tomllib.load(file)
