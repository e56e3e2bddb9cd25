"""A room of students on one server: who this browser is, and the teacher's unlock.

**Who owns a job.** A Streamlit session ends on every reload, so owning jobs by session
would hand a student's running job to nobody after an F5. Instead each browser keeps a
random token in a cookie (``imdb_lab_browser``, set by a one-line script, ``SameSite=Strict``)
and a session's owner id is the token's SHA-256 (:func:`owner_id`): the same browser,
any tab or reload, is the same owner; another browser (another student) is not. The
owner id can appear in job records; the token, which proves it, never leaves the cookie.

**The teacher.** The operator sets ``$IMDB_LAB_TEACHER_TOKEN`` (20 characters or more, else
there is no teacher mode and the sidebar says why); a session unlocks teacher mode by typing
it in the sidebar's password box. Links do not unlock: a ``?teacher=...`` address would live
on in the browser's history and autocomplete (on a projector), so one is dropped from the
address bar with a notice. A wrong token gets a plain refusal; the server rations tries per
session and per client address (:data:`core.access.TEACHER_TRIES`, counted right or wrong)
and logs each refusal without what was typed. The session keeps only the fact that it is
the teacher (:data:`TEACHER_KEY`), never the token; the server remembers the browser's owner
id (:class:`core.access.RememberedBrowsers`), so a reload or another page of the same browser
is still the teacher, until "Leave teacher mode".
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets

import streamlit as st

from core import access, settings
from ui.shared import server_objects, state

BROWSER_COOKIE = "imdb_lab_browser"
#: Session key: this session unlocked teacher mode.
TEACHER_KEY = "teacher_mode"
#: Query parameter an old teacher link carries: it unlocks nothing and is removed on arrival.
TEACHER_PARAM = "teacher"
#: Session key of the browser token this session set in the cookie (when the browser had none).
_TOKEN_KEY = "browser_token"
#: Longest teacher token the unlock form takes (a client that sends more is cut here).
MAX_TOKEN_CHARS = 256
#: Session key: a refusal to show once (a wrong token).
_REFUSAL_KEY = "teacher_refusal"
_TOKEN_SHAPE = re.compile(r"[0-9a-f]{32}")
#: A cookie for a year, sent only to this site, readable by the page's script that renews it.
_COOKIE_ATTRIBUTES = "path=/; max-age=31536000; SameSite=Strict"


def owner_id(token: str) -> str:
    """The owner id of a browser token: what job records and runs store, never the token itself."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()[:32]


def browser_owner() -> str:
    """This browser's owner id, from its cookie; a new token (set by :func:`remember_browser`) when it has none."""
    token = _cookie_token()
    if token is None:
        token = st.session_state.setdefault(_TOKEN_KEY, secrets.token_hex(16))
    return owner_id(token)


def _cookie_token() -> str | None:
    try:
        value = st.context.cookies.get(BROWSER_COOKIE)
    except Exception:  # no browser (a bare script run): no cookie
        return None
    return value if isinstance(value, str) and _TOKEN_SHAPE.fullmatch(value) else None


def remember_browser() -> None:
    """Store this session's new browser token in the cookie, so a reload or another tab is the same owner.

    Sent on every run of a session that came without the cookie, not once: the browser runs
    the script when it draws the element, and a click soon after the first page (a student
    switching Follow on at once) starts a run that would otherwise clear the element before
    it ran. The cookie was then never written, and the student's next reload was another owner
    (seen once in the lesson browser test: the reloaded page sent the script again). A script
    run twice writes the same value.
    """
    token = st.session_state.get(_TOKEN_KEY)
    if token is None or _cookie_token() is not None:
        return
    cookie = json.dumps(f"{BROWSER_COOKIE}={token}; {_COOKIE_ATTRIBUTES}")  # hex only: nothing to escape
    st.sidebar.html(f"<script>document.cookie = {cookie};</script>", unsafe_allow_javascript=True, width="content")


# ---------------------------------------------------------------- the teacher


def is_teacher() -> bool:
    return bool(st.session_state.get(TEACHER_KEY)) and access.teacher_mode_available()


def is_student() -> bool:
    """A session on a server with a teacher that is not the teacher: set-up and the minute-long fits are not its call.

    The rule is :meth:`core.access.Actor.may_set_up_data`'s, read the other way round.
    """
    return not actor().may_set_up_data()


def actor() -> access.Actor:
    """Who this session is, for every Stop, retrain and delete (:class:`core.access.Actor`)."""
    return access.Actor(st.session_state.get(state.SESSION_ID_KEY), teacher=is_teacher())


def drop_token_from_url() -> None:
    """An old ``?teacher=...`` link: take the token out of the address bar, unlock nothing, say why."""
    if TEACHER_PARAM not in st.query_params:
        return
    del st.query_params[TEACHER_PARAM]
    st.session_state[_REFUSAL_KEY] = (
        "Links no longer unlock teacher mode (they stay in the browser's history). "
        "Type the token in the sidebar's Teacher box instead."
    )


