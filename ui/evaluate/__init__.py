"""The Evaluate page's parts for one run: the confusion matrix, ROC and precision-recall, calibration, lengths, ratings, mistakes.

Pure: ``charts``, ``tables`` (frames for them), ``wording`` (sentences). Streamlit
edge: ``panels`` (one mistaken review), ``labels`` (the "how many labels"
experiment: its chart, its missing runs and the button that trains them). All runs together live in ``ui.runs``.
"""
