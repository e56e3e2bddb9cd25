"""What a browser tab and the server said to each other, message by message, for a failing test's artifacts.

A page that goes wrong in a way the screenshot cannot explain (a follower's page left blank
after a page switch, issue 31) needs the order of events: which run drew what, which run
finished how, which rerun the page asked for. :func:`record` decodes each websocket frame
with Streamlit's own protobuf classes into one short line; :func:`dump` writes the lines.
"""

from __future__ import annotations

import time
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

#: At most this many lines are kept per tab (the last ones matter).
MAX_LINES = 5_000


def _from_server(frame: bytes) -> str:
    message = ForwardMsg()
    message.ParseFromString(frame)
    kind = message.WhichOneof("type")
    run = message.metadata.run
    detail = ""
    if kind == "new_session":
        detail = f"page {message.new_session.page_script_hash[:8]}"
    elif kind == "script_finished":
        detail = ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)
    elif kind == "delta":
        delta = message.delta
        what = delta.WhichOneof("type")
        element = delta.new_element.WhichOneof("type") if what == "new_element" else ""
        detail = f"path {list(message.metadata.delta_path)} {what} {element}"
    elif kind == "page_info_changed":
        detail = message.page_info_changed.query_string[:80]
    return f"< [{run.script_run_id[:8]} fragments {[f[:8] for f in run.fragment_ids]}] {kind} {detail}"


def _from_browser(frame: bytes | str) -> str:
    message = BackMsg()
    message.ParseFromString(frame if isinstance(frame, bytes) else frame.encode())
    kind = message.WhichOneof("type")
    if kind == "rerun_script":
        rerun = message.rerun_script
        return (
            f"> rerun page {rerun.page_script_hash[:8]} fragment {rerun.fragment_id[:8]} "
            f"auto {rerun.is_auto_rerun} query {rerun.query_string[:60]}"
        )
    return f"> {kind}"


def _line(decode, frame) -> str:
    try:
        text = decode(frame)
    except Exception as error:  # a frame this Streamlit cannot parse: say so, keep recording
        text = f"? undecoded frame ({error})"
    return f"{time.time():.3f} {text}"


def record(tab) -> list[str]:
    """Start recording ``tab``'s websocket traffic and console; the returned list fills as the page runs."""
    lines: list[str] = []

    def keep(line: str) -> None:
        lines.append(line)
        del lines[:-MAX_LINES]

    def watch(socket) -> None:
        socket.on("framereceived", lambda frame: keep(_line(_from_server, frame)))
        socket.on("framesent", lambda frame: keep(_line(_from_browser, frame)))

    tab.on("websocket", watch)
    tab.on("console", lambda message: keep(f"{time.time():.3f} console {message.type}: {message.text[:300]}"))
    return lines


def dump(lines: list[str], path: Path) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
