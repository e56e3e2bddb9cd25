"""The bag-of-words baseline beside the LSTM: reference lines, its verdict, word-order probes, the embedding map.

Pure: ``comparisons`` (frames and sentences), ``charts`` (reference lines, probes,
embedding map). Streamlit edge: ``panel``.
"""
