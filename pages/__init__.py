"""The app's pages (run by ``app.py`` through ``st.navigation``) and their shared helpers.

``explore.py`` and ``train.py`` are pages; ``common.py`` (Streamlit edge: data, set-up
panel, job manager, session defaults) and ``views.py`` (pure shaping of core's results)
are imported by them.
"""
