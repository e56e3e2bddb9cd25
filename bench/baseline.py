"""What the LSTM adds: the bag-of-words baseline against the presets, GloVe and the blend, in one run.

Fits the TF-IDF + logistic regression baseline afresh (timed; into a temporary store, never
read from the app's), then trains each preset to the end with its test accuracy after every
epoch (outside the timed training, as :mod:`bench.training` does). For every model: test
accuracy on all 25,000 test reviews, training seconds, accuracy per word-order probe kind
(``assets/probes.tsv``), and the training seconds to 0.875 and to 0.90 test accuracy.
``--variant`` trains a preset with knobs changed (a recipe, or GloVe vectors); ``--labels``
trains the default preset on fewer labelled reviews, from scratch and from GloVe 50d, as
Evaluate's "how many labels" chart does; ``--blend`` blends each trained preset with the
baseline exactly as the app does (:func:`core.runs.blend.blend_for`: weights fitted on the
run's validation reviews, test accuracy read once) and scores the blend on the probes too.

    python -m bench.baseline [--presets lstm,tutorial-final] [--epochs N] [--unigrams]
                             [--variant PRESET:KEY=VALUE,...] [--labels 500,2000] [--blend]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.common import emit, machine
from bench.training import _TestEveryEpoch
from core import allocator
from core.config import DEFAULT_PRESET, TrainConfig, preset
from core.data.dataset import load_dataset
from core.model import inference, training
from core.model.baseline import LITERATURE, BaselineConfig, fit_baseline
from core.model.probes import load_probes, score_probes
from core.runs.baseline_store import BaselineStore

TARGETS = (0.875, 0.90)


def bench_baseline(data, probes, config: BaselineConfig, root: Path | None = None) -> dict:
    """Fit the baseline (into ``root``'s baseline store when given, so a blend can read it back)."""
    if root is None:
        model, report = fit_baseline(data, config)
    else:
        stored = BaselineStore(root).get_or_fit(data, config)
        model, report = stored.model, stored.report
    score = score_probes(probes, model.predict_proba(probes.texts))
    return {
        "model": config.summary(),
        "test_accuracy": report.test_accuracy,
        "sklearn_test_accuracy": report.sklearn_test_accuracy,
        "validation_accuracy": report.validation_accuracy,
        "train_seconds": round(report.train_seconds, 2),
        "probe_accuracy": score.accuracy,
        "probe_accuracy_by_kind": score.by_kind,
        # One fit: the first time it is trained is the time to its accuracy.
        "seconds_to": {str(t): round(report.train_seconds, 2) if report.test_accuracy >= t else None for t in TARGETS},
    }


def parse_changes(text: str) -> dict:
    """``"bidirectional=true,units=32"`` -> ``{"bidirectional": True, "units": 32}`` (types from the defaults)."""
    defaults = TrainConfig().to_dict()
    changes = {}
    for item in filter(None, text.split(",")):
        key, _, value = item.partition("=")
        kind = type(defaults[key])
        if kind is bool:
            changes[key] = value.lower() in ("1", "true", "yes")
        elif defaults[key] is None:  # e.g. train_limit: a whole number, or none
            changes[key] = None if value.lower() in ("", "none") else int(value)
        else:
            changes[key] = kind(value)
    return changes


def bench_preset(
    name: str, data, probes, epochs: int | None, changes: dict | None = None, root: Path | None = None
) -> dict:
    """Train ``name`` (with ``changes``); with ``root``, also blend it with the baseline stored there."""
    from core.encoding import arrays, model_input

    config = preset(name).replace(**(changes or {}))
    config = config.replace(epochs=epochs) if epochs else config
    prepared = arrays.prepare(data, config)
    reporter = _TestEveryEpoch((prepared.x_test, prepared.y_test), config)
    result = training.train(config, data, reporter)
    encoding = arrays.encoding_for(config)
    sequences = [
        model_input.encode_text(t, data.vocabulary, encoding, config.maxlen, config.truncating).model_ids
        for t in probes.texts
    ]
    probe_probabilities = inference.predict_sequences(result.model, sequences, config)
    score = score_probes(probes, probe_probabilities)
    reached = lambda target: next(  # noqa: E731
        (row["train_seconds"] for row in reporter.curve if row["test_accuracy"] >= target), None
    )
    blended = _blend(result, config, data, probes, probe_probabilities, root) if root is not None else None
    return {
        "preset": name,
        "changes": changes or {},
        "model": config.summary(),
        "test_accuracy": result.test_metrics["accuracy"],
        "best_epoch": result.best_epoch,
        "train_seconds": round(result.train_seconds - reporter.eval_seconds, 2),
        "curve": reporter.curve,
        "probe_accuracy": score.accuracy,
        "probe_accuracy_by_kind": score.by_kind,
        "seconds_to": {str(t): reached(t) for t in TARGETS},
        **({"blend": blended} if blended is not None else {}),
    }


def _blend(result, config, data, probes, probe_probabilities, root: Path) -> dict:
    """The app's blend of this run with the stored baseline: accuracies on both splits, weights, probes."""
    from core.runs.blend import blend_for
    from core.runs.store import RunStore
    from core.serving.predictor import Predictor

    store = RunStore(root)
    run = store.get(store.save(result, config, data).run_id)
    stored = BaselineStore(root).find(data.fingerprint)
    blend = blend_for(run, store, data, stored, Predictor(run.run_id, store).predict)
    probe_blend = blend.probability(probe_probabilities, stored.model.predict_proba(probes.texts))
    score = score_probes(probes, probe_blend)
    return {
        "accuracy": blend.accuracy,
        "weights": {"lstm": blend.lstm_weight, "baseline": blend.baseline_weight, "intercept": blend.intercept},
        "probe_accuracy": score.accuracy,
        "probe_accuracy_by_kind": score.by_kind,
    }


def label_variants(sizes: list[int]) -> list[dict]:
    """The "how many labels" grid for ``--labels``, as Evaluate's experiment trains it (:func:`core.runs.labels.grid`).

    Each cell as changes to the default preset (``sizes`` picks the cells by training reviews).
    """
    from core.runs.labels import grid

    default = preset(DEFAULT_PRESET).to_dict()
    return [
        {k: v for k, v in cell.config.to_dict().items() if v != default[k]} for cell in grid() if cell.reviews in sizes
    ]


def main() -> None:
    allocator.reexec_with_preload()  # train on tcmalloc where there is one, as the app's jobs do
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--presets", default="lstm", help="comma-separated presets to train to the end ('' for none)")
    parser.add_argument("--epochs", type=int, default=None, help="override the presets' epochs")
    parser.add_argument("--unigrams", action="store_true", help="also fit the unigram-only baseline")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="PRESET:KEY=VALUE,...",
        help="also train a preset with knobs changed, e.g. lstm:bidirectional=true,epochs=3 (repeatable)",
    )
    parser.add_argument("--labels", default="", help="train sizes for the scratch-vs-GloVe grid, e.g. 500,2000,25000")
    parser.add_argument("--blend", action="store_true", help="blend each trained model with the bigram baseline")
    args = parser.parse_args()
    data = load_dataset()
    probes = load_probes()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) if args.blend else None
        baselines = {"bigrams": bench_baseline(data, probes, BaselineConfig(), root)}
        if args.unigrams:
            baselines["unigrams"] = bench_baseline(data, probes, BaselineConfig(ngram_max=1, C=2.0))
        trained = [
            bench_preset(n, data, probes, args.epochs, None, root) for n in filter(None, args.presets.split(","))
        ]
        for variant in args.variant:
            name, _, changes = variant.partition(":")
            trained.append(bench_preset(name, data, probes, None, parse_changes(changes), root))
        sizes = [int(size) for size in filter(None, args.labels.split(","))]
        labels = [bench_preset(DEFAULT_PRESET, data, probes, None, changes, root) for changes in label_variants(sizes)]
    emit(
        {
            "benchmark": "baseline",
            "machine": machine(),
            "probes": len(probes.probes),
            "baselines": baselines,
            "presets": trained,
            "labels": labels,
            "literature": [{"name": n, "test_accuracy": a, "source": s} for n, a, s in LITERATURE],
        }
    )


if __name__ == "__main__":
    main()
