"""Command-line training and prediction (``train``, ``predict``); stored runs are in :mod:`core.cli.runs`."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path

from core import settings
from core.backend import import_keras
from core.cli import progress
from core.cli.runs import chosen_run_id
from core.config import DEFAULT_PRESET, FIELDS, PRESETS, TrainConfig, preset
from core.errors import LabError
from core.model.metrics import label


def _add_runs_dir(parser) -> None:
    parser.add_argument("--runs-dir", help="where runs are stored (default: $IMDB_LAB_RUNS or ./runs)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _add_field_flag(parser, name: str) -> None:
    """One flag per config field: ``--units 32``; booleans as ``--bidirectional`` / ``--no-bidirectional``."""
    rule, flag = FIELDS[name], f"--{name.replace('_', '-')}"
    if rule.choices is not None and isinstance(rule.choices[0], bool):
        parser.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction, default=None, help=rule.help)
        return
    if rule.choices is not None:
        kind = str
    else:
        kind = int if rule.step is not None and float(rule.step).is_integer() else float
    parser.add_argument(flag, dest=name, type=kind, default=None, help=rule.help)


def add_commands(commands) -> None:
    train = commands.add_parser("train", help="train a model (or reuse the stored run of the same config)")
    train.add_argument("--preset", default=DEFAULT_PRESET, choices=sorted(PRESETS))
    train.add_argument("--data", help="archive or aclImdb/ folder (default: $IMDB_DATA, cache, download)")
    train.add_argument("--again", action="store_true", help="train again even if this config is stored")
    train.add_argument(
        "--queue",
        metavar="URL",
        help="train on the job queue's workers (redis://host:6379/0, docs/deploy.md) instead of here; "
        "--runs-dir must be the volume the workers store runs on",
    )
    train.add_argument(
        "--glove-file",
        metavar="PATH",
        help="a GloVe text file (word v1 v2 ... per line) for --embeddings glove-file "
        "(sets $IMDB_LAB_GLOVE_FILE for this training; queue workers need it in their own environment)",
    )
    for name in FIELDS:
        _add_field_flag(train, name)
    _add_runs_dir(train)
    train.set_defaults(handler=cmd_train)

    predict = commands.add_parser("predict", help="probability of positive for each text, or each review in a file")
    predict.add_argument("texts", nargs="*", metavar="TEXT")
    predict.add_argument(
        "--file", help="a .txt file (one review per line) or a .csv file (a column of reviews); - reads standard input"
    )
    predict.add_argument("--column", help="the CSV column that holds the reviews (default: the likeliest)")
    predict.add_argument(
        "--input-format", choices=("txt", "csv"), help="how to read --file (default: by its name; stdin: txt)"
    )
    predict.add_argument("--out", help="write the table to this .csv or .json file instead of printing it")
    predict.add_argument("--run", help="run id (default: the best stored run)")
    _add_runs_dir(predict)
    predict.set_defaults(handler=cmd_predict)


def _config_from_args(args) -> TrainConfig:
    changes = {name: getattr(args, name) for name in FIELDS if getattr(args, name, None) is not None}
    return preset(args.preset).replace(**changes)


def cmd_train(args) -> int:
    from core.data.dataset import load_dataset
    from core.jobs.manager import CANCELLED, DONE, JobManager

    config = _config_from_args(args)
    if args.glove_file:
        os.environ[settings.GLOVE_FILE_ENV] = args.glove_file  # the training process inherits it
    with progress.spinner("Loading the IMDB reviews"):
        data = load_dataset(args.data)
    if args.queue:
        from core.jobs.redis_queue import QueueExecutor

        manager = QueueExecutor(args.queue, runs_dir=args.runs_dir, data_loader=lambda: data)
    else:
        import_keras()
        manager = JobManager(runs_dir=args.runs_dir, data_loader=lambda: data)
    job_id = manager.submit(config, retrain=args.again)
    # Keras prints some notices (a NaN stop) on stdout, which is for the result.
    with contextlib.redirect_stdout(sys.stderr), progress.TrainingProgress() as bar:
        try:
            while not manager.snapshot(job_id).finished:
                bar.show(manager.snapshot(job_id))
                time.sleep(0.1)
        except KeyboardInterrupt:
            manager.cancel(job_id, keep_partial=True)
            print("\nstopping after this batch; the run is kept as partial", file=sys.stderr)
            manager.wait(job_id)
        snap = manager.snapshot(job_id)
        bar.show(snap)
    manager.shutdown()
    if snap.state not in (DONE, CANCELLED):
        raise LabError(f"Training failed: {snap.error}")
    result = {
        "run_id": snap.run_id,
        "state": snap.state,
        "cached": snap.cached,
        "partial": snap.partial,
        "test_accuracy": snap.test_metrics["accuracy"],
        "test_loss": snap.test_metrics["loss"],
        "train_seconds": snap.train_seconds,
        "config": config.to_dict(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        origin = (
            "reused the stored run (cached; --again to retrain)"
            if snap.cached
            else f"trained in {snap.train_seconds:.1f} s"
        )
        print(f"Run {snap.run_id}: {origin}")
        print(
            f"Test accuracy {result['test_accuracy']:.4f}, loss {result['test_loss']:.4f} "
            f"on {snap.test_metrics['count']:,} test reviews"
        )
    return 0


def cmd_predict(args) -> int:
    from core.runs.store import RunStore
    from core.serving.predictor import Predictor

    texts, table = _reviews_to_score(args)
    store = RunStore(args.runs_dir)
    run_id = chosen_run_id(store, args.run, "to predict with")
    with progress.spinner(f"Loading run {run_id}"):
        predictor = Predictor(run_id, store)
    with progress.spinner(f"Scoring {len(texts):,} review{'s' if len(texts) != 1 else ''}"):
        probabilities = predictor.predict(texts)
    table = table.assign(positive_probability=probabilities.round(6), label=label(probabilities))
    if args.out:
        _write_table(table, args.out)
        print(f"Run {run_id}: {len(table):,} predictions written to {args.out}", file=sys.stderr)
    elif args.json:
        print(json.dumps({"run_id": run_id, "predictions": table.to_dict(orient="records")}, indent=2))
    else:
        print(f"Run {run_id}")
        for text, p, verdict in zip(texts, table["positive_probability"], table["label"], strict=True):
            print(f"{p:.3f}  {verdict:<8}  {text[:70]}")
    return 0


def _reviews_to_score(args):
    """The texts to score and the table they came from (TEXT arguments, or a file's rows with all its columns)."""
    import pandas as pd

    from core.serving import batch_input

    if args.file is None:
        if not args.texts:
            raise LabError("Nothing to score: give one or more TEXT arguments, or --file FILE (- for standard input).")
        return list(args.texts), pd.DataFrame({"text": list(args.texts)})
    if args.texts:
        raise LabError("Give either TEXT arguments or --file, not both.")
    name, raw = ("standard input", sys.stdin.buffer.read()) if args.file == "-" else (args.file, _read_file(args.file))
    kind = args.input_format or ("csv" if args.file.lower().endswith(".csv") else "txt")
    batch = batch_input.parse_upload(f"{name}.csv" if kind == "csv" and not name.endswith(".csv") else name, raw)
    if batch.kind == "txt":
        return batch.lines, pd.DataFrame({"text": batch.lines})
    column = args.column or batch.columns[0]
    if column not in batch.frame.columns:
        raise LabError(
            f"{args.file} has no column {column!r}; its columns: {', '.join(map(str, batch.frame.columns))}."
        )
    cells = batch.frame[column].astype(str).str.strip()
    rows = batch.frame[cells != ""].reset_index(drop=True)
    return rows[column].astype(str).str.strip().tolist(), rows


def _read_file(path: str) -> bytes:
    from core.serving import batch_input

    try:
        batch_input.check_size(path, Path(path).stat().st_size)
        return Path(path).read_bytes()
    except OSError as error:
        raise LabError(f"Cannot read {path}: {error.strerror or error}.") from None


def _write_table(table, out: str) -> None:
    """The predictions as CSV or JSON (by the file's extension), written atomically."""
    from core import atomic

    if out.lower().endswith(".json"):
        data = atomic.json_bytes(table.to_dict(orient="records"))
    elif out.lower().endswith(".csv"):
        data = table.to_csv(index=False).encode("utf-8")
    else:
        raise LabError(f"--out {out}: name a .csv or .json file.")
    try:
        atomic.write_bytes(Path(out), data)
    except OSError as error:
        raise LabError(f"Cannot write {out}: {error.strerror or error}.") from None
