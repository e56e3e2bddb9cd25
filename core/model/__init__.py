"""Stage 4, model: a config and encoded batches in, a trained Keras model and its test metrics out.

``architecture`` builds the network (embedding, optional convolution, recurrent layers,
pooling, dense); ``training`` is the one :func:`~core.model.training.train` (prepare, build,
fit, score the test set once) and ``optimizers`` its Adam with the embedding's update
compiled by XLA; ``progress`` is the :class:`~core.model.progress.Reporter` seam (progress
out of ``fit``, cancel into it) and ``snapshots`` the rule for the weight snapshots kept
during training; ``inference`` scores padded batches with one traced function;
``metrics`` is the decision rule and the scores of a binary classifier; ``cost`` is what
each knob costs on a 2-core CPU (the time estimate and the slow-setting warnings);
``word_vectors`` is the embedding's pretrained start (GloVe, aligned to the
word ids by word; frozen or fine-tuned); ``baseline`` is the bag-of-words baseline (TF-IDF + logistic regression)
the LSTM has to beat, ``probes`` the word-order probes where order or negation decides the label, and
``scramble`` how far shuffling a review's words moves a model (in log-odds, over seeded shuffles).

Keras and TensorFlow are imported inside the functions that need them, so importing
this package stays cheap (the web server never imports TensorFlow). ``callbacks``, the
Keras callbacks of ``fit`` (progress and cancel, weight snapshots), subclasses Keras's
own, so it is imported only inside :func:`~core.model.training.train`.
"""
