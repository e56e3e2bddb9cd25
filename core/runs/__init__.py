"""Stage 5, runs: a training result in, a stored, checked run folder out (and read back).

``store`` writes and lists runs (ids, checks, atomic folders); ``snapshots`` the weights
kept along the way; ``evaluation`` turns a run's stored test probabilities into the
Evaluate page's numbers without loading a model.
"""
