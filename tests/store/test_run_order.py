"""The newest run of a name and its pages, on runs whose times are not in insertion order.

Runs are ordered by ``created_at`` (a string), then key; the embedded engine reads
such strings in its index's order a batch at a time (``embedded/text_ranges.py``).
Imported history keeps its own times, so a name's runs may arrive in any order.
"""

from __future__ import annotations

import random

from arangoml_meta.store import MetadataStore


def test_imported_runs_are_found_newest_first_and_paged_in_time_order(
    store: MetadataStore,
) -> None:
    times = [
        f"2026-01-{1 + i // 86400:02d}T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}.000Z"
        for i in range(0, 120 * 997, 997)
    ]
    shuffled = random.Random(8).sample(times, len(times))
    store.import_records({"type": "runs", "name": "sweep", "created_at": t} for t in shuffled)
    assert store.get("runs/sweep@latest")["created_at"] == max(times)
    page = store.history("runs", "sweep", limit=7, offset=30)
    assert [d["created_at"] for d in page] == sorted(times)[30:37]
