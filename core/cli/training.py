"""Command-line training and prediction (``train``, ``predict``); stored runs are in :mod:`core.cli.runs`."""

from __future__ import annotations

import json
import sys
import time

from core.config import DEFAULT_PRESET, FIELDS, PRESETS, TrainConfig, preset
from core.errors import LabError
from core.model.metrics import label


def _add_runs_dir(parser) -> None:
    parser.add_argument("--runs-dir", help="where runs are stored (default: $IMDB_LAB_RUNS or ./runs)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _flag_type(name: str):
    rule = FIELDS[name]
    if rule.choices is not None:
        if isinstance(rule.choices[0], bool):
            return lambda text: {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}[
                text.lower()
            ]
        return str
    return int if rule.step is not None and float(rule.step).is_integer() else float


def add_commands(commands) -> None:
    train = commands.add_parser("train", help="train a model (or reuse the stored run of the same config)")
    train.add_argument("--preset", default=DEFAULT_PRESET, choices=sorted(PRESETS))
    train.add_argument("--data", help="archive or aclImdb/ folder (default: $IMDB_DATA, cache, download)")
    train.add_argument("--again", action="store_true", help="train again even if this config is stored")
    for name, rule in FIELDS.items():
        train.add_argument(
            f"--{name.replace('_', '-')}", dest=name, type=_flag_type(name), default=None, help=rule.help
        )
    _add_runs_dir(train)
    train.set_defaults(handler=cmd_train)

    predict = commands.add_parser("predict", help="probability of positive for each text")
    predict.add_argument("texts", nargs="+", metavar="TEXT")
    predict.add_argument("--run", help="run id (default: the best stored run)")
    _add_runs_dir(predict)
    predict.set_defaults(handler=cmd_predict)


def _config_from_args(args) -> TrainConfig:
    changes = {name: getattr(args, name) for name in FIELDS if getattr(args, name, None) is not None}
    return preset(args.preset).replace(**changes)


class _TerminalProgress:
    """A one-line progress bar on stderr, redrawn at most 5 times a second."""

    def __init__(self, stream=sys.stderr):
        self.stream, self.last = stream, 0.0

    def draw(self, snap, force=False) -> None:
        now = time.monotonic()
        if not force and now - self.last < 0.2:
            return
        self.last = now
        width = 30
        filled = int(width * snap.progress)
        eta = f"ETA {snap.eta_seconds:.0f}s" if snap.eta_seconds is not None else ""
        loss = f"loss {snap.batch_history[-1]['loss']:.3f}" if snap.batch_history else ""
        line = (
            f"\r[{'#' * filled}{'.' * (width - filled)}] {snap.phase:<12} epoch {snap.epoch}/{snap.epochs} "
            f"batch {snap.batch}/{snap.batches_per_epoch} {snap.samples_per_second:,.0f} samples/s {loss} {eta}"
        )
        self.stream.write(line.ljust(120)[:160])
        self.stream.flush()


def cmd_train(args) -> int:
    from core.data.dataset import load_dataset
    from core.jobs.manager import CANCELLED, DONE, JobManager

    config = _config_from_args(args)
    data = load_dataset(args.data)
    manager = JobManager(runs_dir=args.runs_dir, data_loader=lambda: data)
    job_id = manager.submit(config, retrain=args.again)
    progress = _TerminalProgress()
    try:
        while not manager.snapshot(job_id).finished:
            if not args.json and sys.stderr.isatty():
                progress.draw(manager.snapshot(job_id))
            time.sleep(0.1)
    except KeyboardInterrupt:
        manager.cancel(job_id, keep_partial=True)
        print("\nstopping after this batch; the run is kept as partial", file=sys.stderr)
        manager.wait(job_id)
    snap = manager.snapshot(job_id)
    manager.shutdown()
    if not args.json and sys.stderr.isatty():
        progress.draw(snap, force=True)
        print(file=sys.stderr)
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

    store = RunStore(args.runs_dir)
    run_id = args.run
    if run_id is None:
        best = store.best()
        if best is None:
            raise LabError("No stored runs to predict with. Train one first: `python -m core train`.")
        run_id = best.run_id
    predictor = Predictor(run_id, store)
    probabilities = predictor.predict(args.texts)
    rows = [
        {"text": t, "positive_probability": float(p), "label": label(float(p))}
        for t, p in zip(args.texts, probabilities, strict=True)
    ]
    if args.json:
        print(json.dumps({"run_id": run_id, "predictions": rows}, indent=2))
    else:
        print(f"Run {run_id}")
        for row in rows:
            print(f"{row['positive_probability']:.3f}  {row['label']:<8}  {row['text'][:70]}")
    return 0
