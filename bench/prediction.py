"""Prediction benchmark: what the Predict page costs per review, per batch and per explanation.

For one stored run (default: the best stored ``fast`` run; ``--run ID`` for another)
it measures, after a warm-up:

- latency of one typed review through ``Predictor.predict`` (p50/p95 over ``--calls``
  calls; target p95 <= 50 ms),
- batch throughput on ``--batch`` test reviews (reviews per second),
- ``core.serving.explain.explain`` time for a 200-word review (target <= 1 s),
- the model load time (first page visit for a run).

With no ``fast`` run stored it trains one first (the full preset, minutes on 2 cores)
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
from core.config import preset
from core.data.dataset import load_dataset
from core.runs.store import RunStore

LATENCY_TARGET_MS = 50.0
EXPLAIN_TARGET_S = 1.0
TYPED_REVIEW = (
    "I went in expecting very little, but this turned out to be a warm, funny and surprisingly moving "
    "film. The two leads have real chemistry, although the middle drags a bit."
)


def best_fast_run(store: RunStore):
    """The stored whole ``fast`` run with the highest test accuracy, or None."""
    fast = [r for r in store.list() if r.preset == "fast" and not r.partial and np.isfinite(r.test_accuracy)]
    return max(fast, key=lambda r: r.test_accuracy, default=None)


def train_fast(store: RunStore, data, train_limit: int | None):
    """Train the ``fast`` preset into ``store`` (through the job manager, like the app)."""
    from core.jobs.manager import DONE, JobManager

    config = preset("fast")
    if train_limit:
        config = config.replace(train_limit=train_limit, test_limit=min(25_000, max(1000, train_limit // 2)))
    print(f"No fast run stored in {store.root}: training one ({config.summary()})…", file=sys.stderr)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", help="run id (default: the best stored fast run)")
    parser.add_argument("--runs-dir", help="runs folder (default: $IMDB_LAB_RUNS or ./runs)")
    parser.add_argument("--calls", type=int, default=200, help="single-review calls timed")
    parser.add_argument("--batch", type=int, default=1000, help="test reviews scored for the throughput")
    parser.add_argument("--explain-words", type=int, default=200)
    parser.add_argument("--explain-repeats", type=int, default=5)
    parser.add_argument("--no-train", action="store_true", help="fail instead of training when no run is stored")
    parser.add_argument("--train-limit", type=int, default=None, help="train the missing fast run on fewer reviews")
    args = parser.parse_args()

    store = RunStore(args.runs_dir)
    data = load_dataset(allow_download=False)
    if args.run:
        run = store.get(args.run)
    else:
        run = best_fast_run(store)
        if run is None:
            if args.no_train:
                raise SystemExit(f"No fast run in {store.root}. Train one (python -m core train) or drop --no-train.")
            run = train_fast(store, data, args.train_limit)

    from core.serving.explain import explain
    from core.serving.predictor import Predictor

    started = time.perf_counter()
    predictor = Predictor(run.run_id, store)
    load_seconds = time.perf_counter() - started

    # Single review: warm up (traces the inference function), then time each call.
    started = time.perf_counter()
    predictor.predict([TYPED_REVIEW])
    first_call_ms = (time.perf_counter() - started) * 1000
    for _ in range(10):
        predictor.predict([TYPED_REVIEW])
    latencies = []
    for _ in range(args.calls):
        started = time.perf_counter()
        predictor.predict([TYPED_REVIEW])
        latencies.append((time.perf_counter() - started) * 1000)

    # Batch: the first N test reviews, as the Batch tab would score an uploaded file.
    reviews = list(data.test.texts[: args.batch])
    predictor.predict(reviews[:64])
    started = time.perf_counter()
    predictor.predict(reviews)
    batch_seconds = time.perf_counter() - started

    # Explanation of a 200-word review (one variant per word the model sees).
    review = review_of_words(data, args.explain_words)
    explain(predictor, review)
    explain_times = []
    for _ in range(args.explain_repeats):
        started = time.perf_counter()
        explanation = explain(predictor, review)
        explain_times.append(time.perf_counter() - started)

    # A 100,000+ character paste: clipped, tokenized, truncated to maxlen; then explained.
    huge = "a dull and boring film " * 6000
    started = time.perf_counter()
    predictor.predict([huge])
    huge_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    explain(predictor, huge)
    huge_explain_ms = (time.perf_counter() - started) * 1000

    p95 = percentile(latencies, 95)
    explain_median = statistics.median(explain_times)
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
            "single_review_ms": {
                "first_call": round(first_call_ms, 1),
                "p50": round(percentile(latencies, 50), 2),
                "p95": round(p95, 2),
                "max": round(max(latencies), 2),
                "calls": len(latencies),
                "target_p95": LATENCY_TARGET_MS,
                "meets_target": p95 <= LATENCY_TARGET_MS,
            },
            "batch": {
                "reviews": len(reviews),
                "seconds": round(batch_seconds, 2),
                "reviews_per_second": round(len(reviews) / batch_seconds, 1),
            },
            "explain_seconds": {
                "words": len(explanation.words),
                "words_seen": sum(not w.truncated for w in explanation.words),
                "median": round(explain_median, 3),
                "max": round(max(explain_times), 3),
                "target": EXPLAIN_TARGET_S,
                "meets_target": explain_median <= EXPLAIN_TARGET_S,
            },
            "huge_paste_ms": {
                "characters": len(huge),
                "predict": round(huge_ms, 1),
                "explain": round(huge_explain_ms, 1),
            },
        }
    )


if __name__ == "__main__":
    main()
