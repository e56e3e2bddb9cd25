"""Finding the IMDB data and reading its reviews, safely.

Sources, in this order (the first that exists wins):

1. a path given explicitly (function argument or the CLI's ``--data``);
2. the path the operator saved for the whole server from the app
   (:func:`core.settings.saved_data_path`, in ``<runs>/.settings/server.json``);
3. the ``IMDB_DATA`` environment variable;
4. the cache directory (``$IMDB_LAB_CACHE``, default ``<project>/.cache``): an archive in
   ``downloads/`` or an extracted ``aclImdb/`` folder;
5. Keras's own pre-tokenized ``imdb.npz`` (+ ``imdb_word_index.json``) in the Keras cache
   (``~/.keras/datasets``, or ``$KERAS_HOME/datasets``);
6. only when online: the official archive, downloaded with ``keras.utils.get_file`` and
   checked against its published sha256.

A path may be the ``.tar.gz`` archive or the ``aclImdb/`` folder (or the folder that
holds it), in the official layout ``aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt``.
Archives are read member by member and never extracted, and an archive with an unsafe
member (absolute path, ``..``, link, device) is refused as a whole. Every read is capped
(:mod:`core.data.limits`): a file's kind and size are checked before it is hashed, a member's
size before it is read, and the decompressed bytes while they come out.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import hashlib
import lzma
import os
import re
import stat
import sys
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core import settings
from core.backend import import_keras
from core.data import limits
from core.errors import DataFormatError, DataNotFoundError

OFFICIAL_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
OFFICIAL_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
OFFICIAL_NAME = "aclImdb_v1.tar.gz"

#: ``Source.found_via`` of the path saved for the whole server from the app.
SAVED_VIA = "saved for this server"

SPLITS = ("train", "test")
LABELS = {"neg": 0, "pos": 1}
_MEMBER = re.compile(r"^(?:\./)?aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")


@dataclass(frozen=True)
class Source:
    """Where the data comes from: ``kind`` is ``archive``, ``folder`` or ``keras-npz``."""

    kind: str
    path: Path
    found_via: str

    def describe(self) -> str:
        return f"{self.kind} {self.path} (via {self.found_via})"


@dataclass(frozen=True)
class RawReview:
    """One review file as read from the source, before decoding."""

    split: str
    label: int
    review_id: int
    rating: int
    data: bytes


def keras_datasets_dir() -> Path:
    """Keras's dataset cache folder (``$KERAS_HOME/datasets`` or ``~/.keras/datasets``)."""
    home = os.environ.get("KERAS_HOME") or Path.home() / ".keras"
    return Path(home).expanduser() / "datasets"


def _source_for_path(path: Path, found_via: str) -> Source:
    try:
        mode = path.stat().st_mode
    except OSError:
        raise DataNotFoundError([f"{path} (from {found_via}): no such file or folder"]) from None
    if stat.S_ISDIR(mode):
        return Source("folder", path, found_via)
    source = Source("keras-npz" if path.suffix == ".npz" else "archive", path, found_via)
    _check_file_before_reading(path, archive=source.kind == "archive")
    return source


def _check_file_before_reading(path: Path, *, archive: bool) -> None:
    """Refuse a device, a FIFO, a file too big to be the data, or (for an archive) no archive at all.

    Only ``stat`` and the first 4 KB are read: a typed ``/dev/zero`` or a 5 GB file is refused
    before anything hashes or unpacks it.
    """
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise DataFormatError(
            f"{path} is not a regular file (a device, a pipe or a socket), so it cannot be the IMDB archive. "
            "Give the path of the .tar.gz archive or of the extracted aclImdb/ folder."
        )
    if info.st_size > limits.MAX_SOURCE_FILE_BYTES:
        raise DataFormatError(
            f"{path} is {limits.mib(info.st_size)}, more than the {limits.mib(limits.MAX_SOURCE_FILE_BYTES)} "
            "this lab reads (the official IMDB archive is 84 MB). Give the path of the official "
            "aclImdb_v1.tar.gz or of this lab's aclImdb_labeled.tar.gz."
        )
    if archive:
        _check_archive_kind(path)


