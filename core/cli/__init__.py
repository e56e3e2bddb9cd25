"""Command line: ``python -m core {data,train,predict,runs,export,baseline,probes,inspect}``.

``data`` is here; ``training`` has ``train`` and ``predict``, ``runs`` the stored runs
(``runs list``, ``rename``, ``tag``, ``delete``), ``export`` takes a run away (a run bundle,
a SavedModel or a LiteRT file), ``baseline`` fits the bag-of-words baseline and scores the
word-order ``probes``, ``inspect`` is the X-ray of one review, and ``progress`` draws
spinners and bars on an interactive stderr (nothing when it is piped or captured).

Every command takes ``--json`` for one machine-readable JSON object on stdout. Errors
meant for the user (:class:`core.errors.LabError`) print their message to stderr and
exit with status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import json
import sys

from core import settings
from core.cli import baseline, export, inspect, runs, training
from core.errors import LabError


def _print_json(obj) -> None:
    print(json.dumps(obj, indent=2, sort_keys=True, default=str))


def _percent(x: float) -> str:
    return f"{100 * x:.1f}%"


def cmd_data(args) -> int:
    from core.data.dataset import load_dataset
    from core.data.stats import dataset_summary

    summary = dataset_summary(load_dataset(args.data, use_cache=not args.no_cache))
    if args.json:
        _print_json(summary)
        return 0
    print(f"Source:      {summary['source']} ({summary['source_kind']}, via {summary['found_via']})")
    for split, counts in summary["counts"].items():
        print(f"{split:<6} {counts['total']:>6} reviews: {counts['pos']} pos, {counts['neg']} neg")
    print(f"Vocabulary:  {summary['vocabulary_size']:,} distinct words in the training split")
    lengths = summary["lengths"]["all"]
    print(
        "Tokens per review: "
        + ", ".join(f"p{p} {lengths[f'p{p}']:.0f}" for p in (50, 90, 95, 99))
        + f", max {lengths['max']}"
    )
    print(
        f"Reviews at or under 200 tokens: {_percent(lengths['share_le_200'])}; "
        f"under 800: {_percent(lengths['share_le_800'])}"
    )
    print(f"Test tokens out of a 5,000-word vocabulary: {_percent(summary['oov_share_test_5000'])}")
    if summary["empty_files"] or summary["replaced_files"]:
        print(
            f"Warnings: {summary['empty_files']} empty files skipped, "
            f"{summary['replaced_files']} files with undecodable bytes (replaced)"
        )
    print(f"Loaded in {summary['load_seconds']:.2f} s ({summary['cache_note']})")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line that says where the options are (exit status 2)."""

    def error(self, message: str):
        self.exit(2, f"error: {message}. See `{self.prog} --help`.\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m core", description="IMDB LSTM Lab from the command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    data = commands.add_parser("data", help="load the dataset and print a summary")
    data.add_argument("--data", help=f"archive or aclImdb/ folder (default: ${settings.DATA_ENV}, cache, download)")
    data.add_argument("--no-cache", action="store_true", help="ignore and do not write the corpus cache")
    data.add_argument("--json", action="store_true", help="print one JSON object")
    data.set_defaults(handler=cmd_data)
    training.add_commands(commands)
    runs.add_commands(commands)
    export.add_commands(commands)
    baseline.add_commands(commands)
    inspect.add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except LabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
