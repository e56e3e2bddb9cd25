"""The Predict page's parts: one review's verdict and why, a scored batch of reviews.

Pure: ``charts`` (probabilities of several runs), ``tables`` (a scored batch, top words
and phrases), ``wording`` (verdicts, what was read, truncation and unknown words).
Streamlit edge: ``panels`` (a prediction, a batch). The X-ray has its own package, ``ui.xray``.
"""
