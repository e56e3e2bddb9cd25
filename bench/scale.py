"""Scale benchmark: app replicas and training workers on one Redis, one shared runs folder.

Starts what ``docs/deploy.md`` tells an operator to start, with the same command lines, on
loopback ports of this machine: Debian's ``redis-server`` (:data:`bench.queue_cluster.REDIS_ARGS`),
``--workers`` ``rq worker`` processes (:func:`core.jobs.queue_worker.worker_command`) and
``--replicas`` app servers (``streamlit run app.py`` with ``IMDB_LAB_QUEUE_URL``,
``IMDB_LAB_RUNS`` set to the shared folder and one ``server.cookieSecret`` for all, given as
``STREAMLIT_SERVER_COOKIE_SECRET``: Streamlit refuses that option on the command line).

Then ``--sessions`` websocket sessions (:mod:`bench.wsclient`), spread round-robin over the
replicas, each open the app, go to Train, type their own seed into *More settings → Seed*
(so each is its own config: identical configs would share one job by design) and press
Train; the page's answer says whether the job was queued or refused, and why. The benchmark
waits (at most ``--timeout`` seconds) until every job in Redis has finished, reading them
through a :class:`core.jobs.redis_queue.QueueExecutor` as a replica would (a job whose worker
died is failed on that read), and samples the memory of every process meanwhile.

Prints one JSON object: failures (failed sessions, presses that neither queued nor were
refused, failed or unfinished jobs), jobs queued / done / refused (by reason), how many
distinct workers trained (RQ's ``worker_name`` of each job), queue wait (submitted ->
claimed by a work horse) and training seconds, and the resident memory of each replica,
worker, work horse (peak) and of redis-server. The machine's CPU is in ``machine``.

    python -m bench.scale [--sessions 6] [--replicas 2] [--workers 2] [--slice 2000] [--data ARCHIVE] [--runs-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.appserver import REPO, rss_mb, streamlit_server
from bench.common import emit, machine
from bench.load import HealthProbe, percentile, queue_outcome
from bench.queue_cluster import redis_server, workers
from bench.wsclient import AppSession, ProtocolError

#: Streamlit's ``server.cookieSecret``, as an environment variable.
COOKIE_SECRET_ENV = "STREAMLIT_SERVER_COOKIE_SECRET"
#: The Train page's seed box (``ui.train.knobs.KNOBS``), under "More settings".
SEED_LABEL = "Seed"
_JOB_HEADING = re.compile(r"Training job (job-[0-9a-f]{8})")
_OTHER_JOB = re.compile(r"`(job-[0-9a-f]{8})` ·")
#: What the Train page says when it refuses a job (``core.jobs.admission``), by reason.
REFUSALS = {
    "already have a job waiting": "owner_already_waiting",
    "queue is full": "queue_full",
    "more than this server allows": "time_budget",
}


class TrainSession(AppSession):
    """An :class:`AppSession` that can also type into a number box (the Train page's seed)."""

    def _note_element(self, element, result) -> None:
        super()._note_element(element, result)
        if element.WhichOneof("type") == "number_input":
            self.widgets[("number_input", element.number_input.label)] = element.number_input.id

    async def set_number(self, label: str, value: float):
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        widget_id = self.widgets.get(("number_input", label))
        if widget_id is None:
            raise ProtocolError(f"no number box labelled {label!r} on this page")
        self.values[widget_id] = WidgetState(id=widget_id, double_value=float(value))  # Streamlit's number_input type
        return await self.rerun()


def pressed_train(page) -> tuple[str, str | None]:
    """(outcome, job id) of one press of Train, from what the page drew afterwards."""
    for words, reason in REFUSALS.items():
        if page.mentions(words):
            return f"refused_{reason}", None
    found = next((m.group(1) for text in page.texts if (m := _JOB_HEADING.search(text))), None)
    if found is None:
        return "other", None
    if page.mentions("-badge[done]"):  # this config was trained before: the stored run, at once
        return "cached", found
    return queue_outcome(page), found  # "queued" (waiting) or "started" (a worker took it already)


async def _student(url: str, replica: int, index: int, seed: int, ramp: float, results: list) -> None:
    """One student: open the app, go to Train, set a seed of their own, press Train."""
    await asyncio.sleep(index * ramp)
    row = {"session": index, "replica": replica, "seed": seed, "outcome": None, "job_id": None, "seen_jobs": []}
    try:
        async with TrainSession(url) as session:
            runs = [await session.rerun(), await session.goto("Train a model")]
            runs.append(await session.set_number(SEED_LABEL, seed))
            runs.append(await session.click("Train"))
            row["outcome"], row["job_id"] = pressed_train(runs[-1])
            row["seen_jobs"] = sorted({m.group(1) for text in runs[-1].texts for m in _OTHER_JOB.finditer(text)})
            row["exceptions"] = [e for run in runs for e in run.exceptions]
            row["press_seconds"] = round(runs[-1].seconds, 3)
            if row["outcome"] == "other":
                row["error"] = f"pressing Train gave neither a job nor a refusal: {runs[-1].texts[-4:]}"
    except Exception as error:  # a failed session is a result, not a crash of the benchmark
        row["error"] = f"{type(error).__name__}: {str(error)[:200]}"
    results.append(row)


async def _press_all(urls: list[str], sessions: int, seed_base: int, ramp: float) -> list[dict]:
    results: list[dict] = []
    await asyncio.gather(
        *(_student(urls[i % len(urls)], i % len(urls), i, seed_base + i, ramp, results) for i in range(sessions))
    )
    return sorted(results, key=lambda row: row["session"])


# ---------------------------------------------------------------- memory


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (every thread's), from /proc; [] once it is gone."""
    found = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                found += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    return found


def _descendants(pid: int) -> list[int]:
    out, todo = [], _children(pid)
    while todo:
        child = todo.pop()
        out.append(child)
        todo += _children(child)
    return out


def _rss(pid: int) -> float | None:
    try:
        value = rss_mb(pid)
    except OSError:
        return None
    return None if value != value else round(value, 1)  # NaN: a zombie without memory


def _on_tcmalloc(pid: int) -> bool:
    try:
        return "libtcmalloc" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


class MemorySampler(threading.Thread):
    """Every ``interval`` seconds: RSS of each named process and of every work horse under the workers."""

    def __init__(self, processes: dict[str, int], workers_by_pid: dict[int, str], interval: float = 0.5):
        super().__init__(daemon=True)
        self.processes, self.workers_by_pid, self.interval = processes, workers_by_pid, interval
        self.peak: dict[str, float] = {}
        self.horse_peak: dict[int, float] = {}  # horse pid -> peak RSS
        self.horse_worker: dict[int, str] = {}  # horse pid -> the worker that spawned it
        self.horse_tcmalloc: dict[int, bool] = {}  # horse pid -> runs on tcmalloc (core.allocator)
        self.children_peak: dict[str, float] = {}  # replica -> peak RSS of its child processes together
        self.stop = threading.Event()

    def sample(self) -> dict[str, float | None]:
        now = {name: _rss(pid) for name, pid in self.processes.items()}
        for name, value in now.items():
            if value is not None:
                self.peak[name] = max(self.peak.get(name, 0.0), value)
        for pid, worker in self.workers_by_pid.items():
            for horse in _descendants(pid):
                value = _rss(horse)
                if value is not None:
                    self.horse_worker[horse] = worker
                    self.horse_peak[horse] = max(self.horse_peak.get(horse, 0.0), value)
                    if not self.horse_tcmalloc.get(horse):
                        self.horse_tcmalloc[horse] = _on_tcmalloc(horse)
        for name, pid in self.processes.items():
            if name.startswith("replica"):
                total = sum(v for c in _descendants(pid) if (v := _rss(c)) is not None)
                self.children_peak[name] = max(self.children_peak.get(name, 0.0), round(total, 1))
        return now

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.interval)


def _redis_facts(connection) -> dict:
    server, memory = connection.info("server"), connection.info("memory")
    return {
        "pid": int(server["process_id"]),
        "version": server["redis_version"],
        "used_memory_mb": round(memory["used_memory"] / 2**20, 2),
    }


# ---------------------------------------------------------------- jobs


def _wait_for_jobs(executor, timeout: float) -> list:
    """Read every job (as a replica does: a job whose worker died is failed here) until all finished or ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        snapshots = executor.jobs()
        if all(s.finished for s in snapshots) or time.monotonic() > deadline:
            return snapshots
        time.sleep(1.0)


def _job_rows(connection, job_ids: list[str]) -> list[dict]:
    """Each job's times, outcome and worker, from its Redis hash and its RQ job."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    from rq.serializers import JSONSerializer

    from core.jobs import queue_state as qs

    rows = []
    for job_id in job_ids:
        values = qs.decode(connection.hgetall(qs.job_key(job_id)))
        try:
            worker_name = Job.fetch(job_id, connection=connection, serializer=JSONSerializer).worker_name
        except NoSuchJobError:
            worker_name = None  # a cached job never reached the queue
        times = {name: values.get(name) for name in ("submitted", "started", "train_started", "finished_at")}
        rows.append(
            {
                "job_id": job_id,
                "state": values.get("state"),
                "cached": bool(values.get("cached")),
                "error": values.get("error"),
                "seed": (values.get("config") or {}).get("seed"),
                "worker_name": worker_name,
                "horse_pid": (values.get("worker") or {}).get("pid"),
                "queue": values.get("queue"),
                "train_seconds": values.get("train_seconds"),
                **times,
            }
        )
    return rows


def _between(rows: list[dict], start: str, end: str) -> list[float]:
    return [row[end] - row[start] for row in rows if row.get(start) is not None and row.get(end) is not None]


def _warm_cache(data: str | None, env: dict) -> dict:
    """Fill the corpus cache once (``make run`` does the same), so replicas and horses read it, not the archive."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "core", "data", "--json", *(["--data", data] if data else [])]
    done = subprocess.run(command, cwd=REPO, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(
            f"`python -m core data` failed; pass --data ARCHIVE or set IMDB_DATA:\n{done.stderr[-2000:]}"
        )
    return {"corpus_cache_seconds": round(time.perf_counter() - started, 1)}


# ---------------------------------------------------------------- the run


def _replica_env(shared: dict, max_queued: int, test_slice: int) -> dict:
    """Every replica's environment: the shared folders, the queue cap, the small job, one cookie secret.

    One secret for every replica (a session may move between them); Streamlit takes it only
    from its config file or the environment ("using the CLI flag is not allowed").
    """
    return {
        **shared,
        "IMDB_LAB_MAX_QUEUED": str(max_queued),
        "IMDB_LAB_TEST_SLICE": str(test_slice),
        COOKIE_SECRET_ENV: secrets.token_hex(32),
    }


def _start_replicas(stack, env: dict, count: int, folder: Path, setup: dict) -> list:
    """``count`` app replicas (``(url, process)`` each), stopped with ``stack``; their start times go in ``setup``."""
    servers = []
    for index in range(count):
        started_at = time.perf_counter()
        servers.append(stack.enter_context(streamlit_server(env, folder / f"replica-{index + 1}.log")))
        setup[f"replica_{index + 1}_healthy_seconds"] = round(time.perf_counter() - started_at, 1)
    return servers


def _stop_all(threads) -> None:
    for thread in threads:
        thread.stop.set()
    for thread in threads:
        thread.join()


def run(
    sessions: int = 6,
    replicas: int = 2,
    worker_count: int = 2,
    data: str | None = None,
    runs_dir: str | None = None,
    test_slice: int = 2000,
    max_queued: int | None = None,
    timeout: float = 600.0,
    ramp: float = 0.5,
) -> dict:
    """Start the cluster, press Train in ``sessions`` sessions, wait for the jobs; the JSON's dict."""
    import redis

    from core.jobs.redis_queue import QueueExecutor

    data = data or os.environ.get("IMDB_DATA") or None
    seed_base = secrets.randbelow(2**30)  # a runs folder given again holds no run of these configs yet
    with tempfile.TemporaryDirectory(prefix="imdb-scale-") as tmp:
        folder = Path(tmp)
        runs = str(Path(runs_dir).resolve()) if runs_dir else str(folder / "runs")
        shared = {"IMDB_LAB_RUNS": runs, **({"IMDB_DATA": str(Path(data).resolve())} if data else {})}
        setup = _warm_cache(shared.get("IMDB_DATA"), shared)
        replica_env = _replica_env(shared, max_queued or max(10, sessions), test_slice)
        with contextlib.ExitStack() as stack:
            url = stack.enter_context(redis_server(folder / "redis"))
            replica_env["IMDB_LAB_QUEUE_URL"] = url
            connection = redis.Redis.from_url(url)
            started_at = time.perf_counter()
            pool = stack.enter_context(workers(url, worker_count, shared, folder / "workers"))
            setup["workers_ready_seconds"] = round(time.perf_counter() - started_at, 1)
            servers = _start_replicas(stack, replica_env, replicas, folder, setup)
            redis_facts = _redis_facts(connection)
            processes = {f"replica_{i + 1}": process.pid for i, (_, process) in enumerate(servers)}
            processes |= {worker.name: worker.pid for worker in pool} | {"redis_server": redis_facts["pid"]}
            sampler = MemorySampler(processes, {worker.pid: worker.name for worker in pool})
            sampler.start()
            probes = [HealthProbe(server_url) for server_url, _ in servers]
            for probe in probes:
                probe.start()

            pressed_at = time.time()
            presses = asyncio.run(_press_all([u for u, _ in servers], sessions, seed_base, ramp))
            reader = QueueExecutor(url, runs_dir=runs)  # reads (and reconciles) jobs as a replica does
            snapshots = _wait_for_jobs(reader, timeout)
            _stop_all([sampler])
            memory_end = sampler.sample()  # every job finished: the horses have exited
            redis_facts = _redis_facts(connection)
            _stop_all(probes)
            rows = _job_rows(connection, [s.job_id for s in snapshots])
            alive = {f"replica_{i + 1}": p.poll() is None for i, (_, p) in enumerate(servers)}
            alive |= {worker.name: worker.process.poll() is None for worker in pool}
            worker_logs = {worker.name: worker.log.read_text(errors="replace")[-1500:] for worker in pool}
            reader.shutdown()
    measured = dict(presses=presses, rows=rows, snapshots=snapshots, sampler=sampler, memory_end=memory_end,
                    redis_facts=redis_facts, probes=probes, alive=alive, setup=setup, pressed_at=pressed_at,
                    worker_logs=worker_logs)  # fmt: skip
    return _result(sessions, replicas, worker_count, test_slice, measured)


def _result(sessions, replicas, worker_count, test_slice, measured: dict) -> dict:
    """The benchmark's JSON from what :func:`run` measured (``measured``: see its end)."""
    presses, probes, sampler = measured["presses"], measured["probes"], measured["sampler"]
    failed_sessions = [p for p in presses if p.get("error")]
    exceptions = [e for p in presses for e in p.get("exceptions", [])]
    jobs = _job_figures(presses, measured["rows"], measured["snapshots"], sampler, replicas)
    ends = [row["finished_at"] for row in measured["rows"] if row["finished_at"]]
    return {
        "machine": machine(),
        "sessions": sessions,
        "replicas": replicas,
        "workers": worker_count,
        "job_reviews": test_slice,
        "failures": len(failed_sessions) + jobs["jobs_failed"] + jobs["jobs_unfinished"],
        "failed_sessions": len(failed_sessions),
        "exceptions": len(exceptions),
        "errors": (
            [f"session {p['session']}: {p['error']}" for p in failed_sessions] + exceptions + jobs.pop("_errors")
        )[:5],
        **jobs,
        "press_train_p95_s": percentile([p["press_seconds"] for p in presses if "press_seconds" in p], 95),
        "all_jobs_seconds": round(max(ends) - measured["pressed_at"], 1) if ends else None,  # first press -> last job
        "memory_mb": _memory_figures(sampler, measured["memory_end"], measured["redis_facts"]),
        "redis_version": measured["redis_facts"]["version"],
        "health_failures": [probe.failures for probe in probes],
        "health_p95_s": [percentile(probe.latencies, 95) for probe in probes],
        "alive_at_end": measured["alive"],
        "setup": measured["setup"],
        "worker_log_tails": {n: t for n, t in measured["worker_logs"].items() if "Traceback" in t},
    }


def _job_figures(presses: list[dict], rows: list[dict], snapshots: list, sampler, replicas: int) -> dict:
    """What the presses became: jobs queued, done, failed, shared; who trained them; how long they waited."""
    outcomes: dict[str, int] = {}
    for press in presses:
        outcomes[press["outcome"] or "session_failed"] = outcomes.get(press["outcome"] or "session_failed", 0) + 1
    submitted = {p["job_id"] for p in presses if p["job_id"]}
    by_id = {row["job_id"]: row for row in rows}
    queued = [by_id[j] for j in sorted(submitted) if j in by_id and not by_id[j]["cached"]]
    done = [row for row in queued if row["state"] == "done"]
    failed = [row for row in rows if row["state"] == "failed"]
    replica_of = {p["job_id"]: p["replica"] for p in presses if p["job_id"]}
    per_worker: dict[str, int] = {}
    for row in done:
        per_worker[row["worker_name"] or "unknown"] = per_worker.get(row["worker_name"] or "unknown", 0) + 1
    waits, trains = _between(queued, "submitted", "started"), [r["train_seconds"] for r in done if r["train_seconds"]]
    return {
        "_errors": [f"{r['job_id']}: {r['error']}" for r in failed],
        "presses": outcomes,
        "sessions_per_replica": [sum(1 for p in presses if p["replica"] == i) for i in range(replicas)],
        "jobs_per_replica": [sum(1 for p in presses if p["replica"] == i and p["job_id"]) for i in range(replicas)],
        "jobs_queued": len(queued),
        "jobs_done": len(done),
        "jobs_failed": len(failed),
        "jobs_unfinished": sum(1 for s in snapshots if not s.finished),
        "jobs_cached": sum(1 for j in submitted if by_id.get(j, {}).get("cached")),
        "jobs_shared": sum(1 for p in presses if p["job_id"]) - len(submitted),  # identical configs: one job
        "jobs_in_redis_not_pressed": len(set(by_id) - submitted),
        "jobs_refused": {k[len("refused_") :]: v for k, v in outcomes.items() if k.startswith("refused_")},
        "workers_used": len({row["worker_name"] for row in done if row["worker_name"]}),
        "jobs_per_worker": per_worker,
        "horse_pids_match_workers": all(
            sampler.horse_worker.get(row["horse_pid"], row["worker_name"]) == row["worker_name"] for row in done
        ),
        "seeds_as_typed": all(by_id[p["job_id"]]["seed"] == p["seed"] for p in presses if p["job_id"] in by_id),
        "horses_on_tcmalloc": sum(sampler.horse_tcmalloc.values()),
        "jobs_seen_from_another_replica": sum(
            1 for p in presses for j in p["seen_jobs"] if replica_of.get(j, p["replica"]) != p["replica"]
        ),
        "queue_wait_p50_s": percentile(waits, 50),
        "queue_wait_p95_s": percentile(waits, 95),
        "horse_start_p50_s": percentile(_between(done, "started", "train_started"), 50),
        "training_p50_s": percentile(trains, 50),
        "job_total_p50_s": percentile(_between(done, "submitted", "finished_at"), 50),
    }


def _memory_figures(sampler, memory_end: dict, redis_facts: dict) -> dict:
    """Resident MB of every process: at the end, and the peak the sampler saw."""
    workers_rss = {name: memory_end.get(name) for name in sorted(sampler.workers_by_pid.values())}
    return {
        "replicas": {
            n: {"end": memory_end.get(n), "peak": sampler.peak.get(n)}
            for n in sampler.processes
            if n.startswith("replica")
        },
        "replica_children_peak": sampler.children_peak,
        "workers": {n: {"end": workers_rss[n], "peak": sampler.peak.get(n)} for n in workers_rss},
        "horse_peak": max(sampler.horse_peak.values(), default=None),
        "horses_seen": len(sampler.horse_peak),
        "redis_server": {
            "end": memory_end.get("redis_server"),
            "peak": sampler.peak.get("redis_server"),
            "used_memory": redis_facts["used_memory_mb"],
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=6)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--slice", type=int, default=2000, help="reviews each job trains and tests on (IMDB_LAB_TEST_SLICE)"
    )
    parser.add_argument("--max-queued", type=int, default=None, help="IMDB_LAB_MAX_QUEUED (default: max(10, sessions))")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for every job to finish")
    parser.add_argument("--ramp", type=float, default=0.5, help="seconds between session starts")
    parser.add_argument("--data", default=None, help="archive or aclImdb/ folder (default: $IMDB_DATA)")
    parser.add_argument("--runs-dir", default=None, help="the shared runs folder (default: a temporary one)")
    args = parser.parse_args()
    emit(
        run(
            args.sessions,
            args.replicas,
            args.workers,
            args.data,
            args.runs_dir,
            args.slice,
            args.max_queued,
            args.timeout,
            args.ramp,
        )
    )


if __name__ == "__main__":
    main()
