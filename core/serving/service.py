"""Predictions in a child process, so that the web server never imports TensorFlow.

Why a process: once ``keras`` is imported, Streamlit clears Keras's session after
*every* script run of *every* browser session (``keras.backend.clear_session()``, a full
garbage collection: 145 ms per rerun measured here, on every page), and a crash or
out-of-memory inside TensorFlow would take the server with it. One long-lived child
holds up to ``max_models`` loaded runs (:class:`core.serving.predictor.Predictor`, Keras
``safe_mode``) and answers one request at a time over a pipe; the server only sees
numbers and :class:`core.serving.explain.Explanation` objects. Predict, explain, X-ray and
interventions take an optional ``snapshot``: the model as it was at that point of its training
(:meth:`core.serving.predictor.Predictor.use_snapshot`; the stored model otherwise).

A child that dies is started again on the next request; a request that takes longer
than ``timeout`` seconds kills it. Both are reported as :class:`RunError` with a message
for the user. The child exits by itself when the server goes (its pipe closes).
"""

from __future__ import annotations

import contextlib
import threading
import traceback
import weakref
from collections import OrderedDict
from pathlib import Path

import numpy as np

from core import processes, settings
from core.errors import LabError, RunError

WARM, PREDICT, EXPLAIN, XRAY, HORIZON, KNOWN = "warm", "predict", "explain", "xray", "horizon", "known"
INTERVENE, ROLES = "intervene", "roles"


