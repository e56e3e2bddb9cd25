"""The LSTM + bag-of-words blend on the pages: Evaluate's comparison and disagreements, Predict's third verdict.

Pure: ``tables`` (the three models side by side, the reviews they disagree on),
``wording`` (names and sentences). Streamlit edge: ``panel``. The blend itself is
:mod:`core.runs.blend`.
"""
