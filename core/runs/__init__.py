"""Stage 5, runs: a training result in, a stored, checked run folder out (and read back).

``store`` writes and lists runs (ids, checks, atomic folders; the one home of a run
folder's file names); ``snapshots`` the weights kept along the way; ``tensorboard_log``
a run's TensorBoard event files, written when it is saved; ``manage`` a run's nickname
and tags, deleting one, and the retention rule of a shared server; ``evaluation`` turns
a run's stored test probabilities into the Evaluate page's numbers without loading a
model; ``embeddings`` projects a run's word embeddings in two dimensions (PCA), read
straight from its ``model.keras``; ``calibration`` scales the cost model by what this
machine measured (honest time estimates); ``class_board`` ranks every run on the server
by validation accuracy, with its student's nickname; ``baseline_store`` keeps the fitted
bag-of-words baseline in a folder of its own, like a run; ``blend`` combines a run with
that baseline (logistic regression on their log-odds, fitted on validation reviews only);
``lessons`` reads a teacher's lesson plan (``assets/lessons/*.toml``) and keeps the class's
current step beside the class board, moved by the teacher only; ``derived`` keeps what is
measured once per run (the memory horizon, unit roles) in a JSON file beside the runs;
``labels`` is the "how many labels" experiment (the default preset at 500, 2,000 and 25,000
reviews, from scratch and from GloVe) and finds each of its cells among the stored runs.
"""