def _cache_candidates() -> list[Path]:
    cache = settings.cache_dir()
    return [
        cache / "downloads" / OFFICIAL_NAME,
        cache / "downloads" / "aclImdb_labeled.tar.gz",
        cache / "aclImdb",
    ]


def resolve_source(
    path: str | os.PathLike | None = None,
    *,
    allow_download: bool = True,
    origin: str = OFFICIAL_URL,
    sha256: str = OFFICIAL_SHA256,
) -> Source:
    """Find the data, in the documented order; raise :class:`DataNotFoundError` if none."""
    if path:
        return _source_for_path(Path(path).expanduser(), "argument")
    saved = settings.saved_data_path()
    if saved:
        return _source_for_path(saved, SAVED_VIA)
    env_path = settings.data_path_from_env()
    if env_path:
        return _source_for_path(env_path, settings.DATA_ENV)
    looked_in = ["explicit path: none given", f"{settings.DATA_ENV}: not set"]
    for candidate in _cache_candidates():
        if candidate.exists():
            return _source_for_path(candidate, "cache")
        looked_in.append(f"{candidate}: not there")
    npz = keras_datasets_dir() / "imdb.npz"
    if npz.is_file():
        return Source("keras-npz", npz, "Keras cache")
    looked_in.append(f"{npz}: not there")
    if not allow_download:
        raise DataNotFoundError([*looked_in, "download: not attempted"])
    try:
        downloaded = download_official(origin=origin, sha256=sha256)
    except DataFormatError:
        raise
    except Exception as error:  # offline, DNS failure, HTTP error: all mean "not online"
        raise DataNotFoundError(looked_in, download_error=f"{type(error).__name__}: {error}") from None
    return Source("archive", downloaded, "download")


def download_official(origin: str = OFFICIAL_URL, sha256: str = OFFICIAL_SHA256) -> Path:
    """Download the official archive into ``<cache>/downloads`` and verify its sha256.

    A file that fails the check is deleted (Keras would leave it in the cache).
    """
    downloads = settings.cache_dir() / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    if not os.access(downloads, os.W_OK):
        # keras.utils.get_file would silently fall back to /tmp/.keras.
        raise DataFormatError(
            f"The cache folder {downloads} is not writable, so the archive cannot be downloaded into it. "
            f"Give the path of a copy instead (the cache folder is set by {settings.CACHE_ENV})."
        )
    target = downloads / OFFICIAL_NAME
    keras = import_keras()  # heavy: only when a download is really needed
    try:
        # Keras draws its download bar on stdout; stdout is for results (``--json``).
        with contextlib.redirect_stdout(sys.stderr):
            fetched = keras.utils.get_file(
                fname=OFFICIAL_NAME,
                origin=origin,
                file_hash=sha256,
                hash_algorithm="sha256",
                cache_dir=str(settings.cache_dir()),
                cache_subdir="downloads",
            )
    except ValueError as error:
        if "hash" not in str(error).lower():
            raise
        target.unlink(missing_ok=True)
        raise DataFormatError(
            f"The downloaded archive failed its sha256 check (expected {sha256}); the file was "
            f"deleted. Try again, or download it yourself and pass its path."
        ) from None
    except BaseException:
        target.unlink(missing_ok=True)  # never leave a partial download behind
        raise
    return Path(fetched)


# ---------------------------------------------------------------- fingerprints


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _dataset_root(folder: Path) -> Path:
    """The folder that holds ``train/`` and ``test/``: ``folder`` or ``folder/aclImdb``."""
    if (folder / "aclImdb").is_dir() and not (folder / "train").is_dir():
        return folder / "aclImdb"
    return folder


def _review_files(folder: Path) -> list[tuple[str, str, Path]]:
    root = _dataset_root(folder)
    missing = [f"{split}/{label}" for split in SPLITS for label in LABELS if not (root / split / label).is_dir()]
    if missing:
        raise DataFormatError(
            f"{folder} is not in the official aclImdb layout: missing {', '.join(missing)}. "
            f"Point to the aclImdb/ folder (with train/pos, train/neg, test/pos, test/neg) or to the .tar.gz archive."
        )
    return [
        (split, label, path)
        for split in SPLITS
        for label in LABELS
        for path in sorted((root / split / label).glob("*.txt"))
    ]


