"""The Evaluate page's parts for one run: the confusion matrix, ROC and precision-recall, calibration, lengths, ratings, mistakes.

Pure: ``charts``, ``tables`` (frames for them), ``wording`` (sentences). Streamlit
edge: ``panels`` (one mistaken review). All runs together live in ``ui.runs``.
"""
