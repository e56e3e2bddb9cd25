"""A room of students on one server: who this browser is, and the teacher's unlock.

**Who owns a job.** A Streamlit session ends on every reload, so owning jobs by session
would hand a student's running job to nobody after an F5. Instead each browser keeps a
random token in a cookie (``imdb_lab_browser``, set by a one-line script, ``SameSite=Strict``)
and a session's owner id is the token's SHA-256 (:func:`owner_id`): the same browser,
any tab or reload, is the same owner; another browser (another student) is not. The
owner id can appear in job records; the token, which proves it, never leaves the cookie.

**The teacher.** The operator sets ``$IMDB_LAB_TEACHER_TOKEN``; a session unlocks teacher
mode by typing it in the sidebar, or with ``?teacher=...`` in a bookmarked URL, which is
removed from the address bar at once. A wrong token gets a plain refusal. The session
keeps only the fact that it is the teacher (:data:`TEACHER_KEY`), never the token.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets

import streamlit as st

from core import access
from ui.shared import state

BROWSER_COOKIE = "imdb_lab_browser"
#: Session key: this session unlocked teacher mode.
TEACHER_KEY = "teacher_mode"
#: Query parameter a bookmarked teacher URL carries (removed on arrival).
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
    """Store this session's new browser token in the cookie, so a reload or another tab is the same owner."""
    token = st.session_state.get(_TOKEN_KEY)
    if token is None or _cookie_token() is not None or st.session_state.get("browser_token_sent"):
        return
    st.session_state["browser_token_sent"] = True
    cookie = json.dumps(f"{BROWSER_COOKIE}={token}; {_COOKIE_ATTRIBUTES}")  # hex only: nothing to escape
    st.sidebar.html(f"<script>document.cookie = {cookie};</script>", unsafe_allow_javascript=True, width="content")


# ---------------------------------------------------------------- the teacher


def is_teacher() -> bool:
    return bool(st.session_state.get(TEACHER_KEY)) and access.teacher_mode_available()


def is_student() -> bool:
    """A session on a server with a teacher that is not the teacher: the minute-long fits are not its call."""
    return access.teacher_mode_available() and not is_teacher()


def actor() -> access.Actor:
    """Who this session is, for every Stop, retrain and delete (:class:`core.access.Actor`)."""
    return access.Actor(st.session_state.get(state.SESSION_ID_KEY), teacher=is_teacher())


def unlock_from_url() -> None:
    """A ``?teacher=...`` link: unlock (or refuse), and take the token out of the address bar at once."""
    if TEACHER_PARAM not in st.query_params:
        return
    given = st.query_params.get(TEACHER_PARAM)
    del st.query_params[TEACHER_PARAM]
    _unlock(given)


def _unlock(given: str | None) -> None:
    if access.teacher_token_matches(given):
        st.session_state[TEACHER_KEY] = True
        st.session_state.pop(_REFUSAL_KEY, None)
    elif not access.teacher_mode_available():
        st.session_state[_REFUSAL_KEY] = "This server has no teacher mode (its operator set no teacher token)."
    else:
        st.session_state[_REFUSAL_KEY] = "That is not the teacher token. Teacher mode stays locked."


def teacher_panel() -> None:
    """The sidebar's teacher box: a password field to unlock, or the state and a lock button."""
    refusal = st.session_state.pop(_REFUSAL_KEY, None)
    if refusal:
        st.sidebar.error(refusal, icon=":material/lock:")
    if not access.teacher_mode_available():
        return
    if is_teacher():
        st.sidebar.success("Teacher mode: you can stop any job and clear the queue.", icon=":material/school:")
        if st.sidebar.button("Leave teacher mode", icon=":material/lock:", key="teacher_lock"):
            st.session_state[TEACHER_KEY] = False
            st.rerun()
        return
    with st.sidebar.expander("Teacher", icon=":material/school:"), st.form("teacher_unlock", border=False):
        token = st.text_input("Teacher token", type="password", key="teacher_token_input", max_chars=MAX_TOKEN_CHARS)
        if st.form_submit_button("Unlock teacher mode"):
            _unlock(token[:MAX_TOKEN_CHARS])
            st.session_state.pop("teacher_token_input", None)
            st.rerun()


def init_owner() -> None:
    """Give the session its owner id (``session_id``): this browser's, from its cookie."""
    st.session_state.setdefault(state.SESSION_ID_KEY, browser_owner())


def client_address() -> str:
    """Where this session connects from (its IP address; ``"localhost"`` for this machine), for the queue's per-client share.

    Streamlit reports no address for a local connection: every browser on the server's own
    machine is one client. An address can be shared (a school's NAT) or changed (a VPN);
    it only bounds how much of the queue one place can hold, never who owns what.
    """
    try:
        return st.context.ip_address or "localhost"
    except Exception:  # no browser (a bare script run)
        return "localhost"
