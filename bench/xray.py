"""X-ray benchmark: how long the states, gates and running verdict of one review take, per preset.

For each preset (default: ``lstm``) the real architecture is built (its weights do not
change the cost; ``--run ID`` uses a stored run through ``Predictor`` instead) and the
numpy X-ray (:mod:`core.serving.xray`: front end, every layer and direction, the running
verdict) is timed on a 200-word and a 2,500-word review, median of ``--repeats``, next to
one Keras forward pass of the same input in the same run; with ``--run`` also the Predict
page's occlusion (one word, two- and three-word phrases) and the memory horizon on the
page's sample of test reviews. Targets (issue 11): 200 words < 300 ms,
2,500 words < 2 s, the horizon < 30 s.

    python -m bench.xray [--preset lstm ...] [--run ID] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from bench.common import emit, machine
from core import allocator
from core.config import preset
from core.serving import xray


def _median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - start))
    return round(statistics.median(times), 2)


def bench_architecture(name: str, repeats: int) -> dict:
    from core.model.architecture import build_model
    from core.model.inference import inference_function

    config = preset(name)
    model = build_model(config)
    weights = xray.weights_of(model, config)
    infer = inference_function(model)
    rng = np.random.default_rng(0)
    result = {"preset": name, "summary": config.summary()}
    for words in (200, 2500):
        ids = np.concatenate([[1], rng.integers(2, config.num_words, words)]).astype(np.int32)

        def shot(ids=ids):
            full = xray.trace(weights, ids)
            x = xray.front_end(weights, ids[None, :].astype(np.int64))[0]
            return xray.prefix_probabilities(weights, x, full.layers)

        shot()
        infer(ids[None, :])
        result[f"xray_{words}_words_ms"] = _median_ms(shot, repeats)
        result[f"keras_forward_{words}_words_ms"] = _median_ms(lambda ids=ids: infer(ids[None, :]).numpy(), repeats)
    result["meets_200_words_300_ms"] = result["xray_200_words_ms"] < 300
    result["meets_2500_words_2_s"] = result["xray_2500_words_ms"] < 2000
    return result


def bench_run(run_id: str, repeats: int) -> dict:
    from core.serving.explain import explain
    from core.serving.predictor import Predictor

    predictor = Predictor(run_id)
    result = {"run": run_id, "summary": predictor.config.summary()}
    for words in (200, 2500):
        text = " ".join(["a fine film but not great and the plot was dull"] * (words // 10))
        xray.xray(predictor, text)
        result[f"xray_{words}_words_ms"] = _median_ms(lambda text=text: xray.xray(predictor, text), repeats)
    text = " ".join(["a fine film but not great and the plot was dull"] * 20)  # 200 words
    for span in (1, 2, 3):  # the Predict page's occlusion, word by word and by phrases
        result[f"explain_200_words_span_{span}_ms"] = _median_ms(lambda s=span: explain(predictor, text, s), repeats)
    result.update(bench_horizon(predictor))
    return result


def bench_horizon(predictor) -> dict:
    """The memory horizon on the reviews the page sends (target: under 30 s, once per run)."""
    from core.data.dataset import load_dataset
    from core.serving.horizon import horizon, sample_texts

    texts = sample_texts(load_dataset().test.texts)
    started = time.perf_counter()
    curve = horizon(predictor, texts)
    seconds = round(time.perf_counter() - started, 2)
    return {
        "horizon_reviews": len(texts),
        "horizon_seconds": seconds,
        "horizon_reads_last_words": curve["reads_last_words"],
        "meets_horizon_30_s": seconds < 30,
    }


def main() -> None:
    allocator.reexec_with_preload()  # train on tcmalloc where there is one, as the app's jobs do
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", nargs="+", default=["lstm"])
    parser.add_argument("--run", help="a stored run id, through Predictor (encoding included)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    results = [bench_architecture(name, args.repeats) for name in args.preset]
    if args.run:
        results.append(bench_run(args.run, args.repeats))
    emit({"benchmark": "xray", "machine": machine(), "results": results})


if __name__ == "__main__":
    main()
