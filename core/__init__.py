"""IMDB LSTM Lab core: data, models, training jobs and stored runs, with no Streamlit.

Data flows one way: archive -> corpus -> vocabulary/encoding -> arrays -> job -> run ->
predictions. Import the submodules directly (``from core import dataset``); this package
imports nothing heavy so that ``python -m core data`` and the Explore page stay fast.
"""

import os as _os

# TensorFlow's C++ start-up chatter (oneDNN, CUDA probing) is noise for users of the CLI
# and the app; real errors still surface as Python exceptions.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
