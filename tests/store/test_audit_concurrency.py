"""Four processes writing one embedded store at once: the audit chain stays one chain, with
exactly one record per write (issue 12). The ArangoDB side (8 clients against ``serve``) is
in tests/server/test_load.py."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from arangoml_meta import open_store
from arangoml_meta.audit import AUDIT_LOG, verify

PROCESSES = 4
WRITES = 500


def write_many(path: str, worker: int) -> None:
    with open_store(path, actor=f"worker-{worker}") as store:
        for n in range(WRITES):
            store.register("datasets", f"shared-{n % 3}", worker=worker, n=n)


def test_four_processes_keep_one_chain_with_a_record_per_write(tmp_path: Path) -> None:
    path = str(tmp_path / "store")
    with open_store(path) as store:
        begun = verify(store.backend).records
    fork = multiprocessing.get_context("fork")
    workers = [fork.Process(target=write_many, args=(path, w)) for w in range(PROCESSES)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(300)
    assert [w.exitcode for w in workers] == [0] * PROCESSES
    with open_store(path) as store:
        report = verify(store.backend)
        assert report.ok, report.problems[:5]
        assert report.records == begun + PROCESSES * WRITES
        per_actor = store.query(
            f"FOR b IN {AUDIT_LOG} FOR r IN b.records FILTER r.op == 'create' "
            "COLLECT actor = b.actor WITH COUNT INTO n SORT actor RETURN [actor, n]"
        )
        assert per_actor == [[f"worker-{w}", WRITES] for w in range(PROCESSES)]
        targets = store.query(
            f"FOR b IN {AUDIT_LOG} FOR r IN b.records FILTER r.op == 'create' RETURN r.target"
        )
        assert len(set(targets)) == PROCESSES * WRITES == store.backend.count("datasets")
