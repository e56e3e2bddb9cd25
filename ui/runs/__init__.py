"""All stored runs together: the runs table, their curves compared, one run's downloads and admin.

Pure: ``tables`` (the runs table, a run's history), ``charts`` (curves of several runs),
``wording`` (the table's note). Streamlit edge: ``panels`` (the table drawn), ``admin``
(nickname, tags, delete).
"""
