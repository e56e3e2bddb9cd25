"""Where things live on disk, in one place.

Every directory the lab reads or writes is resolved here from an environment variable
with a documented default, so the CLI, the app and the tests agree on them.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Environment variable naming the dataset: a ``.tar.gz`` archive or an ``aclImdb/`` folder.
DATA_ENV = "IMDB_DATA"
#: Environment variable naming the cache directory (parsed corpus, downloads).
CACHE_ENV = "IMDB_LAB_CACHE"
#: Environment variable naming the directory where trained runs are stored.
RUNS_ENV = "IMDB_LAB_RUNS"


def cache_dir() -> Path:
    """The cache directory: ``$IMDB_LAB_CACHE`` or ``<project>/.cache`` (gitignored)."""
    return Path(os.environ.get(CACHE_ENV) or PROJECT_ROOT / ".cache").expanduser()


def runs_dir() -> Path:
    """The runs directory: ``$IMDB_LAB_RUNS`` or ``<project>/runs`` (gitignored)."""
    return Path(os.environ.get(RUNS_ENV) or PROJECT_ROOT / "runs").expanduser()


def data_path_from_env() -> Path | None:
    """The dataset path given by ``$IMDB_DATA``, if any."""
    value = os.environ.get(DATA_ENV)
    return Path(value).expanduser() if value else None
