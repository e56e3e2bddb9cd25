"""Storing an uploaded archive: a file object in, the path of the checked archive in the cache out.

The set-up panel lets a user upload the IMDB archive from their browser. An upload is
stored only once it loads (a damaged or foreign file never replaces a good archive), and
by default for its browser alone: in ``<cache>/uploads/<hash of the session's owner id>/``,
a folder :mod:`core.data.sources` never searches, so one student's upload cannot become
everyone's data. It becomes the server's data only when someone who may set it up
(:meth:`core.access.Actor.may_set_up_data`: the teacher, or anyone on a server without a
teacher token) chooses so: then it goes to :func:`server_upload_target`, the cache's
``downloads/`` folder, and the panel saves that path for the whole server.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import BinaryIO

from core import settings
from core.atomic import atomic_path
from core.data.dataset import load_dataset
from core.errors import DataFormatError

#: The name an uploaded archive is stored under: one of the names :mod:`core.data.sources` searches.
UPLOAD_NAME = "aclImdb_labeled.tar.gz"


def server_upload_target() -> Path:
    """Where an upload chosen for the whole server is stored: ``<cache>/downloads/aclImdb_labeled.tar.gz``."""
    return settings.cache_dir() / "downloads" / UPLOAD_NAME


def session_upload_target(session_id: str) -> Path:
    """Where one browser session's upload is stored: ``<cache>/uploads/<sha256 of its id>/aclImdb_labeled.tar.gz``.

    The id is hashed, so whatever a client's id holds, it names one folder under ``uploads/``.
    """
    folder = hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:32]
    return settings.cache_dir() / "uploads" / folder / UPLOAD_NAME


def save_uploaded_archive(uploaded: BinaryIO, target: Path) -> Path:
    """Store an uploaded archive at ``target`` (:func:`session_upload_target` or :func:`server_upload_target`), atomically.

    The archive is loaded from its temporary name first: a damaged or foreign file
    raises :class:`~core.errors.DataFormatError` and leaves any previous archive in
    place. (The corpus cache written by that load is keyed by content, so the final
    load hits it.)

    Args:
        uploaded: a readable binary file object (e.g. Streamlit's ``UploadedFile``).
        target: where to store it.

    Returns:
        The path of the stored archive.
    """
    name = getattr(uploaded, "name", None) or "The uploaded file"
    with atomic_path(target) as temp:
        with open(temp, "wb") as out:
            shutil.copyfileobj(uploaded, out, 1 << 20)
        try:
            load_dataset(temp, allow_download=False)
        except DataFormatError as error:  # name the user's file, not its temporary name in the cache
            raise DataFormatError(str(error).replace(str(temp), name).replace(temp.name, name)) from None
    return target
