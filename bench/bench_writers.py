"""Benchmark: fairness of concurrent writers on one embedded store.

``--writers`` processes (8 by default) open the same embedded store in a temporary
directory, wait at a barrier, then each commits ``--steps`` pipeline steps through the
public API (``store.transaction()`` around a dataset registration and a derivation
link to the writer's previous version). Each writer reports when it finished and how
long each of its commits took, including the time spent waiting for the write lock.

Printed: every writer's completion time (seconds from the common start), their
spread (slowest minus fastest) and max / min ratio, and per-commit latency p50 / p99 /
max over all writers. A fair lock gives close completion times; an unfair one lets
some writers finish early while others starve.

Run: ``.venv/bin/python bench/bench_writers.py [--writers 8] [--steps 200]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from arangoml_meta.store import open_store


def writer(path: str, index: int, steps: int, size: int, barrier: Any, results: Any) -> None:
    """One writer process: ``steps`` committed steps of ``size`` registrations each (the
    first linked to the previous step's), then its timings onto ``results``."""
    store = open_store(path, actor=f"writer-{index}")
    name = f"w{index}"
    latencies: list[float] = []
    previous = None
    barrier.wait()
    started = time.time()
    for step in range(steps):
        began = time.perf_counter()
        with store.transaction():
            doc = store.register("datasets", name, rows=step, project="bench")
            if previous is not None:
                store.link(previous, doc, "next_version")
            for extra in range(1, size):
                store.register("featuresets", f"{name}-{extra}", rows=step, project="bench")
        latencies.append(time.perf_counter() - began)
        previous = doc["_id"]
    results.put((index, started, time.time(), latencies))
    store.close()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run(writers: int, steps: int, size: int) -> dict[str, Any]:
    """Start the writers on a fresh store; their completion times and commit latencies."""
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with tempfile.TemporaryDirectory(prefix="bench-writers-") as directory:
        path = str(Path(directory) / "store")
        open_store(path).close()  # created once, so that no writer pays for it
        barrier = context.Barrier(writers + 1)
        results = context.Queue()
        processes = [
            context.Process(target=writer, args=(path, i, steps, size, barrier, results))
            for i in range(writers)
        ]
        for process in processes:
            process.start()
        barrier.wait()
        start = time.time()
        collected = [results.get() for _ in processes]
        for process in processes:
            process.join()
        failed = [p.exitcode for p in processes if p.exitcode]
        if failed:
            sys.exit(f"*** {len(failed)} writers failed (exit codes {failed})")
        with open_store(path) as store:
            stored = store.backend.count("datasets")
    if stored != writers * steps:
        sys.exit(f"*** {stored} datasets stored, {writers * steps} committed")
    finished = {index: end - start for index, _, end, _ in collected}
    latencies = [latency for *_, per_writer in collected for latency in per_writer]
    return {"finished": dict(sorted(finished.items())), "latencies": latencies}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=8, help="writer processes (default 8)")
    parser.add_argument("--steps", type=int, default=200, help="steps per writer (default 200)")
    parser.add_argument("--size", type=int, default=1, help="registrations per step (default 1)")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the whole run (default 1)")
    args = parser.parse_args(argv)
    print(
        f"{args.writers} writers x {args.steps} steps of {args.size} registrations, "
        f"{os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    for round_number in range(1, args.rounds + 1):
        result = run(args.writers, args.steps, args.size)
        finished = result["finished"]
        times = list(finished.values())
        latencies = result["latencies"]
        print(
            f"round {round_number}: completion per writer (s): "
            + ", ".join(f"{index}={seconds:.1f}" for index, seconds in finished.items())
        )
        print(
            f"  fastest {min(times):.1f} s, slowest {max(times):.1f} s, "
            f"spread {max(times) - min(times):.1f} s, slowest/fastest {max(times) / min(times):.2f}, "
            f"stdev {statistics.pstdev(times):.1f} s"
        )
        print(
            f"  commit latency ms: p50 {1000 * percentile(latencies, 0.5):.1f}, "
            f"p99 {1000 * percentile(latencies, 0.99):.1f}, max {1000 * max(latencies):.1f}; "
            f"throughput {len(latencies) / max(times):.0f} steps/s"
        )


if __name__ == "__main__":
    main()
