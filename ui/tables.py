"""The frames behind the app's tables, downloads and charts: one row per review, run, cell, bin or epoch.

Pure: no Streamlit. Each function takes ``core`` results (an evaluation's frames, a
run's history, :class:`core.runs.store.RunInfo` objects, probabilities) and returns a
``pandas.DataFrame`` (or its CSV bytes); the pages pass them to ``st.dataframe`` and
``st.download_button``, :mod:`ui.charts` draws them. Shaping here keeps a chart at a
few hundred rows and makes each shape testable. Labels and confidences come from
:mod:`core.model.metrics`.
"""

from __future__ import annotations

# ---------------------------------------------------------------- Explore and Train: chart data


# ---------------------------------------------------------------- Predict


# ---------------------------------------------------------------- Evaluate: one run


# ---------------------------------------------------------------- Evaluate: all runs