def fingerprint(source: Source) -> str:
    """A content fingerprint of the source, the key of the corpus cache.

    Files are hashed whole (sha256, about 0.1 s for the archive), once their kind and size
    passed :func:`_check_file_before_reading`; a folder is hashed over each review file's
    name, size and modification time.
    """
    if source.kind != "folder":
        _check_file_before_reading(source.path, archive=source.kind == "archive")
    if source.kind == "folder":
        digest = hashlib.sha256()
        for split, label, path in _review_files(source.path):
            stat = path.stat()
            digest.update(f"{split}/{label}/{path.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
        return "folder-" + digest.hexdigest()
    if source.kind == "keras-npz":
        index = source.path.with_name("imdb_word_index.json")
        if index.is_file():
            _check_file_before_reading(index, archive=False)
        extra = _sha256_file(index) if index.is_file() else "none"
        return "npz-" + hashlib.sha256((_sha256_file(source.path) + extra).encode()).hexdigest()
    return "archive-" + _sha256_file(source.path)


# ---------------------------------------------------------------- reading reviews


def _parse_member(name: str) -> tuple[str, int, int, int] | None:
    match = _MEMBER.match(name)
    if not match:
        return None
    split, label, review_id, rating = match.groups()
    return split, LABELS[label], int(review_id), int(rating)


def _check_member_safe(member: tarfile.TarInfo, archive: Path) -> None:
    name = member.name
    parts = Path(name).parts
    unsafe = (
        name.startswith(("/", "\\"))
        or os.path.isabs(name)
        or ".." in parts
        or member.issym()
        or member.islnk()
        or member.isdev()
        or member.isfifo()
    )
    if unsafe:
        raise DataFormatError(
            f"Refusing {archive}: it contains an unsafe member {name!r} (absolute path, '..', "
            f"link or device). Use the official archive."
        )


#: What a file is, by its first bytes: (magic, offset, name in a message). A tar has "ustar" at 257.
_SIGNATURES = (
    (b"\x1f\x8b", 0, "gzip"),
    (b"BZh", 0, "bzip2"),
    (b"\xfd7zXZ\x00", 0, "xz"),
    (b"ustar", 257, "tar"),
    (b"PK\x03\x04", 0, "ZIP"),
    (b"\x93NUMPY", 0, "NumPy"),
    (b"%PDF", 0, "PDF"),
)
#: Formats tarfile reads: the IMDB archive is a gzip-compressed tar (others are tried the same way).
_TAR_FORMATS = {"gzip", "bzip2", "xz", "tar"}


def file_kind(path: Path) -> str:
    """What a file looks like from its first bytes: ``gzip``, ``tar``, ``ZIP``, ``CSV``, ``text``, ``empty``...

    Only a guess from the start of the file, to say "this is a CSV file, not the IMDB
    archive" instead of what the tar reader says about a file it cannot read.
    """
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if not head:
        return "empty"
    for magic, offset, name in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return name
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = head.decode("utf-16")
        except UnicodeDecodeError:
            return "binary"
    first = text.splitlines()[0] if text.splitlines() else ""
    if path.suffix.lower() in (".csv", ".tsv") or first.count(",") >= 1 or first.count("\t") >= 1:
        return "CSV"
    return "text"


def _check_archive_kind(path: Path) -> None:
    """Refuse a file that is no tar archive at all, saying what it is (a CSV, a ZIP, a text file...)."""
    kind = file_kind(path)
    if kind in _TAR_FORMATS:
        return
    what = {"empty": "an empty file", "binary": "not an archive"}.get(kind, f"a {kind} file")
    raise DataFormatError(
        f"{path.name} is {what}, not the IMDB archive. Give the official aclImdb_v1.tar.gz "
        "(or this lab's aclImdb_labeled.tar.gz), or the extracted aclImdb/ folder."
    )


#: How each tar format is decompressed: we open the stream, so that we count what comes out of it.
_OPENERS = {"gzip": gzip.open, "bzip2": bz2.open, "xz": lzma.open, "tar": open}


class _CappedStream:
    """The decompressed tar stream, counted: at most ``MAX_ARCHIVE_BYTES`` in all, and per step.

    A step is what tarfile reads between two members we see: the previous member's data
    (its header size, already checked) and the next headers. tarfile reads a long-name or
    pax header whole into memory before it shows us the member, so the step's allowance is
    what bounds a huge header.
    """

    def __init__(self, raw, path: Path):
        self._raw, self._path = raw, path
        self.total = 0
        self._step_left = limits.MAX_HEADER_BYTES

    def allow_step(self, member_bytes: int) -> None:
        self._step_left = member_bytes + limits.MAX_HEADER_BYTES

    def read(self, size: int = -1) -> bytes:
        want = self._step_left + 1 if size is None or size < 0 else min(size, self._step_left + 1)
        data = self._raw.read(want)
        self.total += len(data)
        self._step_left -= len(data)
        if self.total > limits.MAX_ARCHIVE_BYTES:
            raise _too_big(self._path, f"unpacks to more than {limits.mib(limits.MAX_ARCHIVE_BYTES)}")
        if self._step_left < 0:
            raise _too_big(self._path, f"has a file header of more than {limits.mib(limits.MAX_HEADER_BYTES)}")
        return data


def _too_big(path: Path, what: str) -> DataFormatError:
    return DataFormatError(
        f"Refusing {path}: it {what}, far more than the IMDB archive (50,000 reviews of a few KB each, "
        "about 100,000 files in all). Use the official aclImdb_v1.tar.gz or this lab's aclImdb_labeled.tar.gz."
    )


def _check_member_size(member: tarfile.TarInfo, count: int, path: Path) -> None:
    """Member count and this member's size from its header, before its data is read or skipped."""
    if count > limits.MAX_ARCHIVE_MEMBERS:
        raise _too_big(path, f"has more than {limits.MAX_ARCHIVE_MEMBERS:,} files")
    review = _MEMBER.match(member.name) is not None
    cap = limits.MAX_REVIEW_BYTES if review else limits.MAX_MEMBER_BYTES
    if member.size > cap:
        most = f"a review is at most {limits.mib(cap)}" if review else f"at most {limits.mib(cap)} a file"
        raise _too_big(path, f"holds {member.name!r} of {limits.mib(member.size)} ({most})")


def _read_archive(path: Path) -> Iterator[RawReview]:
    """Every review member of a tar archive, read as a stream within the caps of :mod:`core.data.limits`."""
    kind = file_kind(path)
    _check_archive_kind(path)
    try:
        with _OPENERS[kind](path, "rb") as raw:
            stream = _CappedStream(raw, path)
            with tarfile.open(fileobj=stream, mode="r|") as archive:
                count = 0
                while (member := archive.next()) is not None:
                    archive.members.clear()  # tarfile keeps every header it read; we need none of them again
                    count += 1
                    _check_member_safe(member, path)
                    _check_member_size(member, count, path)
                    stream.allow_step(member.size + tarfile.BLOCKSIZE)
                    parsed = _parse_member(member.name) if member.isfile() else None
                    if parsed is None:
                        continue
                    handle = archive.extractfile(member)
                    data = handle.read(limits.MAX_REVIEW_BYTES + 1) if handle else b""
                    yield RawReview(*parsed, data)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise DataFormatError(
            f"{path} is truncated or corrupt: it is a {kind} file, but its contents do not unpack. "
            f"Download it again (the official archive's sha256 is {OFFICIAL_SHA256[:12]}...) "
            f"or point to another copy."
        ) from None


def _read_folder(folder: Path) -> Iterator[RawReview]:
    for _split, _label, path in _review_files(folder):
        parsed = _parse_member(f"aclImdb/{_split}/{_label}/{path.name}")
        if parsed is None:
            continue
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > limits.MAX_REVIEW_BYTES:
            size = limits.mib(info.st_size)
            raise _too_big(
                folder,
                f"holds {path.name!r} ({size}), not a review file of at most {limits.mib(limits.MAX_REVIEW_BYTES)}",
            )
        yield RawReview(*parsed, path.read_bytes())


def read_reviews(source: Source) -> Iterator[RawReview]:
    """Every labelled review of an archive or folder source, in file order."""
    if source.kind == "folder":
        return _read_folder(source.path)
    if source.kind == "archive":
        return _read_archive(source.path)
    raise ValueError(f"read_reviews does not read {source.kind} sources")
