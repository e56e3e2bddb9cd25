"""The trainer every executor of the contract suite uses: real training, or a scripted failure by seed.

Module level and importable, because process children and RQ work horses import it
(workers through ``$IMDB_LAB_TRAINER``, :data:`core.jobs.queue_task.TRAINER_ENV`).
"""

from __future__ import annotations

import os
import signal
import time

#: Seeds that script a failure instead of training.
FAIL_SEED, KILL_SEED, HANG_SEED = 6661, 6662, 6663
TRAINER = "tests.core.jobs.contract_trainers:trainer"


def trainer(config, data, reporter):
    """Real training (:func:`core.model.training.train`), except for the scripted seeds."""
    if config.seed == FAIL_SEED:
        raise RuntimeError("boom: out of memory")
    if config.seed == KILL_SEED:  # dies like an out-of-memory kill
        reporter.phase("about to crash")
        os.kill(os.getpid(), signal.SIGKILL)
    if config.seed == HANG_SEED:  # stuck inside one long step: never reaches a batch end
        reporter.phase("training")
        time.sleep(600)
    from core.model.training import train

    return train(config, data, reporter)
