"""A few tries per key in a sliding window: how the teacher token's guesses are rationed.

A room of students can type guesses at the teacher's unlock form as fast as the server
answers; a token of 20 characters survives that only if the tries are few. Each try is
counted under several keys at once (the browser session *and* the client's address, so
a new session does not buy new tries), and a try is refused when any of its keys already
holds ``limit`` tries younger than ``window`` seconds. Refused tries are not counted: a
locked-out client's waiting time does not grow while it keeps knocking.

Pure (no Streamlit), thread-safe (the page runs of every session call one limiter), the
clock injectable for tests, and bounded: at most ``max_keys`` keys are kept; past that the
least recently used go first (their tries are forgotten: a bound on memory, not a hole,
since a client's address key is the one it cannot renew).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable


class SlidingWindowLimiter:
    """At most ``limit`` tries per key in any ``window`` seconds; see the module docstring.

    Args:
        limits: the most tries per key, by the key's kind (the first element of a key tuple,
            e.g. ``{"session": 5, "client": 10}``); keys of other kinds get ``default_limit``.
        window: the sliding window, in seconds.
        clock: seconds, monotonic (tests pass a fake one).
        max_keys: keys kept at most (least recently used dropped first).
    """

    def __init__(
        self,
        limits: dict[str, int] | None = None,
        *,
        default_limit: int = 5,
        window: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ):
        self.limits, self.default_limit = dict(limits or {}), default_limit
        self.window, self.clock, self.max_keys = window, clock, max_keys
        self._tries: OrderedDict[Hashable, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def try_now(self, *keys: Hashable) -> float:
        """Count one try under every key and return 0, or count nothing and return the seconds to wait."""
        with self._lock:
            now = self.clock()
            wait = max((self._wait(key, now) for key in keys), default=0.0)
            if wait > 0:
                return wait
            for key in keys:
                self._tries.setdefault(key, deque()).append(now)
                self._tries.move_to_end(key)
            while len(self._tries) > self.max_keys:
                self._tries.popitem(last=False)
            return 0.0

    def wait_seconds(self, *keys: Hashable) -> float:
        """Seconds until a try under all ``keys`` would be accepted (0: now); counts nothing."""
        with self._lock:
            now = self.clock()
            return max((self._wait(key, now) for key in keys), default=0.0)

    def _limit(self, key: Hashable) -> int:
        kind = key[0] if isinstance(key, tuple) and key else None
        return self.limits.get(kind, self.default_limit)

    def _wait(self, key: Hashable, now: float) -> float:
        tries = self._tries.get(key)
        if tries is None:
            return 0.0
        while tries and tries[0] <= now - self.window:
            tries.popleft()
        if not tries:
            del self._tries[key]
            return 0.0
        over = len(tries) - self._limit(key) + 1  # tries that must leave the window first
        return 0.0 if over <= 0 else tries[over - 1] + self.window - now
