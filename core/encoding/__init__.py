"""Stage 3, encoding: a corpus and a :class:`~core.config.TrainConfig` in, model inputs out.

``word_ids`` turns ranked words (or typed text) into Keras word ids exactly as
``keras.datasets.imdb`` does; ``arrays`` splits them into train / validation / test,
truncates them and forms padded, length-bucketed batches; ``model_input`` is what the
model sees for one review (the one encoder behind Explore's token view and the Predictor,
through those same two modules).
"""
