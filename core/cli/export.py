"""Taking a run away from the command line: ``export`` (a run bundle, a SavedModel or a LiteRT file)."""

from __future__ import annotations

import contextlib
import json
import sys

from core.cli import progress
from core.cli.runs import chosen_run_id

WHAT_READS_IT = {
    "bundle": "python predict.py TEXT... (needs only keras and numpy)",
    "zip": "unzip, then python <run>/predict.py TEXT... (needs only keras and numpy)",
    "savedmodel": "TF Serving, tf.saved_model.load(path).serve(word_ids)",
    "tflite": "the LiteRT (TFLite) interpreter, one review of shape (1, length) at a time",
}


def add_commands(commands) -> None:
    from core.serving.export import FORMATS

    export = commands.add_parser("export", help="write a stored run as a bundle, a SavedModel or a LiteRT file")
    export.add_argument("--run", help="run id (default: the best stored run)")
    export.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created if missing)")
    export.add_argument("--format", default="bundle", choices=FORMATS, help="default: bundle")
    export.add_argument("--zip", action="store_true", help="the bundle as one .zip file")
    export.add_argument("--runs-dir", help="where runs are stored (default: $IMDB_LAB_RUNS or ./runs)")
    export.add_argument("--json", action="store_true", help="print one JSON object")
    export.set_defaults(handler=cmd_export)


def cmd_export(args) -> int:
    from core.runs.store import RunStore
    from core.serving.export import export_run

    store = RunStore(args.runs_dir)
    run_id = chosen_run_id(store, args.run, "to export")
    # Keras announces a SavedModel on stdout, which is for the result (``--json``).
    with progress.spinner(f"Exporting run {run_id} as {args.format}"), contextlib.redirect_stdout(sys.stderr):
        done = export_run(store, run_id, args.out, args.format, as_zip=args.zip)
    result = {
        "run_id": done.run_id,
        "format": done.format,
        "path": str(done.path),
        "bytes": done.bytes,
        "read_with": WHAT_READS_IT[done.format],
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"Run {done.run_id}: {done.format} written to {done.path} ({done.bytes / 1024:,.0f} KiB)")
        print(f"Read it with {result['read_with']}")
    return 0
