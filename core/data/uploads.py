"""Storing an uploaded archive: a file object in, the path of the checked archive in the cache out.

The set-up panel lets a user upload the IMDB archive from their browser. It is stored
where :mod:`core.data.sources` looks next time (the cache's ``downloads/`` folder), and
only once it loads: a damaged or foreign file never replaces a good archive.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import BinaryIO

from core import settings
from core.atomic import atomic_path
from core.data.dataset import load_dataset
from core.errors import DataFormatError

#: The name an uploaded archive is stored under: one of the names :mod:`core.data.sources` searches.
UPLOAD_NAME = "aclImdb_labeled.tar.gz"


def upload_target() -> Path:
    """Where an uploaded archive is stored: ``<cache>/downloads/aclImdb_labeled.tar.gz``."""
    return settings.cache_dir() / "downloads" / UPLOAD_NAME


def save_uploaded_archive(uploaded: BinaryIO, target: Path | None = None) -> Path:
    """Store an uploaded archive in the cache's ``downloads/`` folder, atomically.

    The archive is loaded from its temporary name first: a damaged or foreign file
    raises :class:`~core.errors.DataFormatError` and leaves any previous archive in
    place. (The corpus cache written by that load is keyed by content, so the final
    load hits it.)

    Args:
        uploaded: a readable binary file object (e.g. Streamlit's ``UploadedFile``).
        target: where to store it; default :func:`upload_target`.

    Returns:
        The path of the stored archive.
    """
    target = target or upload_target()
    name = getattr(uploaded, "name", None) or "The uploaded file"
    with atomic_path(target) as temp:
        with open(temp, "wb") as out:
            shutil.copyfileobj(uploaded, out, 1 << 20)
        try:
            load_dataset(temp, allow_download=False)
        except DataFormatError as error:  # name the user's file, not its temporary name in the cache
            raise DataFormatError(str(error).replace(str(temp), name).replace(temp.name, name)) from None
    return target
