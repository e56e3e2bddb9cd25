"""A Streamlit client that speaks the app's websocket protocol, without a browser.

For load benchmarks: thirty headless Chromium tabs do not fit on the two cores that also
run the server, so their own rendering would be measured instead of the server. This
client sends what the browser sends (``BackMsg.rerun_script`` with the widget values the
user changed and the page chosen) and reads what the server answers (``ForwardMsg``:
deltas, navigation, script finished), which is all the server's work for a rerun.

    async with AppSession(url) as session:
        await session.rerun()                            # the first page, like opening a tab
        await session.set_widget("slider", "maxlen", [400])
        await session.goto("Predict")
        await session.set_widget("text_area", "Your review", "Loved it")
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

#: Which WidgetState field carries each widget type's value (as the frontend fills it).
VALUE_FIELDS = {
    "slider": "double_array_value",
    "text_area": "string_value",
    "text_input": "string_value",
    "checkbox": "bool_value",
    "button": "trigger_value",
    "selectbox": "string_value",
}


class ProtocolError(RuntimeError):
    """The server answered something a browser would show as a failure."""


@dataclass
class RunResult:
    """What one script run (or chain of runs, after ``st.rerun``/``st.switch_page``) produced."""

    seconds: float
    texts: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)

    def mentions(self, word: str) -> bool:
        return any(word.lower() in text.lower() for text in self.texts)


class AppSession:
    """One browser tab's worth of protocol: connect, rerun with widget values, change page."""

    def __init__(self, url: str, timeout: float = 120.0):
        self.ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.timeout = timeout
        self.pages: dict[str, str] = {}  # page title -> page_script_hash
        self.page_hash = ""
        self.widgets: dict[tuple[str, str], str] = {}  # (type, label) -> widget id, on the current page
        self.values: dict[str, WidgetState] = {}  # widget id -> the value we set
        self._ws = None

    async def __aenter__(self) -> AppSession:
        import websockets

        self._ws = await websockets.connect(
            self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=self.timeout
        )
        return self

    async def __aexit__(self, *exc) -> None:
        await self._ws.close()

    async def rerun(self, page_hash: str | None = None) -> RunResult:
        """Ask for a script run with the current widget values and wait until it is over."""
        message = BackMsg()
        state = message.rerun_script
        state.query_string = ""
        state.page_script_hash = self.page_hash if page_hash is None else page_hash
        for value in self.values.values():
            state.widget_states.widgets.append(value)
        started = time.perf_counter()
        await self._ws.send(message.SerializeToString())
        return await asyncio.wait_for(self._read_until_finished(started), timeout=self.timeout)

    async def set_widget(self, kind: str, label: str, value) -> RunResult:
        """Change the widget of type ``kind`` labelled ``label`` (as the user would) and rerun."""
        widget_id = self.widgets.get((kind, label))
        if widget_id is None:
            raise ProtocolError(f"no {kind} labelled {label!r} on this page; found {sorted(self.widgets)}")
        state = WidgetState(id=widget_id)
        target = getattr(state, VALUE_FIELDS[kind])
        if kind == "slider":
            target.data.extend(value)
        else:
            setattr(state, VALUE_FIELDS[kind], value)
        self.values[widget_id] = state
        return await self.rerun()

    async def click(self, label: str) -> RunResult:
        """Press the button labelled ``label``: a trigger, sent with this one rerun only."""
        widget_id = self.widgets.get(("button", label))
        if widget_id is None:
            raise ProtocolError(f"no button labelled {label!r} on this page")
        self.values[widget_id] = WidgetState(id=widget_id, trigger_value=True)
        try:
            return await self.rerun()
        finally:
            self.values.pop(widget_id, None)

    async def unlock_teacher(self, token: str) -> RunResult:
        """Type ``token`` in the sidebar's Teacher box and press Unlock (the only way in: no teacher link)."""
        await self.set_widget("text_input", "Teacher token", token)
        widget_id = self.widgets.get(("text_input", "Teacher token"))
        try:
            return await self.click("Unlock teacher mode")
        finally:
            self.values.pop(widget_id, None)  # a browser forgets what it typed in a submitted form

    async def clear_cache(self) -> None:
        """Send what the menu's "Clear cache" sends (any client can, whatever the toolbar shows); no run follows."""
        await self._ws.send(BackMsg(clear_cache=True).SerializeToString())

    async def goto(self, title: str) -> RunResult:
        """Open another page of ``st.navigation`` by its title, as a sidebar click does."""
        if title not in self.pages:
            raise ProtocolError(f"no page {title!r}; pages: {sorted(self.pages)}")
        self.values.clear()  # the browser drops the old page's widgets
        return await self.rerun(self.pages[title])

    async def _read_until_finished(self, started: float) -> RunResult:
        result = RunResult(seconds=0.0)
        self.widgets = {}
        while True:
            raw = await self._ws.recv()
            message = ForwardMsg()
            message.ParseFromString(raw)
            kind = message.WhichOneof("type")
            if kind == "navigation":
                self.pages = {page.page_name: page.page_script_hash for page in message.navigation.app_pages}
                self.page_hash = message.navigation.page_script_hash
            elif kind == "page_not_found":
                raise ProtocolError(f"page not found: {message.page_not_found.page_name}")
            elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                self._note_element(message.delta.new_element, result)
            elif kind == "script_finished":
                if message.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise ProtocolError("the script failed to compile")
                if message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                    result.seconds = time.perf_counter() - started
                    return result
                # FINISHED_EARLY_FOR_RERUN: st.rerun or st.switch_page; the next run follows.

    def _note_element(self, element, result: RunResult) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            result.exceptions.append(f"{element.exception.type}: {element.exception.message[:200]}")
        elif kind in ("markdown", "alert", "text"):
            result.texts.append(getattr(element, kind).body)
        elif kind == "heading":
            result.texts.append(element.heading.body)
        elif kind == "metric":
            result.texts.append(f"{element.metric.label}: {element.metric.body}")
        elif kind == "progress":
            result.texts.append(element.progress.text)
        elif kind in VALUE_FIELDS:
            widget = getattr(element, kind)
            self.widgets[(kind, widget.label)] = widget.id
