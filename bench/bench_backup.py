"""Backup of a store under a writing pipeline: ``store.backup()`` next to copying the file.

A child process commits pipeline steps without pause (a dataset version and a model
linked to it per step) and prints each step's number once it is committed. While it
runs, after ``--after`` acknowledged steps, the store is copied twice: ``cp store.db``
(what a user would do without this command) and ``store.backup()``. For each copy it
prints whether it opens and passes ``PRAGMA integrity_check``, and how many of the steps
acknowledged before the copy began it holds.

Run: ``.venv/bin/python bench/bench_backup.py [--after 300] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from arangoml_meta.errors import ArangoMLMetaError
from arangoml_meta.store import open_store

# commits steps without pause, printing each step once committed
PIPELINE = Path(__file__).resolve().parent.parent / "tests" / "store" / "pipeline_child.py"


def steps_in(path: Path) -> tuple[str, int | None]:
    """(integrity check result, steps held) of a copied store file."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        check = connection.execute("PRAGMA integrity_check").fetchone()[0]
        connection.close()
    except sqlite3.Error as exc:
        return f"does not open: {exc}", None
    try:
        with open_store(str(path)) as store:
            return check, len(store.find("datasets", {"name": "stream"}))
    except (ArangoMLMetaError, sqlite3.Error) as exc:
        return f"{check}; not a store: {exc}", None


def one_round(directory: Path, after: int) -> None:
    live = directory / "live"
    open_store(str(live)).close()
    writer = subprocess.Popen(
        [sys.executable, str(PIPELINE), str(live)], stdout=subprocess.PIPE, text=True
    )
    acknowledged: list[int] = []
    reader = threading.Thread(
        target=lambda: acknowledged.extend(int(line) for line in writer.stdout or ()),
        daemon=True,
    )
    reader.start()
    try:
        while len(acknowledged) < after:
            time.sleep(0.005)
        before_copy = len(acknowledged)
        shutil.copyfile(live / "store.db", directory / "copied.db")
        before_backup = len(acknowledged)
        with open_store(str(live)) as store:
            report = store.backup(directory / "backup")
    finally:
        writer.kill()
        writer.wait()
    for label, path, acked in (
        ("cp store.db", directory / "copied.db", before_copy),
        ("store backup", Path(report.destination), before_backup),
    ):
        check, held = steps_in(path)
        present = "?" if held is None else f"{min(held, acked)}/{acked}"
        print(
            f"  {label:<12}  integrity: {check:<6}  steps acknowledged before the copy "
            f"present: {present}  (copy holds {held} steps)"
        )
    print(f"  store backup took {report.seconds:.3f} s for {report.bytes:,} bytes")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--after", type=int, default=300, help="steps before the copies")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    for number in range(1, args.rounds + 1):
        print(f"round {number}:")
        with tempfile.TemporaryDirectory(prefix="bench-backup-") as directory:
            one_round(Path(directory), args.after)


if __name__ == "__main__":
    main()
