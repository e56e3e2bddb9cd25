"""Inside the LSTM, word by word: the running verdict, the units x words heatmaps, the memory horizon.

Pure: ``charts``; ``tables`` (the verdict with and without interventions, the unit roles table);
``wording`` (how to read each internal view, shaky-comparison warnings).
Streamlit edge: ``panel``; ``interventions`` (what-ifs stacked on the review, in the link);
``unit_roles`` (each unit's effect when silenced, its words). The numbers come from :mod:`core.serving.xray`.
"""
