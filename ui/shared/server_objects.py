"""What one server owns for all its sessions, where no client message can drop it.

Streamlit's ``st.cache_resource`` is process-wide, and any client may clear it with one
websocket message (``BackMsg.clear_cache``; ``client.toolbarMode = "viewer"`` only hides
the menu item). Cleared, the job manager would be built again beside the running one:
the running job shown failed and unstoppable, and the next Train a second training on
the same cores (issue 28). So the objects that must be one per server (the job manager,
the prediction process, the page-run slots, the dataset) are made here once per key and
kept for the life of the process; a client's ``clear_cache`` still clears the cached
*results* (:mod:`ui.shared.resources`), which are recomputed from these same objects.

Hand-written on purpose: Streamlit offers no cache a client cannot clear. Pure: no
Streamlit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")

_objects: dict[Hashable, object] = {}
_making: dict[Hashable, threading.Lock] = {}
_lock = threading.Lock()


def once(key: Hashable, make: Callable[[], T]) -> T:
    """The object kept under ``key``, made by ``make()`` the first time (one maker at a time per key)."""
    with _lock:
        if key in _objects:
            return _objects[key]
        making = _making.setdefault(key, threading.Lock())
    with making:  # a slow make (the dataset: 20-30 s) holds up only those who want the same object
        with _lock:
            if key in _objects:
                return _objects[key]
        made = make()
        with _lock:
            _objects[key] = made
        return made


def peek(key: Hashable, default=None):
    """The object under ``key`` if it was made, else ``default`` (nothing is made)."""
    with _lock:
        return _objects.get(key, default)


def forget(key: Hashable) -> None:
    """Drop one object, for the server's own reasons (the set-up panel's "Try again" on a dataset that failed)."""
    with _lock:
        _objects.pop(key, None)


def forget_all() -> None:
    """Tests only: start the next test from a server that owns nothing yet."""
    with _lock:
        _objects.clear()
