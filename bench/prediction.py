"""Prediction benchmark: what the Predict page costs per review, per batch and per explanation.

For one stored run (default: the best stored ``lstm`` run; ``--run ID`` for another)
it measures, after a warm-up:

- latency of one typed review through ``Predictor.predict`` (p50/p95 over ``--calls``
  calls; target p95 <= 50 ms),
- batch throughput on ``--batch`` test reviews (reviews per second),
- ``core.serving.explain.explain`` time for a 200-word review (target <= 1 s),
- the model load time (first page visit for a run).

With no ``lstm`` run stored it trains one first (the full preset, minutes on 2 cores)
unless ``--no-train``; ``--train-limit`` trains on fewer reviews for a quick number.

    python -m bench.prediction [--run ID] [--runs-dir DIR] [--calls 200] [--batch 1000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from bench.common import emit, machine
from core import allocator
from core.config import preset
from core.data.dataset import load_dataset
from core.runs.store import RunStore, best_run

LATENCY_TARGET_MS = 50.0
EXPLAIN_TARGET_S = 1.0
TYPED_REVIEW = (
    "I went in expecting very little, but this turned out to be a warm, funny and surprisingly moving "
    "film. The two leads have real chemistry, although the middle drags a bit."
)


def best_default_run(store: RunStore):
    """The stored whole ``lstm`` run with the highest validation accuracy (:func:`best_run`), or None."""
    return best_run([r for r in store.list() if r.preset == "lstm"])


def train_default(store: RunStore, data, train_limit: int | None):
    """Train the ``lstm`` preset into ``store`` (through the job manager, like the app)."""
    from core.jobs.manager import DONE, JobManager

    config = preset("lstm")
    if train_limit:
        config = config.replace(train_limit=train_limit, test_limit=min(25_000, max(1000, train_limit // 2)))
    print(f"No lstm run stored in {store.root}: training one ({config.summary()})…", file=sys.stderr)
    manager = JobManager(runs_dir=store.root, data_loader=lambda: data, isolation="thread")
    try:
        snapshot = manager.wait(manager.submit(config))
    finally:
        manager.shutdown()
    if snapshot.state != DONE:
        raise SystemExit(f"Training failed: {snapshot.error}")
    return store.get(snapshot.run_id)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def review_of_words(data, words: int) -> str:
    """A real test review cut to ``words`` words (the first one with at least that many)."""
    from core.text import tokenizer

    for review in data.test.texts:
        spans = tokenizer.word_spans(review)
        if len(spans) >= words:
            return review[: spans[words - 1][1]]
    raise SystemExit(f"No test review has {words} words")


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", help="run id (default: the best stored lstm run)")
    parser.add_argument("--runs-dir", help="runs folder (default: $IMDB_LAB_RUNS or ./runs)")
    parser.add_argument("--calls", type=int, default=200, help="single-review calls timed")
    parser.add_argument("--batch", type=int, default=1000, help="test reviews scored for the throughput")
    parser.add_argument("--explain-words", type=int, default=200)
    parser.add_argument("--explain-repeats", type=int, default=5)
    parser.add_argument("--no-train", action="store_true", help="fail instead of training when no run is stored")
    parser.add_argument("--train-limit", type=int, default=None, help="train the missing lstm run on fewer reviews")
    return parser.parse_args()


def _milliseconds(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def single_review(predictor, calls: int) -> dict:
    """One typed review: warm up (traces the inference function), then time each call."""
    first_call_ms = _milliseconds(lambda: predictor.predict([TYPED_REVIEW]))
    for _ in range(10):
        predictor.predict([TYPED_REVIEW])
    latencies = [_milliseconds(lambda: predictor.predict([TYPED_REVIEW])) for _ in range(calls)]
    p95 = percentile(latencies, 95)
    return {
        "first_call": round(first_call_ms, 1),
        "p50": round(percentile(latencies, 50), 2),
        "p95": round(p95, 2),
        "max": round(max(latencies), 2),
        "calls": len(latencies),
        "target_p95": LATENCY_TARGET_MS,
        "meets_target": p95 <= LATENCY_TARGET_MS,
    }


def batch(predictor, reviews: list[str]) -> dict:
    """The first N test reviews, as the Batch tab would score an uploaded file."""
    predictor.predict(reviews[:64])
    seconds = _milliseconds(lambda: predictor.predict(reviews)) / 1000
    return {
        "reviews": len(reviews),
        "seconds": round(seconds, 2),
        "reviews_per_second": round(len(reviews) / seconds, 1),
    }


def explanation(predictor, review: str, repeats: int) -> dict:
    """Explaining one review (one variant per word the model sees)."""
    from core.serving.explain import explain

    explained = explain(predictor, review)
    times = [_milliseconds(lambda: explain(predictor, review)) / 1000 for _ in range(repeats)]
    median = statistics.median(times)
    return {
        "words": len(explained.words),
        "words_seen": sum(not w.truncated for w in explained.words),
        "median": round(median, 3),
        "max": round(max(times), 3),
        "target": EXPLAIN_TARGET_S,
        "meets_target": median <= EXPLAIN_TARGET_S,
    }


def huge_paste(predictor) -> dict:
    """A 100,000+ character paste: clipped, tokenized, truncated to maxlen; then explained."""
    from core.serving.explain import explain

    huge = "a dull and boring film " * 6000
    return {
        "characters": len(huge),
        "predict": round(_milliseconds(lambda: predictor.predict([huge])), 1),
        "explain": round(_milliseconds(lambda: explain(predictor, huge)), 1),
    }


def main() -> None:
    allocator.reexec_with_preload()  # train on tcmalloc where there is one, as the app's jobs do
    args = _arguments()
    store = RunStore(args.runs_dir)
    data = load_dataset(allow_download=False)
    if args.run:
        run = store.get(args.run)
    else:
        run = best_default_run(store)
        if run is None:
            if args.no_train:
                raise SystemExit(f"No lstm run in {store.root}. Train one (python -m core train) or drop --no-train.")
            run = train_default(store, data, args.train_limit)

    from core.serving.predictor import Predictor

    started = time.perf_counter()
    predictor = Predictor(run.run_id, store)
    load_seconds = time.perf_counter() - started
    emit(
        {
            "machine": machine(),
            "run": {
                "run_id": run.run_id,
                "preset": run.preset,
                "config": run.config.summary(),
                "test_accuracy": run.test_accuracy,
                "test_reviews": run.test_metrics.get("count"),
            },
            "model_load_seconds": round(load_seconds, 2),
            "single_review_ms": single_review(predictor, args.calls),
            "batch": batch(predictor, list(data.test.texts[: args.batch])),
            "explain_seconds": explanation(predictor, review_of_words(data, args.explain_words), args.explain_repeats),
            "huge_paste_ms": huge_paste(predictor),
        }
    )


if __name__ == "__main__":
    main()
