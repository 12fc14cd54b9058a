"""A writing pipeline in another process, for tests that copy a store while it writes.

``with writing_pipeline(path) as pipeline:`` starts ``pipeline_child.py`` on the store at
``path``; ``pipeline.acknowledged`` grows by one step number each time the child has
committed a step (a dataset version ``stream`` with ``rows`` = the step and a model ``m``
with ``trained_on`` = the step, linked). The child is killed when the block ends.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from arangoml_meta.store import MetadataStore

CHILD = Path(__file__).with_name("pipeline_child.py")
WAIT_SECONDS = 120


class Pipeline:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.acknowledged: list[int] = []
        self.deadline = time.monotonic() + WAIT_SECONDS
        threading.Thread(
            target=lambda: self.acknowledged.extend(int(line) for line in process.stdout or ()),
            daemon=True,
        ).start()

    def wait_for(self, steps: int) -> int:
        """Wait until ``steps`` steps are acknowledged (at least); how many are."""
        while len(self.acknowledged) < steps and time.monotonic() < self.deadline:
            time.sleep(0.01)
        assert len(self.acknowledged) >= steps, "the pipeline does not go on"
        return len(self.acknowledged)


@contextmanager
def writing_pipeline(path: str) -> Iterator[Pipeline]:
    process = subprocess.Popen(
        [sys.executable, str(CHILD), path], stdout=subprocess.PIPE, text=True
    )
    try:
        yield Pipeline(process)
    finally:
        process.kill()
        process.wait()


def committed_steps(store: MetadataStore) -> list[int]:
    """The steps a copy of the pipeline's store holds, checked whole: each step's dataset,
    model and link are there together, and the steps are 0, 1, 2, ... without a gap."""
    steps = sorted(d["rows"] for d in store.find("datasets", {"name": "stream"}))
    trained = sorted(d["trained_on"] for d in store.find("models", {"name": "m"}))
    assert steps == list(range(len(steps))) == trained
    assert store.backend.count("derivations") == len(steps)
    return steps
