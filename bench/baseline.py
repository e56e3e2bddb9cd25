"""What the LSTM adds: the bag-of-words baseline against the presets, in one run.

Fits the TF-IDF + logistic regression baseline afresh (timed, never read from the store),
then trains each preset to the end with its test accuracy after every epoch (outside the
timed training, as :mod:`bench.training` does). For every model: test accuracy on all
25,000 test reviews, training seconds, accuracy per word-order probe kind
(``assets/probes.tsv``), and the training seconds to 0.875 and to 0.90 test accuracy.

    python -m bench.baseline [--presets lstm,tutorial-final] [--epochs N] [--unigrams]
"""

from __future__ import annotations

import argparse

from bench.common import emit, machine
from bench.training import _TestEveryEpoch
from core import allocator
from core.config import TrainConfig, preset
from core.data.dataset import load_dataset
from core.model import inference, training
from core.model.baseline import LITERATURE, BaselineConfig, fit_baseline
from core.model.probes import load_probes, score_probes

TARGETS = (0.875, 0.90)


def bench_baseline(data, probes, config: BaselineConfig) -> dict:
    model, report = fit_baseline(data, config)
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
        changes[key] = value.lower() in ("1", "true", "yes") if kind is bool else kind(value)
    return changes


def bench_preset(name: str, data, probes, epochs: int | None, changes: dict | None = None) -> dict:
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
    score = score_probes(probes, inference.predict_sequences(result.model, sequences, config))
    reached = lambda target: next(  # noqa: E731
        (row["train_seconds"] for row in reporter.curve if row["test_accuracy"] >= target), None
    )
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
    }


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
    args = parser.parse_args()
    data = load_dataset()
    probes = load_probes()
    baselines = {"bigrams": bench_baseline(data, probes, BaselineConfig())}
    if args.unigrams:
        baselines["unigrams"] = bench_baseline(data, probes, BaselineConfig(ngram_max=1, C=2.0))
    presets = [bench_preset(n, data, probes, args.epochs) for n in filter(None, args.presets.split(","))]
    for variant in args.variant:
        name, _, changes = variant.partition(":")
        presets.append(bench_preset(name, data, probes, None, parse_changes(changes)))
    emit(
        {
            "benchmark": "baseline",
            "machine": machine(),
            "probes": len(probes.probes),
            "baselines": baselines,
            "presets": presets,
            "literature": [{"name": n, "test_accuracy": a, "source": s} for n, a, s in LITERATURE],
        }
    )


if __name__ == "__main__":
    main()
