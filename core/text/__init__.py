"""Stage 1, text: raw review text in, words out.

``tokenizer`` (:mod:`core.text.tokenizer`) is the one place text becomes words, for the
corpus, the statistics and typed reviews alike; ``limits`` (:mod:`core.text.limits`) is the
one clip every typed, pasted or uploaded review goes through first.
"""
