"""Training you can scrub: one slider over a run's weight snapshots.

Pure: ``wording`` (a snapshot's label and sentence). Streamlit edge: ``panel``.
"""
