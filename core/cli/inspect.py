"""``python -m core inspect TEXT``: the X-ray of one review (states, gates, running verdict per step).

``--intervene KIND:WHERE`` (repeatable; :mod:`core.serving.interventions`) reads the review
again with the interventions applied: the JSON adds ``intervened``, the table a second verdict column.
"""

from __future__ import annotations

import json

from core.cli import progress
from core.cli.runs import chosen_run_id
from core.errors import LabError


def add_commands(commands) -> None:
    inspect = commands.add_parser(
        "inspect", help="the recurrent layer's states, gates and running verdict, word by word, for one text"
    )
    inspect.add_argument("text", nargs="+", metavar="TEXT", help="the review (several words are joined)")
    inspect.add_argument("--run", help="run id (default: the best stored run)")
    inspect.add_argument("--layer", type=int, help="recurrent layer to show, 1-based (default: the last)")
    inspect.add_argument("--runs-dir", help="where runs are stored (default: $IMDB_LAB_RUNS or ./runs)")
    inspect.add_argument(
        "--intervene",
        action="append",
        default=[],
        metavar="KIND:WHERE",
        help="forget:STEP, ignore:STEP, freeze:STEP (or a span STEP-STEP, e.g. ignore:3-5), silence:UNIT or "
        'transplant:STEP=FROM_STEP or transplant:STEP="ANOTHER TEXT" (0-based; the start token is step 0); '
        "@LAYER for another layer than the last; repeat to stack",
    )
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    inspect.set_defaults(handler=cmd_inspect)


def cmd_inspect(args) -> int:
    from core.runs.store import RunStore
    from core.serving.interventions import intervene, parse
    from core.serving.predictor import Predictor
    from core.serving.xray import xray

    specs = [parse(spec) for spec in args.intervene]  # a bad spec is refused before the run loads
    store = RunStore(args.runs_dir)
    run_id = chosen_run_id(store, args.run, "to inspect")
    with progress.spinner(f"Loading run {run_id}"):
        predictor = Predictor(run_id, store)
    layers = predictor.config.layers
    if args.layer is not None and not 1 <= args.layer <= layers:
        raise LabError(f"--layer {args.layer}: run {run_id} has {layers} recurrent layer{'s' if layers > 1 else ''}.")
    text = " ".join(args.text)
    data = intervene(predictor, text, specs).to_dict(args.layer) if specs else xray(predictor, text).to_dict(args.layer)
    if args.json:
        print(json.dumps(data))
        return 0
    print(_table(data))
    return 0


def _table(data: dict) -> str:
    """A compact per-step table: words, running verdict, mean |hidden|, and mean gate values."""
    gates = list(data["steps"][0]["gates"]) if data["steps"] else []
    head = f"{'step':>4}  {'words':<24} {'verdict':>7} {'|h|':>6} " + " ".join(f"{g[:6]:>6}" for g in gates)
    after = data.get("intervened")
    if after:
        head += " after"
    lines = [
        f"Run {data['run_id']}: {data['cell'].upper()}{' (bidirectional, forward shown)' if data['bidirectional'] else ''}"
        f", layer {data['layer']} of {data['layers']}; P(positive) = {data['probability']:.3f}",
        head,
    ]
    for t, step in enumerate(data["steps"]):
        words = " ".join(step["words"])
        words = words if len(words) <= 24 else words[:23] + "…"
        verdict = f"{step['prefix_probability']:.3f}" if "prefix_probability" in step else "-"
        hidden = sum(abs(v) for v in step["hidden"]) / len(step["hidden"])
        means = " ".join(f"{sum(step['gates'][g]) / len(step['gates'][g]):>6.3f}" for g in gates)
        line = f"{t:>4}  {words:<24} {verdict:>7} {hidden:>6.3f} {means}"
        if after:
            moved = after["steps"][t].get("prefix_probability")
            line += f" {moved:>6.3f}" if moved is not None else "      -"
        lines.append(line)
    if after:
        lines.append(f"With {', '.join(after['interventions'])}: P(positive) = {after['probability']:.3f}")
    lines.extend(f"Note: {note}" for note in data["notes"])
    return "\n".join(lines)
