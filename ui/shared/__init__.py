"""What every page shares: the frame a page sits in, the server's shared objects, session state, and the small pure helpers.

Streamlit edge: ``frame`` (the page guard, the sidebar, the data set-up panel),
``resources`` (process-wide objects and cached results), ``state`` (session keys and
their defaults), ``widgets`` (a config field's control, the stored-run picker),
``links`` (each page's choices in the address bar), ``notices`` (the toast when this
session's job ends), ``presenter`` (the projector view), ``pages`` (the page registry:
path, title, icon, slug).

Pure (no Streamlit): ``palette`` (every colour), ``html`` (the only HTML built from
review text), ``vega`` (a chart as a Vega-Lite dict), ``tables`` (CSV bytes, table
cells), ``wording`` (numbers and labels as text), ``assets`` (the files under ``assets/``),
``server_objects`` (the job manager, prediction process, page-run slots and dataset, made
once per process where no client's ``clear_cache`` message can drop them).
"""
