"""Stored runs from the command line: ``runs [list]``, ``runs rename``, ``runs tag``, ``runs delete``.

A delete asks for confirmation on a terminal and needs ``--yes`` without one; it refuses
a run that a job of a live process (the app, another ``train``) is using
(:mod:`core.runs.manage`, through that process's job journal).
"""

from __future__ import annotations

import argparse
import json
import sys

from core.errors import LabError


def _common(parser, *, suppress: bool = False) -> None:
    # A subcommand's copy of these flags must not reset what ``runs --json list`` already set.
    default = {"default": argparse.SUPPRESS} if suppress else {}
    parser.add_argument("--runs-dir", help="where runs are stored (default: $IMDB_LAB_RUNS or ./runs)", **default)
    parser.add_argument("--json", action="store_true", help="print one JSON object", **default)


def add_commands(commands) -> None:
    runs = commands.add_parser("runs", help="list, rename, tag and delete stored runs")
    _common(runs)
    runs.set_defaults(handler=cmd_list)
    actions = runs.add_subparsers(dest="runs_command", metavar="{list,rename,tag,delete}")

    listing = actions.add_parser("list", help="list stored runs (the default)")
    _common(listing, suppress=True)
    listing.set_defaults(handler=cmd_list)

    rename = actions.add_parser("rename", help="give a run a nickname (its id stays; '' removes it)")
    rename.add_argument("run_id", metavar="ID")
    rename.add_argument("nickname", metavar="NAME")
    _common(rename, suppress=True)
    rename.set_defaults(handler=cmd_rename)

    tag = actions.add_parser("tag", help="add tags to a run (or --remove them)")
    tag.add_argument("run_id", metavar="ID")
    tag.add_argument("tags", nargs="+", metavar="TAG")
    tag.add_argument("--remove", action="store_true", help="remove these tags instead")
    _common(tag, suppress=True)
    tag.set_defaults(handler=cmd_tag)

    delete = actions.add_parser("delete", help="delete a run (asks first; --yes without a terminal)")
    delete.add_argument("run_id", metavar="ID")
    delete.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    _common(delete, suppress=True)
    delete.set_defaults(handler=cmd_delete)


def _store(args):
    from core.runs.store import RunStore

    return RunStore(args.runs_dir)


def _as_dict(run) -> dict:
    return {
        "run_id": run.run_id,
        "nickname": run.nickname,
        "tags": list(run.tags),
        "preset": run.preset,
        "summary": run.config.summary(),
        "embeddings_note": run.embeddings_note,
        "test_accuracy": run.test_accuracy,
        "train_seconds": run.train_seconds,
        "partial": run.partial,
        "created": run.created,
    }


def _line(run) -> str:
    labels = " ".join([f'"{run.nickname}"'] if run.nickname else []) + "".join(f" #{t}" for t in run.tags)
    return (
        f"{run.run_id:<34} {run.test_accuracy:.4f}  {run.train_seconds:7.1f}s  "
        f"{'partial ' if run.partial else ''}{run.config.summary()}" + (f"  {labels.strip()}" if labels else "")
    )


def _baseline(args):
    from core.runs.baseline_store import BaselineStore

    return BaselineStore(args.runs_dir).find()


def cmd_list(args) -> int:
    runs, problems = _store(args).scan()
    baseline = _baseline(args)  # the newest stored bag-of-words baseline (`python -m core baseline`), if any
    if args.json:
        reference = baseline.as_dict() if baseline else None
        print(json.dumps({"runs": [_as_dict(r) for r in runs], "problems": problems, "baseline": reference}, indent=2))
        return 0
    if not runs:
        print("No stored runs yet: `python -m core train` makes one.")
    for run in runs:
        print(_line(run))
    if baseline:
        report = baseline.report
        print(
            f"{'(baseline)':<34} {report.test_accuracy:.4f}  {report.train_seconds:7.1f}s  {baseline.as_dict()['summary']}"
        )
    for problem in problems:
        print(f"skipped: {problem}", file=sys.stderr)
    return 0


def _report(args, run, text: str) -> int:
    print(json.dumps(_as_dict(run), indent=2) if args.json else text)
    return 0


def cmd_rename(args) -> int:
    from core.runs import manage

    run = manage.rename(_store(args), args.run_id, args.nickname)
    text = f"Run {run.run_id} is now called {run.nickname!r}" if run.nickname else f"Run {run.run_id}: no nickname"
    return _report(args, run, text)


def cmd_tag(args) -> int:
    from core.runs import manage

    run = manage.tag(_store(args), args.run_id, args.tags, remove=args.remove)
    return _report(args, run, f"Run {run.run_id} tags: {', '.join(run.tags) or '(none)'}")


def _confirmed(run, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        raise LabError("Not deleting without confirmation: pass --yes (there is no terminal to ask).")
    answer = input(f"Delete run {run.label()}? This cannot be undone. [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def cmd_delete(args) -> int:
    from core.jobs.journal import JobJournal
    from core.runs import manage

    store = _store(args)
    run = store.get(args.run_id)
    if not _confirmed(run, args.yes):
        print("Not deleted.")
        return 1
    manage.delete(store, run.run_id, JobJournal.of(store).busy_families())
    return _report(args, run, f"Deleted run {run.run_id}")


def chosen_run_id(store, run_id: str | None, purpose: str) -> str:
    """``run_id``, or the best stored run's id; a clear error when there is none (``purpose``: "to export")."""
    if run_id is not None:
        return run_id
    best = store.best()
    if best is None:
        raise LabError(f"No stored runs {purpose}. Train one first: `python -m core train`.")
    return best.run_id
