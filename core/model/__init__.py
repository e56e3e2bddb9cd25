"""Stage 4, model: a config and encoded batches in, a trained Keras model and its test metrics out.

Keras and TensorFlow are imported inside the functions that need them, so importing
this package stays cheap (the web server never imports TensorFlow). ``callbacks``, the
Keras callbacks of ``fit`` (progress and cancel, weight snapshots), subclasses Keras's
own, so it is imported only inside :func:`~core.model.training.train`.
"""
