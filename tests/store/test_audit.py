"""The audit log: one record per document write, chained, stored one block per transaction,
and what verification catches.

Every test runs on each backend kind (``store`` fixture). Tampering is done through
``store.raw_backend`` and raw AQL, as someone with database access and no library
would do it: to a record inside a block, and to whole blocks.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from arangoml_meta.audit import AUDIT_LOG, GENESIS, content_digest, record_hash, verify
from arangoml_meta.audit.reading import RecordFilter, records
from arangoml_meta.audit.records import block, record_encoding, record_key, stored_text
from arangoml_meta.embedded.codec import encode
from arangoml_meta.embedded.layout import DOCUMENT_SYSTEM
from arangoml_meta.errors import BadParameterError, DocumentError, SchemaViolationError
from arangoml_meta.store import MetadataStore
from arangoml_meta.type_admin import evolve_type
from arangoml_meta.types import ArtifactType


def log_of(store: MetadataStore) -> list[dict[str, Any]]:
    """Every record, expanded from the blocks."""
    return list(records(store.backend, RecordFilter()))


def blocks_of(store: MetadataStore) -> list[dict[str, Any]]:
    """Every stored block, as stored (without ``_id``, ``_rev``)."""
    return store.query(f"FOR b IN {AUDIT_LOG} SORT b.seq RETURN UNSET(b, '_id', '_rev')")


def place(stored: dict[str, Any]) -> str:
    """How verification names a block: its records and its document."""
    first, count = stored["seq"], len(stored["records"])
    numbers = f"record {first}" if count == 1 else f"records {first}-{first + count - 1}"
    return f"{numbers} ({AUDIT_LOG}/{stored['_key']})"


def resealed(stored: dict[str, Any], prev: str | None = None) -> dict[str, Any]:
    """``stored`` with its hash recomputed (after ``prev``, or its own ``prev``): what a
    forger who knows the format writes."""
    return block(
        stored["seq"],
        stored["at"],
        stored["actor"],
        stored["user"],
        stored["records"],
        stored["prev"] if prev is None else prev,
    )


def multi_record_block(store: MetadataStore) -> dict[str, Any]:
    """The first block of more than two records with a link (a run's: the run, its links,
    its output)."""
    return next(
        b
        for b in blocks_of(store)
        if len(b["records"]) > 2 and any(e["op"] == "link" for e in b["records"])
    )


def following(store: MetadataStore, stored: dict[str, Any]) -> dict[str, Any]:
    """The block after ``stored``."""
    return next(b for b in blocks_of(store) if b["seq"] > stored["seq"])


def new_records(store: MetadataStore, since: int) -> list[tuple[str, str]]:
    return [(r["op"], r["target"]) for r in log_of(store) if r["seq"] > since]


def head_seq(store: MetadataStore) -> int:
    records = log_of(store)
    return records[-1]["seq"] if records else 0


def pipeline(store: MetadataStore) -> dict[str, Any]:
    raw = store.register("datasets", "raw", location="s3://b/raw.csv")
    with store.run("train", inputs={"data": raw}) as run:
        run.log_metrics({"auc": 0.9})
        model = run.register_output("models", "clf")
    deployment = store.register("deployments", "clf-prod")
    store.link(model, deployment, "deployed_as")
    return {"raw": raw, "model": model, "deployment": deployment, "run": run.doc}


# ---------------------------------------------------------------------- what is recorded


def test_a_new_store_begins_its_log_with_its_types_and_verifies(store: MetadataStore) -> None:
    records = log_of(store)
    assert {r["op"] for r in records} == {"adopt"}
    assert {r["target"] for r in records} == {f"artifact_types/{t.name}" for t in store.types()}
    assert verify(store.backend).ok


def test_each_document_written_gets_one_record_in_order(store: MetadataStore) -> None:
    start = head_seq(store)
    made = pipeline(store)
    ops = new_records(store, start)
    run_id = made["run"]["_id"]
    assert ops[0] == ("create", made["raw"]["_id"])
    assert ("create", made["model"]["_id"]) in ops
    assert ("update", run_id) in ops  # its close
    assert [op for op, _ in ops].count("link") == 3  # input, output, deployed_as
    assert ops[-1][0] == "link" and ops[-2] == ("create", made["deployment"]["_id"])
    stored = {r["target"]: r for r in log_of(store)}
    model = store.get(made["model"]["_id"])
    assert stored[model["_id"]]["after"] == content_digest(model)
    assert stored[model["_id"]]["version"] == 1 and stored[model["_id"]]["type"] == "models"
    assert verify(store.backend).ok


def test_records_carry_actor_time_and_digests_never_content(make_store: Any) -> None:
    store = make_store(actor="ann")
    doc = store.register("datasets", "secret", location="s3://very/secret/place")
    (record,) = [r for r in log_of(store) if r["target"] == doc["_id"]]
    assert record["actor"] == "ann" and record["at"] >= doc["created_at"]
    assert record["before"] is None and len(record["after"]) == 64
    assert "secret/place" not in json.dumps(record)


def test_the_chain_links_each_record_to_the_one_before(store: MetadataStore) -> None:
    pipeline(store)
    prev = GENESIS
    for number, record in enumerate(log_of(store), start=1):
        assert record["seq"] == number and record["prev"] == prev
        # anyone can recompute it: SHA-256 over the JSON array of the fields, in order
        assert record["hash"] == hashlib.sha256(record_encoding(record)).hexdigest()
        assert record["hash"] == record_hash(record)
        prev = record["hash"]


def test_a_transaction_is_one_block_holding_the_hash_of_its_last_record(
    store: MetadataStore,
) -> None:
    pipeline(store)
    hashes = {r["seq"]: r["hash"] for r in log_of(store)}
    expected = 1
    for stored in blocks_of(store):
        assert stored["_key"] == record_key(stored["seq"]) and stored["seq"] == expected
        expected += len(stored["records"])
        assert stored["prev"] == hashes.get(stored["seq"] - 1, GENESIS)
        assert stored["hash"] == hashes[expected - 1]
        # an entry leaves its null fields out; a record reads them as null
        assert all(None not in entry.values() for entry in stored["records"])
    adopted, *written = blocks_of(store)  # the new store's types: one transaction
    assert {e["op"] for e in adopted["records"]} == {"adopt"} and len(adopted["records"]) > 1
    assert len(written) < len(log_of(store)) - len(adopted["records"])  # blocks of several


_DETAIL_VALUES = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=6)
)


@given(
    st.lists(
        st.fixed_dictionaries(
            {"op": st.sampled_from(["create", "link", "erase"]), "target": st.text(max_size=9)},
            optional={
                "version": st.integers(1, 2**40),
                "after": st.text(max_size=4),
                "detail": st.dictionaries(st.text(max_size=4), _DETAIL_VALUES, max_size=3),
            },
        ),
        min_size=1,
        max_size=4,
    )
)
def test_a_blocks_own_stored_text_is_what_the_codec_writes(entries: list[dict[str, Any]]) -> None:
    written = block(7, "2026-12-07T00:00:00.000Z", "alice", None, entries, GENESIS)
    text = stored_text(written)
    try:
        expected = encode(written, DOCUMENT_SYSTEM)
    except DocumentError:  # the codec refuses it (NaN): so must the block's own text
        assert text is None
        return
    assert text is None or text == expected

    def leaf(v: Any) -> bool:
        return type(v) in (str, bool, type(None)) or (type(v) is int and -(2**63) <= v < 2**64)

    plain = all(
        all(map(leaf, v.values())) if isinstance(v, dict) else leaf(v)
        for e in entries
        for v in e.values()
    )
    assert (text is not None) == plain  # a float takes the codec's way


@given(
    st.fixed_dictionaries(
        {"op": st.sampled_from(["create", "link", "erase"]), "target": st.text(max_size=9)},
        optional={
            "type": st.text(max_size=5),
            "version": st.integers(-(2**70), 2**70),
            "before": st.text(max_size=4),
            "after": st.text(max_size=4),
            "detail": st.dictionaries(st.text(max_size=4), _DETAIL_VALUES, max_size=3),
        },
    ),
    st.integers(1, 2**70),
)
@example({"op": "link", "target": "inputs/1", "detail": {"to": "runs/r", "from": "data/d"}}, 1)
@example({"op": "erase", "target": "data/d", "detail": {"reason": "x", "at": 2.0}}, 9)
def test_a_blocks_hash_is_the_hash_of_its_record(entry: dict[str, Any], seq: int) -> None:
    """The block's hash, however it is computed (a fast way for entries without floats),
    is :func:`record_hash` of the record as verification reads it."""
    written = block(seq, "2026-12-07T00:00:00.000Z", "alice", None, [entry], GENESIS)
    record = {**entry, "seq": seq, "at": written["at"], "actor": "alice", "user": None}
    assert written["hash"] == record_hash({**record, "prev": GENESIS})


def test_tags_deletions_and_types_are_recorded(store: MetadataStore) -> None:
    made = pipeline(store)
    start = head_seq(store)
    store.tag(made["deployment"], add=["live"])
    store.delete(made["deployment"])
    ops = new_records(store, start)
    assert ops[0] == ("update", made["deployment"]["_id"])
    assert ("delete", made["deployment"]["_id"]) in ops
    assert ("unlink", next(t for o, t in ops if o == "unlink")) in ops
    assert any(o == "create" and t.startswith("deletions/") for o, t in ops)
    start = head_seq(store)
    reports = ArtifactType(
        name="reports",
        kind="artifact",
        description="reports",
        schema={"type": "object", "properties": {"name": {"type": "string"}}},
    )
    store.register_type(reports)
    evolve_type(
        store,
        ArtifactType(
            name="reports",
            kind="artifact",
            description="reports, with pages",
            schema={
                "type": "object",
                "properties": {"name": {"type": "string"}, "pages": {"type": "integer"}},
            },
        ),
    )
    assert new_records(store, start) == [
        ("register_type", "artifact_types/reports"),
        ("evolve_type", "artifact_types/reports"),
    ]
    assert verify(store.backend).ok


def test_what_is_not_written_is_not_recorded(store: MetadataStore) -> None:
    start = head_seq(store)
    with pytest.raises(RuntimeError), store.transaction():
        store.register("datasets", "never")
        raise RuntimeError("the step fails")
    with pytest.raises(SchemaViolationError):
        store.register("datasets", "bad", rows="many")
    assert head_seq(store) == start
    assert verify(store.backend).ok


def test_labelled_writes_and_events(store: MetadataStore) -> None:
    doc = store.register("datasets", "people", location="s3://p")
    start = head_seq(store)
    with store.backend.operation("erase", reason="request 7"):
        store.backend.update("datasets", doc["_key"], {"location": "[erased]"})
    store.backend.record_event("grant", "access/bob", {"collection": "datasets", "level": "ro"})
    records = [r for r in log_of(store) if r["seq"] > start]
    assert [(r["op"], r["target"], r["detail"]) for r in records] == [
        ("erase", doc["_id"], {"reason": "request 7"}),
        ("grant", "access/bob", {"collection": "datasets", "level": "ro"}),
    ]
    assert records[1]["before"] is None and records[1]["after"] is None
    assert verify(store.backend).ok


# ---------------------------------------------------------------------- tampering


def tampered(store: MetadataStore) -> list[tuple[str, str]]:
    report = verify(store.backend)
    assert not report.ok
    return [(p.kind, p.where) for p in report.problems]


def test_an_untouched_store_verifies(store: MetadataStore) -> None:
    pipeline(store)
    report = verify(store.backend)
    assert report.ok and report.problems == []
    assert report.records == head_seq(store) == report.head_seq and report.documents > 0
    assert report.head_hash == log_of(store)[-1]["hash"]


def test_an_edited_record_inside_a_block_is_found(store: MetadataStore) -> None:
    pipeline(store)
    stored = multi_record_block(store)
    entries = [dict(e) for e in stored["records"]]
    entries[1]["target"] = "models/someone-else-v1"
    store.raw_backend.update(AUDIT_LOG, stored["_key"], {"records": entries})
    assert tampered(store)[0] == ("edited", place(stored))


def test_an_edited_block_is_found(store: MetadataStore) -> None:
    pipeline(store)
    stored = blocks_of(store)[1]
    store.raw_backend.update(AUDIT_LOG, stored["_key"], {"actor": "mallory"})
    assert tampered(store) == [("edited", place(stored))]


def test_an_edited_block_with_its_hash_recomputed_breaks_the_next_link(
    store: MetadataStore,
) -> None:
    pipeline(store)
    stored = multi_record_block(store)
    stored["records"][0]["after"] = "0" * 64
    store.raw_backend.replace(AUDIT_LOG, stored["_key"], resealed(stored))
    assert tampered(store)[0] == ("chain", place(following(store, stored)))


def test_a_deleted_block_is_found(store: MetadataStore) -> None:
    pipeline(store)
    stored = multi_record_block(store)
    after = following(store, stored)
    store.raw_backend.delete(AUDIT_LOG, stored["_key"])
    problems = tampered(store)
    assert problems[0] == ("deleted", place(after))
    assert ("chain", place(after)) in problems


def test_a_record_removed_from_a_block_is_found(store: MetadataStore) -> None:
    pipeline(store)
    stored = multi_record_block(store)
    after = following(store, stored)
    shorter = {**stored, "records": stored["records"][:-1]}
    store.raw_backend.replace(AUDIT_LOG, stored["_key"], shorter)
    problems = tampered(store)
    assert problems[0] == ("edited", place(shorter))
    assert ("deleted", place(after)) in problems
    # the hash recomputed too: the gap, and the next block's link, still show
    store.raw_backend.replace(AUDIT_LOG, stored["_key"], resealed(shorter))
    problems = tampered(store)
    assert problems[:2] == [("deleted", place(after)), ("chain", place(after))]


def test_a_record_added_to_a_block_is_found(store: MetadataStore) -> None:
    pipeline(store)
    stored = multi_record_block(store)
    after = following(store, stored)
    forged = {"op": "delete", "target": "models/clf-v1", "type": "models"}
    longer = {**stored, "records": [*stored["records"], forged]}
    store.raw_backend.replace(AUDIT_LOG, stored["_key"], resealed(longer))
    problems = tampered(store)
    assert problems[0] == ("inserted", place(after))
    assert ("chain", place(after)) in problems


def test_an_inserted_block_is_found(store: MetadataStore) -> None:
    pipeline(store)
    head = blocks_of(store)[-1]
    first = head["seq"] + len(head["records"])
    forged = block(
        first, head["at"], head["actor"], None, [{"op": "delete", "target": "x/y"}], "f" * 64
    )
    store.raw_backend.insert(AUDIT_LOG, forged)
    assert tampered(store) == [("chain", place(forged))]
    store.raw_backend.delete(AUDIT_LOG, forged["_key"])
    between = dict(forged, _key="000000000009x")
    store.raw_backend.insert(AUDIT_LOG, between)
    assert ("inserted", f"{AUDIT_LOG}/000000000009x") in tampered(store)


def test_reordered_records_inside_a_block_are_found(store: MetadataStore) -> None:
    pipeline(store)
    stored = multi_record_block(store)
    entries = stored["records"]
    swapped = [entries[1], entries[0], *entries[2:]]
    store.raw_backend.update(AUDIT_LOG, stored["_key"], {"records": swapped})
    assert tampered(store) == [("edited", place(stored))]


def test_reordered_blocks_are_found(store: MetadataStore) -> None:
    pipeline(store)
    first, second = blocks_of(store)[2:4]
    body = {k: v for k, v in second.items() if k != "_key"}
    other = {k: v for k, v in first.items() if k != "_key"}
    store.raw_backend.replace(AUDIT_LOG, first["_key"], body)
    store.raw_backend.replace(AUDIT_LOG, second["_key"], other)
    moved = {**second, "seq": first["seq"], "_key": first["_key"]}  # named by its key
    assert tampered(store)[0] == ("reordered", place(moved))


def test_a_block_whose_records_are_gone_is_found(store: MetadataStore) -> None:
    pipeline(store)
    stored = multi_record_block(store)
    after = following(store, stored)
    store.raw_backend.update(AUDIT_LOG, stored["_key"], {"records": "none"})
    problems = tampered(store)
    assert problems[0] == ("edited", f"{AUDIT_LOG}/{stored['_key']}")
    assert ("deleted", place(after)) in problems


def test_a_block_changed_through_raw_aql_is_found(store: MetadataStore) -> None:
    pipeline(store)
    stored = multi_record_block(store)
    store.query(
        f"FOR b IN {AUDIT_LOG} FILTER b._key == @k "
        f"UPDATE b WITH {{records: APPEND(SLICE(b.records, 0, 1), SLICE(b.records, 2))}} "
        f"IN {AUDIT_LOG}",
        {"k": stored["_key"]},
    )
    problems = tampered(store)
    shorter = {**stored, "records": stored["records"][:1] + stored["records"][2:]}
    assert problems[0] == ("edited", place(shorter))


def test_documents_written_around_the_library_are_found(store: MetadataStore) -> None:
    made = pipeline(store)
    store.query(
        "FOR d IN datasets FILTER d._key == @k UPDATE d WITH {location: 's3://evil'} IN datasets",
        {"k": made["raw"]["_key"]},
    )
    store.query("INSERT {name: 'smuggled', version: 1} INTO models")
    store.query("REMOVE @k IN deployments", {"k": made["deployment"]["_key"]})
    problems = tampered(store)
    kinds = {(kind, where.partition("/")[0]) for kind, where in problems}
    assert kinds == {("changed", "datasets"), ("unaudited", "models"), ("missing", "deployments")}
    assert ("changed", made["raw"]["_id"]) in problems
    assert ("missing", made["deployment"]["_id"]) in problems


def test_a_rewritten_chain_is_caught_by_the_anchor(store: MetadataStore) -> None:
    pipeline(store)
    anchor = log_of(store)[-1]["hash"]
    middle = log_of(store)[len(log_of(store)) // 2]["hash"]  # a record inside the chain
    assert verify(store.backend, anchor=anchor).ok and verify(store.backend, anchor=middle).ok
    # rewrite the chain from the third block on, every hash recomputed: it verifies by itself
    blocks = blocks_of(store)
    prev = blocks[1]["hash"]
    for stored in blocks[2:]:
        rewritten = resealed({**stored, "actor": "mallory"}, prev)
        prev = rewritten["hash"]
        store.raw_backend.replace(AUDIT_LOG, stored["_key"], rewritten)
    assert verify(store.backend).ok
    report = verify(store.backend, anchor=anchor)
    assert not report.ok and report.anchored is False
    assert [p.kind for p in report.problems] == ["anchor"]


# ---------------------------------------------------------------------- a store without a log


def test_a_store_made_without_a_log_records_nothing(make_store: Any) -> None:
    store = make_store()
    plain = MetadataStore(store.raw_backend)
    assert plain.backend.enabled
    store_without = make_store()
    store_without.raw_backend.update("store_info", "store", {"audit": False})
    reopened = MetadataStore(store_without.raw_backend)
    reopened.initialize()
    assert not reopened.backend.enabled
    before = reopened.backend.count(AUDIT_LOG)
    reopened.register("datasets", "quiet")
    assert reopened.backend.count(AUDIT_LOG) == before
    with pytest.raises(BadParameterError, match="cannot be turned off"):
        plain.initialize(audit=False)
    reopened.initialize(audit=True)  # begins the log: what it holds is adopted
    assert reopened.backend.enabled
    assert verify(reopened.backend).ok
