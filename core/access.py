"""Who may act on what: a browser session on its own jobs and runs, a teacher on everything.

A classroom shares one server, so every Stop, "train again" and delete names who asks
(an :class:`Actor`). A session acts only on what it owns; a teacher, unlocked with the
secret the server's operator sets in ``$IMDB_LAB_TEACHER_TOKEN``, acts on every job and
run. No token set means no teacher mode at all. The token is compared in constant time
(:func:`hmac.compare_digest`) and never stored, shown or logged: a session keeps only
the fact that it unlocked teacher mode.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from core import settings
from core.errors import LabError


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


def teacher_mode_available() -> bool:
    """Whether the operator set a teacher token (otherwise there is no teacher mode to unlock)."""
    return bool(settings.teacher_token())


def teacher_token_matches(given: str | None) -> bool:
    """Whether ``given`` is the operator's teacher token, compared in constant time; False when none is set."""
    expected = settings.teacher_token()
    if not expected or not given:
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), expected.encode("utf-8"))
