"""Who may act on what: a browser session on its own jobs and runs, a teacher on everything.

A classroom shares one server, so every Stop, "train again" and delete names who asks
(an :class:`Actor`). A session acts only on what it owns; a teacher, unlocked with the
secret the server's operator sets in ``$IMDB_LAB_TEACHER_TOKEN``, acts on every job and
run. No token set means no teacher mode at all, and neither does a token shorter than
:data:`core.settings.TEACHER_TOKEN_MIN_CHARS` (it could be guessed): the server says
why at start-up (:func:`log_teacher_mode`) and on the page (:func:`teacher_mode_unavailable`).
The token is compared in constant time (:func:`hmac.compare_digest`) and never stored,
shown or logged: a session keeps only the fact that it unlocked teacher mode.
"""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from core import settings
from core.errors import LabError
from core.rate_limit import SlidingWindowLimiter

log = logging.getLogger("imdb_lab.access")

#: Tries at the teacher token per browser session, and per client address (a new session buys no
#: new tries), in any :data:`TEACHER_TRIES_WINDOW_SECONDS`. The address allows more: behind one
#: school NAT a whole class shares it, and a few students' typos must not lock the teacher out.
TEACHER_TRIES = {"session": 5, "client": 10}
TEACHER_TRIES_WINDOW_SECONDS = 600.0
#: How long a browser that unlocked teacher mode stays the teacher across reloads and page changes.
TEACHER_BROWSER_SECONDS = 12 * 3600.0


class NotAllowed(LabError):
    """A session asked to act on a job or run that is not its own (and it is not the teacher)."""


@dataclass(frozen=True)
class Actor:
    """Who asks: a browser session (``session_id``), possibly in teacher mode.

    Args:
        session_id: the browser session (None: nobody in particular, e.g. a test or the
            operator's command line, which owns nothing in the app).
        teacher: the session unlocked teacher mode (:func:`teacher_token_matches`).
    """

    session_id: str | None
    teacher: bool = False

    def may_act_on(self, owner: str | None) -> bool:
        """Whether this actor may stop, retrain or delete something owned by ``owner``."""
        return self.teacher or (self.session_id is not None and owner == self.session_id)

    def may_set_up_data(self) -> bool:
        """Whether this actor may see the data set-up actions and choose the whole server's data.

        The teacher, where the operator set a teacher token; without a token the server is one
        person's (its operator's, who could set ``$IMDB_DATA`` anyway), so whoever uses it may.
        """
        return self.teacher or not teacher_mode_available()


def teacher_mode_unavailable() -> str | None:
    """Why this server has no teacher mode, in plain words for the page; None when it has one."""
    token = settings.teacher_token()
    if token is None:
        return "This server has no teacher mode (its operator set no teacher token)."
    if len(token) < settings.TEACHER_TOKEN_MIN_CHARS:
        return (
            f"Teacher mode is off on this server: its teacher token is shorter than "
            f"{settings.TEACHER_TOKEN_MIN_CHARS} characters, so a student could guess it. The operator sets a "
            f"longer one in {settings.TEACHER_TOKEN_ENV} and restarts the server."
        )
    return None


def teacher_mode_available() -> bool:
    """Whether the operator set a teacher token long enough to keep (otherwise there is no teacher mode)."""
    return teacher_mode_unavailable() is None


def log_teacher_mode() -> bool:
    """Say in the server's log whether teacher mode is on, and why not (never the token); whether it is on."""
    why = teacher_mode_unavailable()
    if why is None:
        log.info("Teacher mode is on (%s is set).", settings.TEACHER_TOKEN_ENV)
    elif settings.teacher_token() is None:
        log.info("Teacher mode is off: %s is not set.", settings.TEACHER_TOKEN_ENV)
    else:
        log.warning(
            "Teacher mode is OFF: %s is shorter than %d characters. Set a longer token (for example "
            "`python -c 'import secrets; print(secrets.token_urlsafe(24))'`) and restart the server.",
            settings.TEACHER_TOKEN_ENV,
            settings.TEACHER_TOKEN_MIN_CHARS,
        )
    return why is None


def teacher_token_matches(given: str | None) -> bool:
    """Whether ``given`` is the operator's teacher token, compared in constant time; False without teacher mode."""
    expected = settings.teacher_token()
    if not teacher_mode_available() or not given:
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8"))


def teacher_guess_limiter(clock=None) -> SlidingWindowLimiter:
    """The server's ration of tries at the teacher token (:data:`TEACHER_TRIES`); one per server process."""
    options = {} if clock is None else {"clock": clock}
    return SlidingWindowLimiter(TEACHER_TRIES, window=TEACHER_TRIES_WINDOW_SECONDS, **options)


def log_refused_try(session: str | None, client: str | None, why: str) -> None:
    """One line per refused try at the teacher token: who and why, never what was typed."""
    log.warning("Teacher token try refused (%s): session %s, client %s.", why, session or "-", client or "localhost")


class RememberedBrowsers:
    """Browsers the server remembers for a while, for one fact each keeper holds (issue 31).

    A Streamlit session ends on every reload, so a fact kept in the session alone is lost on F5.
    Two facts must outlive it: *this browser unlocked teacher mode* (else the teacher types the
    token again after each reload of the projector, and a link in the address bar would keep the
    secret in the browser's history), and *this browser follows the teacher* (else a student's
    reload drops them out of the lesson). The server remembers the browser's owner id
    (:func:`ui.classroom.identity.owner_id`: the SHA-256 of a random token in that browser's
    cookie; a student cannot present another browser's owner id without its cookie) for
    ``seconds`` (:data:`TEACHER_BROWSER_SECONDS` for the teacher). Forgetting (leaving teacher
    mode, switching Follow off) is immediate; a restart forgets all.

    Hand-written (a dict with expiry, thread-safe, bounded): the rule is ours, and it is eight
    lines. At most ``max_browsers`` are kept, the least recently remembered dropped first.
    """

    def __init__(self, seconds: float = TEACHER_BROWSER_SECONDS, clock=time.monotonic, max_browsers: int = 16):
        self.seconds, self.clock, self.max_browsers = seconds, clock, max_browsers
        self._until: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, owner: str | None) -> None:
        """Remember ``owner``'s browser from now (again: its time starts over)."""
        if not owner:
            return
        with self._lock:
            self._until.pop(owner, None)
            self._until[owner] = self.clock() + self.seconds
            while len(self._until) > self.max_browsers:
                self._until.popitem(last=False)

    def forget(self, owner: str | None) -> None:
        """Forget ``owner``'s browser now."""
        with self._lock:
            self._until.pop(owner, None)

    def knows(self, owner: str | None) -> bool:
        """Whether ``owner``'s browser was remembered less than :attr:`seconds` ago (and not forgotten since)."""
        with self._lock:
            until = self._until.get(owner) if owner else None
            if until is not None and until <= self.clock():
                del self._until[owner]
                return False
            return until is not None
