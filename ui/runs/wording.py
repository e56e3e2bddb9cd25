"""What the runs table says about itself: how many runs are shown and which columns differ.

Pure: no Streamlit.
"""

from __future__ import annotations


def runs_table_note(shown: int, total: int, differing: int, show_all: bool) -> str:
    """The caption under the runs table: how many runs and which settings it shows, and which accuracy to trust."""
    rows = f"{shown} of {total} runs" if shown != total else f"{total} run{'s' if total != 1 else ''}"
    fields = (
        "every setting"
        if show_all
        else f"the {differing} setting{'s' if differing != 1 else ''} that differ between them"
        if differing
        else "no setting: they all share the same settings"
    )
    return (
        f"{rows}, with {fields}. Compare and pick runs by **validation accuracy**; the test accuracy is for the "
        "end, once a run is chosen (picking by it tunes the runs to the test set). Test accuracies measured on a "
        "test slice (`test_limit`) are not comparable with full-test-set ones."
    )
