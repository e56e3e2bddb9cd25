"""The bag-of-words baseline and the word-order probes from the command line.

``python -m core baseline`` fits the TF-IDF + logistic regression baseline on the data
(once per data set: later calls read it back) and prints its test accuracy and training
time; ``python -m core probes [--run ID]`` scores a run (default: the best one) and the
baseline on the probes in ``assets/probes.tsv``, per kind.
"""

from __future__ import annotations

import json

from core import settings
from core.errors import LabError


def add_commands(commands) -> None:
    baseline = commands.add_parser("baseline", help="fit (or reuse) the bag-of-words baseline and print its scores")
    _common(baseline)
    baseline.set_defaults(handler=cmd_baseline)
    probes = commands.add_parser("probes", help="accuracy per word-order probe kind, for a run and the baseline")
    probes.add_argument("--run", metavar="ID", help="the run to score (default: the best stored run)")
    _common(probes)
    probes.set_defaults(handler=cmd_probes)


def _common(parser) -> None:
    parser.add_argument("--data", help=f"archive or aclImdb/ folder (default: ${settings.DATA_ENV}, cache, download)")
    parser.add_argument("--runs-dir", help="where runs are stored (default: $IMDB_LAB_RUNS or ./runs)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _baseline(args):
    from core.cli.progress import spinner
    from core.data.dataset import load_dataset
    from core.runs.baseline_store import BaselineStore

    with spinner("Loading the data"):
        data = load_dataset(args.data)
    with spinner("Fitting the baseline (or reading it back)"):
        return BaselineStore(args.runs_dir).get_or_fit(data)


def cmd_baseline(args) -> int:
    stored = _baseline(args)
    if args.json:
        print(json.dumps(stored.as_dict(), indent=2, sort_keys=True))
        return 0
    report = stored.report
    note = "read back" if stored.cached else "fitted now"
    print(f"Baseline: {stored.as_dict()['summary']} ({note})")
    print(f"Test accuracy {report.test_accuracy:.4f} (scikit-learn's own score {report.sklearn_test_accuracy:.4f})")
    print(f"Validation accuracy {report.validation_accuracy:.4f} on the reviews the runs hold out")
    print(f"Trained on {report.train_reviews:,} reviews in {report.train_seconds:.1f} s; {report.features:,} n-grams")
    return 0


def cmd_probes(args) -> int:
    from core.cli.runs import chosen_run_id
    from core.model.probes import load_probes, score_probes
    from core.runs.store import RunStore

    probes = load_probes()
    store = RunStore(args.runs_dir)
    scores = {"baseline": score_probes(probes, _baseline(args).model.predict_proba(probes.texts))}
    run_id = None
    try:
        run_id = chosen_run_id(store, args.run, "to score")
    except LabError:
        if args.run:
            raise
    if run_id:
        from core.cli.progress import spinner
        from core.serving.predictor import Predictor

        with spinner(f"Scoring run {run_id}"):
            scores[run_id] = score_probes(probes, Predictor(run_id, store).predict(probes.texts))
    if args.json:
        print(
            json.dumps({"probes": len(probes.probes), "models": {k: s.as_dict() for k, s in scores.items()}}, indent=2)
        )
        return 0
    print(f"{'kind':<16}" + "".join(f"{name[:24]:>26}" for name in scores))
    for kind in [*probes.kinds, "all"]:
        values = [s.accuracy if kind == "all" else s.by_kind[kind] for s in scores.values()]
        print(f"{kind:<16}" + "".join(f"{v:>26.3f}" for v in values))
    print(f"{len(probes.probes)} probes (assets/probes.tsv)")
    return 0
