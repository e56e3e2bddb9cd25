"""IMDB LSTM Lab core: data, models, training jobs and stored runs, with no Streamlit.

The subpackages are the pipeline's stages, in the order data flows (and the only
direction imports go; ``tests/core/test_stage_order.py`` checks it):

- ``text``: review text -> words (the one tokenizer);
- ``data``: an archive or folder -> the parsed corpus (:func:`core.data.dataset.load_dataset`);
- ``encoding``: corpus + config -> word ids and padded batches;
- ``model``: batches -> a trained Keras model, its history and test metrics;
- ``runs``: a training result -> a stored, checked run folder;
- ``jobs``: a config -> a queued, watched training that ends in a run;
- ``serving``: a run + typed text -> probabilities and explanations;
- ``cli``: ``python -m core`` on top of all of them.

Shared by every stage: ``config`` (the knobs and presets), ``settings`` (where things live),
``errors`` (messages for users), ``atomic`` (writes), ``processes`` (child processes),
``backend`` (Keras and TensorFlow, imported quietly), ``access`` (who may act on what: a
browser session on its own jobs and runs, a teacher on everything), ``rate_limit`` (a few tries
per key in a sliding window: guesses at the teacher token) and ``allocator``
(tcmalloc for the TensorFlow processes, where the machine has it). ``__main__`` is
``python -m core``: the command line, on tcmalloc where there is one.
Import the submodules directly; this package imports nothing heavy, so that
``python -m core data`` and the Explore page stay fast.
"""

import os as _os

# TensorFlow's C++ start-up chatter (oneDNN, CUDA probing) is noise for users of the CLI
# and the app; real errors still surface as Python exceptions.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
