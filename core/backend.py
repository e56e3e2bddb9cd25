"""Keras and TensorFlow, imported once per process without TensorFlow's C++ start-up lines.

TensorFlow 2.21 writes its start-up lines from C++ before absl's logging is set up, so
``TF_CPP_MIN_LOG_LEVEL`` cannot hide them. On a CPU-only machine they include "Could not
find cuda drivers" and "failed call to cuInit: UNKNOWN ERROR (303)", which users read as
failures. Measured on this project's 2-core machines:

- ``TF_CPP_MIN_LOG_LEVEL=2`` or ``3``: the CPU-feature line goes, the oneDNN line
  ("oneDNN custom operations are on") stays and the CUDA lines stay;
- the ``tensorflow-cpu`` build: no CUDA lines, the oneDNN line stays; 0.6 GB smaller, but
  GPU machines would need another requirements file;
- pointing file descriptor 2 at a temporary file while TensorFlow imports and probes its
  devices (this module): nothing is printed with either build, the import takes as long
  as before (it is the same import), and GPU machines keep working.

Hand-written because neither TensorFlow nor absl offers a switch for these lines. What
TensorFlow wrote is shown after all if the import fails, so a broken install still
explains itself. Entry points that are about to use Keras call :func:`import_keras`
first: the CLI's model commands, the training process and the prediction process.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile


def import_keras():
    """``keras``, with TensorFlow imported and its devices probed quietly (once per process)."""
    if "tensorflow" not in sys.modules:
        with tempfile.TemporaryFile() as captured:
            try:
                with _stderr_to(captured):
                    import tensorflow as tf

                    tf.config.list_physical_devices()  # the CUDA probe prints here on CPU-only machines
            except BaseException:
                captured.seek(0)
                sys.stderr.write(captured.read().decode("utf-8", "replace"))
                raise
        tf.get_logger().setLevel("ERROR")
    import keras

    return keras


@contextlib.contextmanager
def _stderr_to(target):
    """Point file descriptor 2 (what C++ writes to) at ``target`` for the block."""
    sys.stderr.flush()
    saved = os.dup(2)
    os.dup2(target.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
