"""Training in a child process: the web server never trains on its own cores' time slice.

The job manager starts one child per job (``spawn``, so the server's threads and
TensorFlow state are not forked). The child lowers its priority (``nice``), loads the
dataset from the corpus cache, trains, saves the run and reports everything through a
pipe: ``("phase", name)``, ``("started", ...)``, ``("batch", ...)``, ``("epoch", ...)`` and
finally ``("result", {...})`` or ``("error", message)``. Cancel is an event the child
checks after every batch. If the child dies (out of memory, killed), the pipe closes
without a result and the manager marks the job failed; the server stays up.

A *spare* (:func:`spare_main`) is such a child started before its job: it imports
TensorFlow and reads the dataset, then waits for one job on its (two-way) pipe, so the
job's first batch comes seconds sooner. It trains that one job and ends, like any child.
"""

from __future__ import annotations

import contextlib
import traceback

from core import processes
from core.backend import import_keras
from core.errors import LabError
from core.model.progress import Reporter


class _PipeReporter(Reporter):
    def __init__(self, conn, cancel, keep_partial_flag=None):
        self.conn, self.cancel, self.keep_partial_flag = conn, cancel, keep_partial_flag
        self.parent = processes.ParentWatch()
        self.orphaned = False

    def phase(self, name):
        self.conn.send(("phase", name))

    def started(self, epochs, batches_per_epoch, train_samples):
        self.conn.send(("started", epochs, batches_per_epoch, train_samples))

    def batch(self, epoch, batch, loss, accuracy, samples):
        self.conn.send(("batch", epoch, batch, loss, accuracy, samples))

    def epoch(self, epoch, logs):
        self.conn.send(("epoch", epoch, logs))

    def should_stop(self):
        # A server killed with SIGKILL cannot stop its children: they notice by themselves.
        if self.parent.parent_gone():
            self.orphaned = True
        return self.orphaned or self.cancel.is_set()

    def wants_partial(self):
        return not self.orphaned and (self.keep_partial_flag is None or bool(self.keep_partial_flag.value))


def child_main(
    conn, config_dict: dict, data_path: str, runs_dir: str, keep_partial_flag, cancel, trainer=None, owner=None
) -> None:
    """Entry point of the training process (must stay importable and picklable); ``owner`` is stored with the run."""
    processes.lower_priority()
    import_keras()  # quietly, before anything else loads TensorFlow
    _train_and_report(conn, config_dict, data_path, runs_dir, keep_partial_flag, cancel, trainer, owner)


def spare_main(conn, data_path: str, keep_partial_flag, cancel) -> None:
    """Entry point of a spare: get ready (TensorFlow, Keras's layers, the dataset), then train the one job sent.

    The job comes as ``("job", config_dict, runs_dir, trainer, owner)``; the end of the pipe
    (the manager retired this spare, or the server is gone) ends the process untouched.
    """
    processes.lower_priority()
    import_keras()
    ready = None
    with contextlib.suppress(Exception):  # a dataset that fails to load fails the job, in _train_and_report
        import core.model.training  # noqa: F401  (Keras's layers and the training code, imported ahead)
        from core.data.dataset import load_dataset

        ready = load_dataset(data_path, allow_download=False)
    try:
        _, config_dict, runs_dir, trainer, owner = conn.recv()
    except (EOFError, OSError):
        return
    _train_and_report(conn, config_dict, data_path, runs_dir, keep_partial_flag, cancel, trainer, owner, ready)


def _train_and_report(
    conn, config_dict, data_path, runs_dir, keep_partial_flag, cancel, trainer, owner, data=None
) -> None:
    """Train one job and store its run, reporting through ``conn``; ``data``: the dataset if already read."""
    try:
        from core.config import TrainConfig
        from core.data.dataset import load_dataset
        from core.model.training import train
        from core.runs.store import RunStore, store_outcome

        config = TrainConfig.from_dict(config_dict)
        reporter = _PipeReporter(conn, cancel, keep_partial_flag)
        if data is None:
            reporter.phase("loading data")
            data = load_dataset(data_path, allow_download=False)
        result = (trainer or train)(config, data, reporter)
        if reporter.orphaned:  # nobody is waiting for this run any more: save nothing
            return
        outcome = store_outcome(
            RunStore(runs_dir),
            result,
            config,
            data,
            keep_partial=bool(keep_partial_flag.value),
            before_save=lambda: reporter.phase("saving"),
            owner=owner,
        )
        conn.send(("result", outcome))
    except LabError as error:
        conn.send(("error", str(error)))
    except BaseException as error:  # report, then let the process end
        traceback.print_exc()
        with contextlib.suppress(OSError):
            conn.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        conn.close()
