"""Every Altair chart of the app: each function takes frames (or plain numbers) and returns an ``alt.Chart``.

Pure: no Streamlit, so each chart is testable on its own (``chart.to_dict()``) and the
pages only place them. The frames come shaped from :mod:`ui.tables` (or straight from
``core``); colours from :mod:`ui.palette`, the decision threshold from
:mod:`core.model.metrics`.
"""

from __future__ import annotations


# ---------------------------------------------------------------- Explore


# ---------------------------------------------------------------- Train: live curves


# ---------------------------------------------------------------- Predict


# ---------------------------------------------------------------- Evaluate: one run (its curves: ui.evaluation_charts)


# ---------------------------------------------------------------- Evaluate: all runs


# ---------------------------------------------------------------- the baseline and the probes