class PredictionService:
    """The server's handle on the prediction process (thread-safe; requests are serialized).

    Args:
        runs_dir: the runs store the child reads models from.
        max_models: loaded runs the child keeps (least recently used dropped first; default:
            :func:`core.settings.loaded_models`).
        timeout: seconds a request may take before the child is killed and the request fails.

    Example::

        service = PredictionService("runs")
        service.warm_in_background(run.run_id, run.created)  # at a session's first visit
        probabilities = service.predict(run.run_id, run.created, ["A wonderful film"])
    """

    def __init__(self, runs_dir: str | Path, *, max_models: int | None = None, timeout: float = 120.0):
        self.runs_dir = str(runs_dir)
        self.max_models, self.timeout = max_models or settings.loaded_models(), timeout
        self._lock = threading.Lock()
        self._process = self._conn = None
        self.starts = 0
        self._finalizer = None

    # ------------------------------------------------------------ requests

    def warm(self, run_id: str, created: float) -> None:
        """Load ``run_id``'s model and score one text, so that the first prediction waits for neither."""
        self._request(WARM, run_id, created, None)

    def warm_in_background(self, run_id: str, created: float) -> threading.Thread:
        def load():
            with contextlib.suppress(LabError):  # the page that needs the model reports the problem
                self.warm(run_id, created)

        thread = threading.Thread(target=load, name=f"warm-{run_id}", daemon=True)
        thread.start()
        return thread

    def predict(self, run_id: str, created: float, texts: list[str], snapshot: int | None = None) -> np.ndarray:
        """Probability of positive for each text (with weight snapshot ``snapshot``, if given)."""
        return self._request(PREDICT, run_id, created, list(texts), snapshot)

    def known_words(self, run_id: str, created: float, texts: list[str]) -> np.ndarray:
        """:meth:`core.serving.predictor.Predictor.known_words` of ``texts`` (words in the run's vocabulary)."""
        return self._request(KNOWN, run_id, created, list(texts))

    def explain(self, run_id: str, created: float, text: str, span: int = 1, snapshot: int | None = None):
        """:func:`core.serving.explain.explain` of ``text`` with ``run_id``'s model, removing ``span`` words at a time."""
        return self._request(EXPLAIN, run_id, created, (text, span), snapshot)

    def xray(self, run_id: str, created: float, text: str, snapshot: int | None = None):
        """:func:`core.serving.xray.xray` of ``text`` (states, gates, running verdict), computed in the child."""
        return self._request(XRAY, run_id, created, text, snapshot)

    def intervene(self, run_id: str, created: float, text: str, specs: list[str], snapshot: int | None = None):
        """:func:`core.serving.interventions.intervene`: the X-ray of ``text`` with and without ``specs``."""
        return self._request(INTERVENE, run_id, created, (text, list(specs)), snapshot)

    def unit_roles(self, run_id: str, created: float, texts: list[str]) -> dict:
        """:func:`core.serving.unit_roles.cached_unit_roles` on ``texts`` (computed once per run, then read)."""
        return self._request(ROLES, run_id, created, list(texts))

    def horizon(self, run_id: str, created: float, texts: list[str]) -> dict:
        """:func:`core.serving.horizon.cached_horizon` on ``texts`` (computed once per run, then read)."""
        return self._request(HORIZON, run_id, created, list(texts))

    @property
    def restarts(self) -> int:
        """Children started after the first (one died, was killed or timed out)."""
        return max(0, self.starts - 1)

    def pid(self) -> int | None:
        return self._process.pid if self._process is not None and self._process.is_alive() else None

    def close(self) -> None:
        with self._lock:
            self._stop_child()

    # ------------------------------------------------------------ the child

    def _request(self, op: str, run_id: str, created: float, payload, snapshot: int | None = None):
        if not self._lock.acquire(timeout=self.timeout):
            raise RunError(f"The model is busy with other requests (waited {self.timeout:g} s). Try again.")
        try:
            for _ in range(2):  # a child that died since the last request is replaced once
                self._start_child()
                try:
                    self._conn.send((op, run_id, created, payload, snapshot))
                except (BrokenPipeError, OSError):
                    self._stop_child()
                    continue
                return self._answer()
            raise RunError("The prediction process could not be started. See the server log.")
        finally:
            self._lock.release()

    def _answer(self):
        try:
            ready = self._conn.poll(self.timeout)
            reply = self._conn.recv() if ready else None
        except (EOFError, OSError):
            code = self._stop_child()
            raise RunError(
                f"The prediction process stopped (exit code {code}; out of memory?). It starts again "
                "with the next prediction."
            ) from None
        if reply is None:
            self._stop_child(grace=0)  # it is busy, not reading the pipe: no point waiting
            raise RunError(f"The prediction took more than {self.timeout:g} s and was stopped. Try a shorter text.")
        status, value = reply
        if status == "error":
            raise RunError(value)
        return value

    def _start_child(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        if self._process is not None:
            self._stop_child()
        self._process, self._conn = processes.start(
            serve, (self.runs_dir, self.max_models), name="imdb-lab-predict", duplex=True
        )
        self.starts += 1
        self._finalizer = weakref.finalize(self, processes.stop, self._process, self._conn)

    def _stop_child(self, grace: float = 5.0) -> int | None:
        process, self._process = self._process, None
        if process is None:
            return None
        if self._finalizer is not None:
            self._finalizer.detach()
        return processes.stop(process, self._conn, grace)


def serve(conn, runs_dir: str, max_models: int) -> None:
    """The prediction process: answer requests until the server closes the pipe."""
    from core.backend import import_keras

    import_keras()  # quietly, before the first model loads TensorFlow
    from core.runs.store import RunStore
    from core.serving.predictor import Predictor

    store = RunStore(runs_dir)
    loaded: OrderedDict[tuple[str, float], Predictor] = OrderedDict()

    def predictor(run_id: str, created: float) -> Predictor:
        key = (run_id, created)  # a run made again under the same id is a different model
        if key not in loaded:
            run = store.get(run_id)
            if run.created != created:
                raise RunError(f"Run {run_id} changed on disk; reload the page.")
            loaded[key] = Predictor(run_id, store)
            while len(loaded) > max_models:
                loaded.popitem(last=False)
        loaded.move_to_end(key)
        return loaded[key]

    while True:
        try:
            op, run_id, created, payload, snapshot = conn.recv()
        except (EOFError, OSError):
            return
        try:
            model = predictor(run_id, created)
            model.use_snapshot(snapshot if op in (PREDICT, EXPLAIN, XRAY, INTERVENE) else None)
            reply = ("ok", _answer_op(model, op, payload, store.root, created))
        except LabError as error:
            reply = ("error", str(error))
        except Exception as error:  # report to the page, keep serving
            traceback.print_exc()
            reply = ("error", f"Prediction failed ({type(error).__name__}: {error}).")
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return


def _answer_op(model, op: str, payload, runs_root: Path, created: float):
    """One request of :func:`serve`, answered by the loaded ``model`` (in the prediction process)."""
    from core.serving.explain import explain
    from core.serving.horizon import cached_horizon
    from core.serving.interventions import intervene
    from core.serving.unit_roles import cached_unit_roles
    from core.serving.xray import xray

    if op == WARM:
        model.predict(["Warm-up: the first call builds the inference graph."])
        return None
    if op == XRAY:
        return xray(model, payload)
    if op == INTERVENE:
        return intervene(model, *payload)
    if op == ROLES:
        return cached_unit_roles(model, payload, runs_root, created)
    if op == KNOWN:
        return model.known_words(payload)
    if op == HORIZON:
        return cached_horizon(model, payload, runs_root, created)
    return model.predict(payload) if op == PREDICT else explain(model, *payload)
