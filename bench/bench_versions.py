"""Benchmark: what a version costs at 10 versions of a name and at 100,000.

A stream of serving-metric windows registers a new version of one name every few
minutes for as long as a model serves. Each operation below is timed through the
public API on one embedded store holding a name with 10 versions and a name with
100,000 (imported with ``store.import_records``), and the p50 at 100,000 is divided
by the p50 at 10 (target: at most 1.5x, i.e. constant time):

- ``register``: the next version of the name (allocation included);
- ``get @latest``: the newest version;
- ``history, first page``: the 50 oldest versions.

Runs have no versions: they are ordered by their time, a string, then key. The
index orders strings by code point, not as AQL does, but for ISO timestamps the
engine checks with a few seeks that no run past the ones it read may sort among
them (``embedded/text_ranges.py``) and reads only those; targeted likewise:

- ``runs: get @latest`` and ``runs: first page``, runs made one a second (a page
  of 10, as many as the small name has: a run document costs a few µs to build).

Shown without a target, because they are not constant: a page from the middle
(``--offset`` skips the versions before it, as OFFSET does in any database), and
the same two on runs an import stamped ~45 to a millisecond: SORT by time, then key,
reads every run of the newest millisecond, and the bigger import has more of them.

Run: ``make bench-versions`` or ``.venv/bin/python bench/bench_versions.py [--big N]``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from arangoml_meta import open_store
from arangoml_meta.store import MetadataStore

TARGET = 1.5  # p50 at the big count / p50 at the small count
SMALL = 10
REPS = 200


def p50(fn: Callable[[], object], reps: int) -> float:
    samples = []
    for _ in range(reps):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def fill(store: MetadataStore, type_name: str, name: str, count: int, spaced: bool) -> None:
    """``count`` records of a name; ``spaced``: one a second (else stamped by the import)."""
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def record(i: int) -> dict[str, object]:
        if not spaced:
            return {"type": type_name, "name": name, "window": i}
        at = (start + timedelta(seconds=i)).isoformat(timespec="milliseconds")
        return {"type": type_name, "name": name, "window": i, "created_at": at[:-6] + "Z"}

    store.import_records((record(i) for i in range(count)), batch_size=10_000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big", type=int, default=100_000, help="versions of the big name")
    parser.add_argument("--reps", type=int, default=REPS, help="timed calls per case")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-versions-"))
    try:
        store = open_store(str(folder / "store"))
        began = time.perf_counter()
        for type_name, prefix, spaced in (
            ("serving_metrics", "", False),
            ("runs", "", True),
            ("runs", "stamped-", False),
        ):
            fill(store, type_name, prefix + "small", SMALL, spaced)
            fill(store, type_name, prefix + "big", args.big, spaced)
        filled = time.perf_counter() - began
        total = 3 * (SMALL + args.big)
        print(
            f"# {total:,} documents imported in {filled:.1f} s ({total / filled:,.0f}/s); "
            f"{args.reps} timed calls per case",
            file=sys.stderr,
        )
        Case = Callable[[str, int], Callable[[], object]]
        cases: dict[str, tuple[Case, bool]] = {
            "register": (lambda name, n: lambda: store.register("serving_metrics", name), True),
            "get @latest": (
                lambda name, n: lambda: store.get(f"serving_metrics/{name}@latest"),
                True,
            ),
            "history, first page": (
                lambda name, n: lambda: store.history("serving_metrics", name, limit=50),
                True,
            ),
            "history, middle page": (
                lambda name, n: (
                    lambda: store.history("serving_metrics", name, limit=50, offset=n // 2)
                ),
                False,
            ),
            "runs: get @latest": (lambda name, n: lambda: store.get(f"runs/{name}@latest"), True),
            "runs: first page": (
                lambda name, n: lambda: store.history("runs", name, limit=SMALL),
                True,
            ),
            "stamped runs: @latest": (
                lambda name, n: lambda: store.get(f"runs/stamped-{name}@latest"),
                False,
            ),
            "stamped runs: page": (
                lambda name, n: lambda: store.history("runs", f"stamped-{name}", limit=50),
                False,
            ),
        }
        print(f"{'case':22s} {SMALL:>12,} {args.big:>12,}    ratio  target   result")
        missed = 0
        for case, (make, targeted) in cases.items():
            small = p50(make("small", SMALL), args.reps)
            big = p50(make("big", args.big), args.reps)
            ratio = big / small
            passed = ratio <= TARGET
            missed += targeted and not passed
            verdict = ("PASS" if passed else "MISS") if targeted else "(none)"
            print(
                f"{case:22s} {small * 1e6:9.0f} us {big * 1e6:9.0f} us  {ratio:6.2f}x  "
                f"{f'<= {TARGET}x' if targeted else '':7s}  {verdict}"
            )
        store.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
