"""An AppTest script (not a test): Predict's verdict view for a made-up, saturated explanation.

It reads the runs folder and the probability from the environment (``SATURATED_RUNS``,
``SATURATED_PROBABILITY``). AppTest installs its script as ``__main__``, and every process
spawned later re-runs ``__main__`` as ``__mp_main__`` first: there it must do nothing
(``AppTest.from_function`` with ``args`` cannot be guarded, and crashed those processes).
"""

import os

from ui.predict import panels as predict_panels


def main() -> None:
    from core.runs.store import RunStore
    from core.serving.explain import Explanation, WordContribution

    run = RunStore(os.environ["SATURATED_RUNS"]).best()
    words = [
        WordContribution("great", 0, 5, 0.001, False, False),
        WordContribution("film", 6, 10, -0.001, False, False),
    ]
    predict_panels.prediction_view(
        run, Explanation(float(os.environ["SATURATED_PROBABILITY"]), words, "great film", 0), None
    )


if __name__ != "__mp_main__":
    main()
