"""A chart as a Vega-Lite dict with its data inline: what ``st.vega_lite_chart`` draws and ``st.cache_data`` can keep.

Pure: no Streamlit.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

#: What Altair's default theme adds to every spec; Streamlit switches that theme off ("none") to convert.
_DEFAULT_THEME_VIEW = {"continuousWidth": 300, "continuousHeight": 300}


def vega_lite_spec(chart: alt.TopLevelMixin) -> dict:
    """``chart`` as the Vega-Lite dict Streamlit would send, data inline, without Altair's schema validation.

    Why: ``st.altair_chart`` validates the whole spec on every rerun (about 15 of a layered
    chart's 45 ms here) while holding Streamlit's one process-wide Altair lock, and builds
    it again for every session. A chart built by this module is valid by construction
    (``tests/ui`` validates each one), so a page may cache this dict across sessions and
    show it with ``st.vega_lite_chart``. Data frames are inlined here rather than through
    Altair's data transformer, and the default theme's view size dropped rather than the
    theme switched off: both are process-wide settings that Streamlit switches under its lock.
    """
    spec = _inline_data(chart).to_dict(validate=False)
    config = spec.pop("config", {})
    view = {k: v for k, v in config.pop("view", {}).items() if _DEFAULT_THEME_VIEW.get(k) != v}
    config = {**config, "view": view} if view else config
    return {**spec, "config": config} if config else spec


def _inline_data(chart):
    """A shallow copy of ``chart`` (and its layers) whose data frames are inline values, as Altair would write them."""
    chart = chart.copy(deep=False)
    if isinstance(chart.data, pd.DataFrame):
        chart.data = alt.InlineData(values=alt.utils.sanitize_pandas_dataframe(chart.data).to_dict(orient="records"))
    for key in ("layer", "hconcat", "vconcat", "concat"):
        parts = getattr(chart, key, alt.Undefined)
        if parts is not alt.Undefined:
            setattr(chart, key, [_inline_data(part) for part in parts])
    return chart
