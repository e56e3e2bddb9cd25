"""Inside the LSTM, word by word: the running verdict, the units x words heatmaps, the memory horizon.

Pure: ``charts``; ``wording`` (how to read each internal view, shaky-comparison warnings).
Streamlit edge: ``panel``. The numbers come from :mod:`core.serving.xray`.
"""
