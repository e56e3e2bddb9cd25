"""Where things live on disk, in one place.

Every directory the lab reads or writes is resolved here from an environment variable
with a documented default, so the CLI, the app and the tests agree on them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from core import atomic

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


#: Environment variable naming the operator's own GloVe text file (``embeddings="glove-file"``); only the
#: operator sets it (the environment, or ``python -m core train --glove-file``), never a browser.
GLOVE_FILE_ENV = "IMDB_LAB_GLOVE_FILE"


def glove_file() -> Path | None:
    """The GloVe text file named by ``$IMDB_LAB_GLOVE_FILE``, if any."""
    value = os.environ.get(GLOVE_FILE_ENV, "").strip()
    return Path(value).expanduser() if value else None


#: The server's own settings, saved from the app by its operator (teacher mode): ``<runs>/.settings/server.json``.
SERVER_SETTINGS_NAME = "server.json"


def server_settings_file() -> Path:
    """Where the settings saved from the app live: ``<runs>/.settings/server.json``.

    Beside the runs they serve, in a hidden folder like ``.jobs`` and ``.baseline``, which
    the runs scan skips.
    """
    return runs_dir() / ".settings" / SERVER_SETTINGS_NAME


def _server_settings() -> dict:
    try:
        values = json.loads(server_settings_file().read_text("utf-8"))
    except (OSError, ValueError):  # none saved yet, or unreadable: as if none
        return {}
    return values if isinstance(values, dict) else {}


def saved_data_path() -> Path | None:
    """The dataset path the operator saved for the whole server (:func:`save_data_path`), if any."""
    value = _server_settings().get("data_path")
    return Path(value).expanduser() if isinstance(value, str) and value.strip() else None


def save_data_path(path: str | os.PathLike | None) -> None:
    """Save ``path`` as the whole server's dataset path (None forgets it), atomically: old file or new, never half.

    Every session and every training job of this server (and the CLI run with the same
    runs folder) then loads the data from there, before ``$IMDB_DATA`` and the cache.
    """
    values = _server_settings()
    if path is None:
        values.pop("data_path", None)
    else:
        values["data_path"] = str(Path(path).expanduser())
    atomic.write_json(server_settings_file(), values)


#: Environment variable: most training jobs that may wait in the app's queue.
#: Redis URL of the distributed job queue (``redis://host:6379/0``); unset: jobs run on this server.
QUEUE_URL_ENV = "IMDB_LAB_QUEUE_URL"


#: Environment variable: 0 turns off the training process started ahead of the next job.
WARM_TRAINER_ENV = "IMDB_LAB_WARM_TRAINER"


def warm_trainer() -> bool:
    """Whether the local executor keeps the next job's training process started ahead (default: yes).

    It costs one idle process (TensorFlow and the dataset, about 1 GB resident) and saves a
    job the seconds of starting Python, importing TensorFlow and reading the data.
    """
    return os.environ.get(WARM_TRAINER_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def queue_url() -> str | None:
    """The job queue's URL (``$IMDB_LAB_QUEUE_URL``; unset or blank: None, the one-machine default)."""
    return os.environ.get(QUEUE_URL_ENV, "").strip() or None


_URL_CREDENTIALS = re.compile(r"//[^/\s]*@")
_URL_SECRET_PARAMETER = re.compile(r"([?&](?:password|username|user)=)[^&#\s]*", re.IGNORECASE)


def redacted_url(text: str) -> str:
    """``text`` (a URL, or a message naming one) fit for a log or a page: credentials become ``***``.

    The queue's URL carries Redis's password (``redis://user:password@host``, or a
    ``password=`` parameter); every message that names the queue names it through this.
    """
    text = _URL_CREDENTIALS.sub("//***@", text)
    return _URL_SECRET_PARAMETER.sub(r"\1***", text)


MAX_QUEUED_ENV = "IMDB_LAB_MAX_QUEUED"
#: Environment variable: longest estimated training (seconds) the app accepts.
TIME_BUDGET_ENV = "IMDB_LAB_TIME_BUDGET"


def _positive_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


#: Environment variable: the secret that unlocks teacher mode (act on every job and run); unset: no teacher mode.
TEACHER_TOKEN_ENV = "IMDB_LAB_TEACHER_TOKEN"


#: Shortest teacher token accepted: a shorter one (a word, a class name and a year) could be guessed
#: by a room of students, so with one the server turns teacher mode off and says why.
TEACHER_TOKEN_MIN_CHARS = 20


def teacher_token() -> str | None:
    """The operator's teacher token (``$IMDB_LAB_TEACHER_TOKEN``; unset or blank: None), of any length. Never log it."""
    value = (os.environ.get(TEACHER_TOKEN_ENV) or "").strip()
    return value or None


