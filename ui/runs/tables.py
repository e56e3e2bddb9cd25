"""The runs table and a run's history as frames: one row per run or per epoch, for tables, downloads and charts.

Pure: no Streamlit. Takes :class:`core.runs.store.RunInfo` objects and their histories.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from core.config import CUSTOM, TrainConfig
from core.runs.store import validation_accuracy
from ui.shared.tables import number_or_nan
from ui.train.tables import epochs_done


def history_table(history: dict) -> pd.DataFrame:
    """A run's history as one table: per-epoch rows (kind "epoch") then per-batch rows (kind "batch")."""
    epochs = pd.DataFrame(list(history.get("epochs", ())))
    batches = pd.DataFrame(list(history.get("batches", ())))
    parts = []
    if not epochs.empty:
        parts.append(epochs.assign(kind="epoch"))
    if not batches.empty:
        parts.append(batches.assign(kind="batch"))
    if not parts:
        return pd.DataFrame({"kind": pd.Series(dtype=str)})
    table = pd.concat(parts, ignore_index=True)
    first = [c for c in ("kind", "epoch", "batch", "step") if c in table.columns]
    return table[first + [c for c in table.columns if c not in first]]


def history_csv(history: dict) -> bytes:
    """:func:`history_table` as UTF-8 CSV, the Evaluate page's history download."""
    return history_table(history).to_csv(index=False).encode("utf-8")


def history_curves(histories: dict[str, dict]) -> pd.DataFrame:
    """Per-epoch curves of several runs, long format: run, epoch, metric, split, value.

    ``histories`` maps a run id to :meth:`core.runs.store.RunStore.history`. split is
    "training" (``loss``/``accuracy``) or "validation" (``val_loss``/``val_accuracy``).
    """
    rows = []
    for run_id, history in histories.items():
        for epoch in history.get("epochs", ()):
            for metric in ("loss", "accuracy"):
                for split, key in (("training", metric), ("validation", f"val_{metric}")):
                    value = epoch.get(key)
                    if value is not None and math.isfinite(float(value)):
                        rows.append(
                            {
                                "run": run_id,
                                "epoch": int(epoch["epoch"]),
                                "metric": metric,
                                "split": split,
                                "value": float(value),
                            }
                        )
    return pd.DataFrame(rows, columns=["run", "epoch", "metric", "split", "value"])


def runs_table(runs) -> pd.DataFrame:
    """One row per stored run (:class:`core.runs.store.RunInfo`): metrics first, then every config field (:data:`CONFIG_COLUMNS`).

    ``validation accuracy`` is the kept model's (:func:`core.runs.store.validation_accuracy`):
    the number to compare runs by, the test accuracy being for the end.
    """
    rows = []
    for run in runs:
        run_metrics = run.test_metrics or {}
        row = {
            "run": run.run_id,
            "preset": run.preset or CUSTOM,
            "validation accuracy": validation_accuracy(run) if getattr(run, "path", None) else math.nan,
            "test accuracy": number_or_nan(run_metrics.get("accuracy")),
            "test loss": number_or_nan(run_metrics.get("loss")),
            "test reviews": run_metrics.get("count"),
            "epochs trained": run_epochs(run),  # "epochs" is the config's (planned) column below
            "best epoch": MISSING if run.best_epoch is None else str(run.best_epoch),
            "train seconds": round(run.train_seconds, 1),
            "samples/s": round(run.samples_per_second, 1),
            "created": dt.datetime.fromtimestamp(run.created),
            "partial": run.partial,
            "model": run.config.summary(),
        }
        row.update({name: MISSING if value is None else value for name, value in run.config.to_dict().items()})
        rows.append(row)
    return pd.DataFrame(rows)


def without_test(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` without its test-split columns: what a student sees while the teacher keeps the test hidden."""
    return table.drop(columns=[name for name in table.columns if name.startswith("test ")])


#: What a table shows for a value that does not exist (a partial run's best epoch, no test slice).
MISSING = "-"


#: The config fields among :func:`runs_table`'s columns (every other column is a result).
CONFIG_COLUMNS = tuple(TrainConfig().to_dict())


#: The runs table's default order: the best validation accuracy first.
RUNS_DEFAULT_SORT = "validation accuracy"


def differing_fields(table: pd.DataFrame) -> list[str]:
    """The config fields of :func:`runs_table` whose value is not the same in every run (all: fewer than two runs)."""
    fields = [name for name in CONFIG_COLUMNS if name in table.columns]
    if len(table) < 2:
        return fields
    return [name for name in fields if table[name].astype(str).nunique(dropna=False) > 1]


def filter_values(table: pd.DataFrame, column: str) -> list[str]:
    """The distinct values of ``column``, as the text :func:`runs_view` filters by, in their sorted order."""
    values = table[column].dropna()
    try:
        ordered = sorted(values.unique())
    except TypeError:  # mixed kinds (numbers and "-"): by their text
        ordered = sorted(values.unique(), key=str)
    return list(dict.fromkeys(str(value) for value in ordered))


def runs_view(
    table: pd.DataFrame,
    *,
    fields: list[str],
    sort_by: str = RUNS_DEFAULT_SORT,
    descending: bool = True,
    filter_by: str | None = None,
    keep: list[str] = (),
) -> pd.DataFrame:
    """:func:`runs_table` rows sorted and filtered, with the result columns and only the config ``fields``.

    ``keep`` lists the values of column ``filter_by`` (as :func:`filter_values` gives them)
    a row must have; none kept means no filter. Missing values sort last either way.
    """
    if filter_by and keep:
        table = table[table[filter_by].astype(str).isin(list(keep))]
    if sort_by in table.columns:
        key = column = table[sort_by]
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column)):
            numbers = pd.to_numeric(column, errors="coerce")  # "2", "10" and "-" (missing) sort as numbers
            key = numbers if numbers.notna().any() else column.astype(str)
        order = key.sort_values(ascending=not descending, na_position="last", kind="stable").index
        table = table.loc[order]
    results = [column for column in table.columns if column not in CONFIG_COLUMNS]
    return table[results + [name for name in fields if name in table.columns]].reset_index(drop=True)


def run_epochs(run) -> float:
    """A stored run's epochs trained (:func:`epochs_done`): fractional for a partial run, from its history.

    A partial run stopped in its first epoch is measured by the reviews it trained on
    (``samples_per_second * train_seconds``) against an epoch of the IMDB training split.
    """
    if not run.partial:
        return float(run.epochs_trained)
    try:
        history = run.read_history()
    except (OSError, ValueError):
        return float(run.epochs_trained)
    done = epochs_done(history.get("batches"), history.get("epochs"))
    if done is not None:
        return round(done, 2)
    config = run.config
    reviews = (config.train_limit or IMDB_TRAIN_REVIEWS) * (1 - config.validation_fraction)
    return round(min(0.99, run.samples_per_second * run.train_seconds / reviews), 2)


#: Reviews in IMDB's training split (an epoch of a run without ``train_limit``).
IMDB_TRAIN_REVIEWS = 25_000
