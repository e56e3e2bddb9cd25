"""One core result, drawn: a config's cost, a training job, a prediction, a scored batch.

Each view takes what ``core`` returns (a :class:`core.config.TrainConfig`, a
:class:`core.jobs.manager.JobSnapshot`, a :class:`core.serving.explain.Explanation`
with its run, a table of probabilities) and draws all of it, so the Train and Predict
pages only decide which one to show. Views wait for nothing and train or predict
nothing; the sentences come from :mod:`ui.wording`, the charts from :mod:`ui.charts`,
the HTML from :mod:`ui.html`.
"""

from __future__ import annotations


# ---------------------------------------------------------------- Train: a job


# ---------------------------------------------------------------- Predict: one review


# ---------------------------------------------------------------- Predict: a batch


# ---------------------------------------------------------------- Evaluate
