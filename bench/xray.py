"""X-ray benchmark: how long the states, gates and running verdict of one review take, per preset.

For each preset (default: ``lstm``) the real architecture is built (its weights do not
change the cost; ``--run ID`` uses a stored run through ``Predictor`` instead) and the
numpy X-ray (:mod:`core.serving.xray`: front end, every layer and direction, the running
verdict) is timed on a 200-word and a 2,500-word review, median of ``--repeats``, next to
one Keras forward pass of the same input in the same run; with ``--run`` also the Predict
page's occlusion (one word, two- and three-word phrases) and the memory horizon on the
page's sample of test reviews. Targets (issue 11): 200 words < 300 ms,
2,500 words < 2 s, the horizon < 30 s.

What-ifs (issue 30), on a stored ``lstm`` run (``--run ID``, else the best stored one, else one
is trained first, as bench.prediction does; ``--no-train`` refuses instead): an intervention on a
200-word test review (the X-ray read twice, :mod:`core.serving.interventions`; target < 300 ms) and
the unit roles over 2,000 of the run's validation reviews (:mod:`core.serving.unit_roles`; < 30 s).

    python -m bench.xray [--preset lstm ...] [--run ID] [--runs-dir DIR] [--repeats 5] [--no-train]
"""

from __future__ import annotations

import argparse
import os
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


def bench_what_if(args) -> dict:
    """An intervention on a 200-word review and the unit roles over 2,000 validation reviews, on a stored run."""
    from bench.prediction import best_default_run, review_of_words, train_default
    from core.data.dataset import load_dataset
    from core.runs.store import RunStore
    from core.serving.interventions import intervene
    from core.serving.predictor import Predictor
    from core.serving.unit_roles import REVIEWS, unit_roles, validation_texts

    store, data = RunStore(args.runs_dir), load_dataset(allow_download=False)
    run, trained = (store.get(args.run), False) if args.run else (best_default_run(store), False)
    if run is None:
        if args.no_train:
            raise SystemExit(f"No lstm run in {store.root}. Train one (python -m core train) or drop --no-train.")
        run, trained = train_default(store, data, None), True
    predictor = Predictor(run.run_id, store)
    text = review_of_words(data, 200)
    steps = len(intervene(predictor, text, ["freeze:1"]).original.steps)
    specs = {"forget": [f"forget:{steps // 2}"], "stacked_3": [f"forget:{steps // 2}", "ignore:10", "silence:0"]}
    result = {"run": run.run_id, "trained_here": trained, "summary": run.config.summary(), "review_steps": steps}
    for name, spec in specs.items():
        result[f"intervene_{name}_200_words_ms"] = _median_ms(
            lambda spec=spec: intervene(predictor, text, spec), args.repeats
        )
    result["meets_intervention_300_ms"] = result["intervene_stacked_3_200_words_ms"] < 300
    texts = validation_texts(data, run.config, REVIEWS)
    load_before, started, cpu = os.getloadavg()[0], time.perf_counter(), time.process_time()
    roles = unit_roles(predictor, texts)
    seconds, cpu = round(time.perf_counter() - started, 2), round(time.process_time() - cpu, 2)
    strongest = roles.sort_values("mean_abs_change", ascending=False).head(3)
    result.update(
        {
            "unit_roles_reviews": len(texts),
            "unit_roles_units": len(roles),
            "unit_roles_seconds": seconds,
            # other work on the machine slows the wall time, not the CPU seconds (two threads: about half on 2 idle cores)
            "unit_roles_cpu_seconds": cpu,
            "load_average_before": round(load_before, 2),
            "meets_unit_roles_30_s": seconds < 30,
            "strongest_units": strongest[["unit", "mean_change", "mean_abs_change", "words_up", "words_down"]].to_dict(
                "records"
            ),
        }
    )
    return result


def main() -> None:
    allocator.reexec_with_preload()  # train on tcmalloc where there is one, as the app's jobs do
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", nargs="+", default=["lstm"])
    parser.add_argument("--run", help="a stored run id, through Predictor (encoding included)")
    parser.add_argument("--runs-dir", help="runs folder (default: $IMDB_LAB_RUNS or ./runs)")
    parser.add_argument("--no-train", action="store_true", help="fail instead of training when no lstm run is stored")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    results = [bench_architecture(name, args.repeats) for name in args.preset]
    if args.run:
        results.append(bench_run(args.run, args.repeats))
    emit({"benchmark": "xray", "machine": machine(), "results": results, "what_if": bench_what_if(args)})


if __name__ == "__main__":
    main()
