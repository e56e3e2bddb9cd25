"""The runs table drawn (Streamlit edge): filters, the columns that differ, column formats."""

from __future__ import annotations

import streamlit as st

from ui.runs import tables, wording

RUNS_COLUMN_CONFIG = {
    "run": st.column_config.TextColumn(pinned=True),
    "validation accuracy": st.column_config.NumberColumn(format="%.3f"),
    "test accuracy": st.column_config.NumberColumn(format="%.3f"),
    "test loss": st.column_config.NumberColumn(format="%.3f"),
    "created": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
    "learning_rate": st.column_config.NumberColumn(format="%g"),
}


def runs_table_view(table, differing: list[str]) -> None:
    """The runs table (:func:`ui.runs.tables.runs_table` rows) sorted and filtered by any column.

    It shows the ``differing`` config fields (:func:`ui.runs.tables.differing_fields`) unless
    the toggle asks for all, and starts sorted by validation accuracy, best first.
    """
    columns = list(table.columns)
    sort_col, order_col, filter_col, keep_col = st.columns([2, 1.2, 2, 3], vertical_alignment="bottom")
    sort_by = sort_col.selectbox(
        "Sort by",
        columns,
        index=columns.index(tables.RUNS_DEFAULT_SORT),
        key="evaluate_runs_sort",
        persist_state="session",
    )
    descending = order_col.toggle("Highest first", value=True, key="evaluate_runs_descending", persist_state="session")
    filter_by = filter_col.selectbox(
        "Filter by", columns, index=None, placeholder="no filter", key="evaluate_runs_filter", persist_state="session"
    )
    keep = []
    if filter_by:
        keep = keep_col.multiselect(
            f"Keep the runs whose {filter_by} is",
            tables.filter_values(table, filter_by),
            key=f"evaluate_runs_keep_{filter_by}",
            placeholder="any value",
        )
    show_all = st.toggle(
        "Show every config field",
        key="evaluate_runs_all_fields",
        persist_state="session",
        help="Off: only the settings that differ between the runs.",
    )
    fields = list(tables.CONFIG_COLUMNS) if show_all else differing
    view = tables.runs_view(
        table, fields=fields, sort_by=sort_by, descending=descending, filter_by=filter_by, keep=keep
    )
    st.dataframe(view, hide_index=True, width="stretch", column_config=RUNS_COLUMN_CONFIG)
    st.caption(wording.runs_table_note(len(view), len(table), len(differing), show_all))
