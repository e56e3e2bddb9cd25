"""The app's Streamlit layer, one package per page or feature; the scripts in ``pages/`` read widgets, call these and ``core``, draw.

Pages: ``explore``, ``train``, ``predict``, ``evaluate``. Features shown on more than one
page: ``runs`` (all stored runs together), ``xray`` (inside the LSTM), ``baseline`` (the
bag of words beside the LSTM), ``blend`` (the LSTM + bag-of-words blend), ``snapshots`` (training you can scrub), ``classroom`` (a
room of students, the class board), ``lessons`` (the teacher's lesson plan, students who follow it). What every page shares: ``shared``.

Inside each package the pure parts (``charts``, ``tables``, ``wording``: no Streamlit,
testable alone) sit apart from the Streamlit edge (``panel``/``panels`` and the like)
that draws them; ``tests/ui/test_layers.py`` holds that line and each package's docstring
names its modules. Nothing in ``ui`` imports Keras or TensorFlow.
"""
