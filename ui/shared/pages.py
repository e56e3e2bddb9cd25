"""The page registry: each page's script, slug, title and icon, in one place.

``app.py`` builds the navigation from :data:`ALL`; links, ``st.switch_page``,
``st.page_link`` and the Start page's steps name pages through these entries, so a
page's path or title is written once (``tests/ui/test_pages.py`` holds it). Pure: no
Streamlit. The scripts stay in ``pages/``, the folder the design card names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Page:
    """One page: ``path`` from the repository root, ``slug`` its URL path (Streamlit takes it from the file name)."""

    path: str
    title: str
    icon: str
    #: The heading on the page itself, where it differs from the title in the navigation.
    heading: str | None = None

    @property
    def slug(self) -> str:
        return Path(self.path).stem

    @property
    def page_heading(self) -> str:
        return self.heading or self.title


START = Page("pages/start.py", "Start here", ":material/flag:", heading="IMDB LSTM Lab")
EXPLORE = Page("pages/explore.py", "Explore the data", ":material/query_stats:")
TRAIN = Page("pages/train.py", "Train a model", ":material/model_training:")
PREDICT = Page("pages/predict.py", "Predict", ":material/rate_review:")
EVALUATE = Page("pages/evaluate.py", "Evaluate", ":material/fact_check:")
BOARD = Page("pages/board.py", "Class board", ":material/leaderboard:")
#: In the navigation's order; the first is the default page.
ALL = (START, EXPLORE, TRAIN, PREDICT, EVALUATE, BOARD)


def by_file(page_file: str | Path) -> Page:
    """The entry of a page script, from its ``__file__``."""
    name = Path(page_file).name
    return next(page for page in ALL if Path(page.path).name == name)
