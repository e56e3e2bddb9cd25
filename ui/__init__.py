"""The app's Streamlit layer, split by kind; the pages in ``pages/`` read widgets, call these and ``core``, draw.

Streamlit edge (import ``streamlit``): ``resources`` (process-wide objects and cached
results), ``state`` (session state and the Train knobs), ``frame`` (what every page
shares: the guard, the sidebar, the data set-up panel), ``widgets`` (widgets more than
one page uses) and ``views`` (one core result drawn: a training job, a prediction).

Pure (no Streamlit, testable alone): ``palette`` (every colour), ``charts`` (every
Altair chart), ``html`` (the only HTML built from review text), ``wording`` (sentences
and numbers as text), ``tables`` (frames for tables and downloads), ``assets`` (the
files under ``assets/``). Nothing in ``ui`` imports Keras or TensorFlow.
"""