#: Environment variables: the largest training a job may be, in estimated memory and in weights.
MAX_JOB_MEMORY_ENV = "IMDB_LAB_MAX_JOB_MEMORY_MB"
MAX_PARAMETERS_ENV = "IMDB_LAB_MAX_PARAMETERS"


def max_job_memory_bytes() -> int:
    """Largest estimated training memory a job may need (``$IMDB_LAB_MAX_JOB_MEMORY_MB``, default 4096 MB).

    On top of TensorFlow's own (about 1.3 GB a training process): :func:`core.model.cost.peak_memory_bytes`.
    """
    return int(_positive_number(MAX_JOB_MEMORY_ENV, 4096) * 2**20)


def max_parameters() -> int:
    """Most weights a job's model may have (``$IMDB_LAB_MAX_PARAMETERS``, default 20 million: an 80 MB model).

    Every stored run is read by the web process (downloads, the embedding map) and the
    prediction process keeps several loaded: a room's runs must stay small.
    """
    return int(_positive_number(MAX_PARAMETERS_ENV, 20_000_000))


#: Environment variable: waiting jobs one client (IP address) may hold at once.
MAX_QUEUED_PER_CLIENT_ENV = "IMDB_LAB_MAX_QUEUED_PER_CLIENT"


def max_queued_per_client() -> int:
    """Waiting jobs one client address may hold (``$IMDB_LAB_MAX_QUEUED_PER_CLIENT``, default 3).

    A class reaching the server through one NAT address shares this share: raise it to
    ``$IMDB_LAB_MAX_QUEUED`` there (docs/classroom.md).
    """
    return int(_positive_number(MAX_QUEUED_PER_CLIENT_ENV, 3))


def max_queued() -> int:
    """Queue cap for the app (``$IMDB_LAB_MAX_QUEUED``, default 10): a room of students stays bounded."""
    return int(_positive_number(MAX_QUEUED_ENV, 10))


def time_budget_seconds() -> float:
    """Longest estimated training the app queues (``$IMDB_LAB_TIME_BUDGET``, default 1800 s)."""
    return _positive_number(TIME_BUDGET_ENV, 1800)


#: Environment variable: models the prediction process keeps loaded.
LOADED_MODELS_ENV = "IMDB_LAB_LOADED_MODELS"


def loaded_models() -> int:
    """Runs the prediction process keeps loaded (``$IMDB_LAB_LOADED_MODELS``, default 16; least recently used go).

    Measured (EPYC, tcmalloc): each loaded model beyond the first adds about 10 MB resident
    for ``conv-lstm``, 18 MB for ``bilstm`` and 8 MB for ``tutorial-final``, on top of about 0.7 GB
    for TensorFlow itself; 16 models cost a few hundred MB, and a class comparing runs
    rarely waits for a reload (0.5-1 s each: loading the file and the first prediction).
    """
    return int(_positive_number(LOADED_MODELS_ENV, 16))


#: Environment variable: most page runs that compute at once (0: no limit).
CONCURRENT_RUNS_ENV = "IMDB_LAB_CONCURRENT_RUNS"


def concurrent_runs() -> int:
    """Page runs allowed to compute at once (``$IMDB_LAB_CONCURRENT_RUNS``, default 3; 0 means no limit).

    Page scripts share one interpreter lock: 200 of them running at once starve the web
    server's own thread (health checks time out) and pile up memory; a few at a time
    finish the same work in the same time, in turn.
    """
    try:
        return max(0, int(os.environ.get(CONCURRENT_RUNS_ENV, 3)))
    except ValueError:
        return 3


#: Environment variable: the newest runs kept per owner (browser session) on a shared server; unset keeps all.
KEEP_RUNS_PER_OWNER_ENV = "IMDB_LAB_KEEP_RUNS_PER_OWNER"
#: Environment variable: runs younger than this many days are kept; unset keeps all.
KEEP_RUN_DAYS_ENV = "IMDB_LAB_KEEP_RUN_DAYS"


def _optional_positive(name: str, kind=float):
    try:
        value = kind(os.environ.get(name, ""))
    except ValueError:
        return None
    return value if value > 0 else None


def keep_runs_per_owner() -> int | None:
    """Retention: runs kept per owner (``$IMDB_LAB_KEEP_RUNS_PER_OWNER``; unset, 0 or invalid: no limit).

    See :mod:`core.runs.manage` for what is never deleted (runs in use, the best run).
    """
    return _optional_positive(KEEP_RUNS_PER_OWNER_ENV, int)


def keep_run_days() -> float | None:
    """Retention: runs younger than this many days are kept (``$IMDB_LAB_KEEP_RUN_DAYS``; unset, 0 or invalid: no limit)."""
    return _optional_positive(KEEP_RUN_DAYS_ENV, float)
