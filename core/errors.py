"""Errors a user can act on.

Each error's message says what went wrong *and* what to do about it; pages show the
message as is, the CLI prints it and exits non-zero. Anything else is a bug.
"""

from __future__ import annotations


class LabError(Exception):
    """Base class: an error whose message is meant for the user."""


class DataNotFoundError(LabError):
    """No dataset could be found in any of the places the loader looks."""

    def __init__(self, looked_in: list[str], download_error: str | None = None):
        self.looked_in = list(looked_in)
        self.download_error = download_error
        lines = ["No IMDB data found. Looked in:"]
        lines += [f"  - {place}" for place in self.looked_in]
        if download_error:
            lines.append(f"Download of the official archive failed: {download_error}")
        lines += [
            "Provide it in one of three ways:",
            "  1. pass a path: `python -m core data --data PATH` (archive .tar.gz or aclImdb/ folder),",
            "  2. set the IMDB_DATA environment variable to that path,",
            "  3. be online: the official archive is downloaded into the cache directory.",
        ]
        super().__init__("\n".join(lines))


class DataFormatError(LabError):
    """The data exists but is damaged, unsafe or not in the official layout."""


class ConfigError(LabError, ValueError):
    """A training configuration value is out of range or inconsistent."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


class RunError(LabError):
    """A stored run is missing, damaged or cannot be written."""
