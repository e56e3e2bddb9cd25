"""Stage 2, data: an archive, folder or Keras ``imdb.npz`` in, an :class:`~core.data.dataset.ImdbData` out.

``sources`` finds and reads the reviews safely, within the caps of ``limits`` (member count,
member size, decompressed bytes, file size before hashing), ``corpus`` turns them into ranked words,
``corpus_cache`` keeps the parsed corpus on disk, ``keras_npz`` reads Keras's own copy,
``dataset`` is the one entry point (:func:`~core.data.dataset.load_dataset`), ``uploads``
stores an archive a user uploads (checked before it replaces anything), and ``stats``
measures lengths and vocabulary coverage for the Explore page. ``glassbox`` generates the
glass-box task (a "not" that flips a sentiment word: a job whose solution is known) as its own archive.
"""
