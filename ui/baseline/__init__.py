"""The bag-of-words baseline beside the LSTM: reference lines, its verdict, word-order probes, the embedding map.

Pure: ``comparisons`` (frames and sentences), ``wording`` (Scramble's sentences, judged
by how far each model moved), ``charts`` (reference lines, probes, embedding map).
Streamlit edge: ``panel``.
"""
