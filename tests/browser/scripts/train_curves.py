"""A page for tests/browser/test_browser_charts.py: the Train page's curve chart in each state a job goes through.

``?state=``: ``first-batches`` (no epoch finished yet, so no validation point), ``one-epoch``
(running, one epoch done) or ``finished`` (a stored run, its x axis not planned ahead). The
real chart code (:func:`ui.train.charts.training_curve_chart`) on made-up numbers.
"""

import streamlit as st

from ui.train import charts, tables

STATE = st.query_params.get("state", "first-batches")
BATCHES = [{"epoch": 1, "batch": b, "loss": 0.7 - 0.01 * b, "accuracy": 0.5 + 0.01 * b} for b in range(1, 9)]
EPOCHS = [{"epoch": 1, "loss": 0.5, "accuracy": 0.8, "val_loss": 0.45, "val_accuracy": 0.82}]

for metric in ("loss", "accuracy"):
    curves = tables.curve_frames(BATCHES, [] if STATE == "first-batches" else EPOCHS, 20, metric, smoothing=0.6)
    planned = None if STATE == "finished" else 2
    st.altair_chart(charts.training_curve_chart(curves, metric, metric, planned), width="stretch")
st.write("All charts drawn.")