#: Server objects (:mod:`ui.shared.server_objects`): the ration of tries at the teacher token, and
#: the fact that the server's log said whether teacher mode is on (once per server).
TRIES_OBJECT, MODE_LOGGED_OBJECT = "teacher token tries", "teacher mode logged"
#: Server object: the browsers that unlocked teacher mode (:class:`core.access.RememberedBrowsers`).
TEACHER_BROWSERS_OBJECT = "teacher browsers"


def _teacher_browsers() -> access.RememberedBrowsers:
    return server_objects.once(TEACHER_BROWSERS_OBJECT, access.RememberedBrowsers)


def _guesses():
    """The server's one ration of tries at the teacher token (:func:`core.access.teacher_guess_limiter`)."""
    return server_objects.once(TRIES_OBJECT, access.teacher_guess_limiter)


def _try_keys() -> tuple[tuple[str, str], tuple[str, str]]:
    """What a try is counted under: this browser session and the client's address (:func:`client_address`)."""
    return ("session", str(st.session_state.get(state.SESSION_ID_KEY))), ("client", client_address())


def _wait_words(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"about {minutes} minute{'s' if minutes != 1 else ''}"


def _unlock(given: str | None) -> None:
    why_not = access.teacher_mode_unavailable()
    if why_not is not None:
        st.session_state[_REFUSAL_KEY] = why_not
        return
    keys = _try_keys()
    wait = _guesses().try_now(*keys)
    if wait > 0:
        access.log_refused_try(keys[0][1], keys[1][1], "too many tries")
        st.session_state[_REFUSAL_KEY] = f"Too many tries at the teacher token: wait {_wait_words(wait)}."
    elif access.teacher_token_matches(given):
        st.session_state[TEACHER_KEY] = True
        _teacher_browsers().remember(st.session_state.get(state.SESSION_ID_KEY))
        st.session_state.pop(_REFUSAL_KEY, None)
    else:
        access.log_refused_try(keys[0][1], keys[1][1], "wrong token")
        st.session_state[_REFUSAL_KEY] = "That is not the teacher token. Teacher mode stays locked."


def teacher_panel() -> None:
    """The sidebar's teacher box: a password field to unlock, or the state and a lock button."""
    server_objects.once(MODE_LOGGED_OBJECT, access.log_teacher_mode)  # the server's log says why, once
    refusal = st.session_state.pop(_REFUSAL_KEY, None)
    if refusal:
        st.sidebar.error(refusal, icon=":material/lock:")
    if not access.teacher_mode_available():
        if settings.teacher_token() is not None:  # set but too short: say why there is no teacher box
            st.sidebar.caption(access.teacher_mode_unavailable())
        return
    if is_teacher():
        st.sidebar.success("Teacher mode: you can stop any job and clear the queue.", icon=":material/school:")
        if st.sidebar.button("Leave teacher mode", icon=":material/lock:", key="teacher_lock"):
            st.session_state[TEACHER_KEY] = False
            _teacher_browsers().forget(st.session_state.get(state.SESSION_ID_KEY))
            st.rerun()
        return
    with st.sidebar.expander("Teacher", icon=":material/school:"), st.form("teacher_unlock", border=False):
        wait = _guesses().wait_seconds(*_try_keys())
        if wait > 0:
            st.warning(f"Too many tries: the next one is accepted in {_wait_words(wait)}.", icon=":material/timer:")
        token = st.text_input("Teacher token", type="password", key="teacher_token_input", max_chars=MAX_TOKEN_CHARS)
        if st.form_submit_button("Unlock teacher mode"):
            _unlock(token[:MAX_TOKEN_CHARS])
            st.session_state.pop("teacher_token_input", None)
            st.rerun()


def init_owner() -> None:
    """Give the session its owner id (``session_id``): this browser's, from its cookie; and its teacher mode.

    A new session of a browser that unlocked teacher mode (a reload, a typed page address)
    is the teacher again (:class:`core.access.RememberedBrowsers`).
    """
    owner = st.session_state.setdefault(state.SESSION_ID_KEY, browser_owner())
    if TEACHER_KEY not in st.session_state and access.teacher_mode_available() and _teacher_browsers().knows(owner):
        st.session_state[TEACHER_KEY] = True


def client_address() -> str:
    """Where this session connects from (its IP address; ``"localhost"`` for this machine), for the queue's per-client share.

    Streamlit reports no address for a local connection: every browser on the server's own
    machine is one client. An address can be shared (a school's NAT) or changed (a VPN);
    it only bounds how much of the queue one place can hold, never who owns what.
    """
    try:
        address = st.context.ip_address  # the TCP peer; None on loopback
    except Exception:  # no browser (a bare script run)
        address = None
    return address if isinstance(address, str) and address else "localhost"
