"""Erasure removes personal values and keeps lineage, on every backend (see ``erasure.py``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta.audit import verify
from arangoml_meta.audit.reading import RecordFilter, records
from arangoml_meta.audit.records import content_digest
from arangoml_meta.errors import (
    BadParameterError,
    CollectionNotFoundError,
    DocumentNotFoundError,
    SchemaViolationError,
    TransactionError,
)
from arangoml_meta.queries import run_query
from arangoml_meta.store import MetadataStore
from arangoml_meta.type_admin import evolve_type, load_revision, schema_versions
from arangoml_meta.types import load_type_file

from .conftest import counts

SECRET = "ZQX-erasable-4711@example.org"  # a value found nowhere else in a store
PROFILE = {"email": {"distinct": 2, "frequencies": {SECRET: 1, "other@example.org": 1}}}


@dataclass(frozen=True)
class Pipeline:
    store: MetadataStore
    ids: dict[str, str]


@pytest.fixture
def pipeline(store: MetadataStore) -> Pipeline:
    """customers v1 and v2 (personal statistics), a subset copying v1's statistics, a clean
    copy with statistics of its own, a run training a model on it, its deployment."""
    s = store
    v1 = s.register(
        "datasets",
        "customers",
        location="s3://lake/customers/v1.parquet",
        rows=2,
        statistics=PROFILE,
        personal_data=True,
        data_subjects=["customers"],
    )
    v2 = s.register(
        "datasets",
        "customers",
        location="s3://lake/customers/v2.parquet",
        statistics={"email": {"frequencies": {SECRET: 2}}},
        personal_data=True,
    )
    subset = s.register("datasets", "sample", location="s3://lake/sample.csv", statistics=PROFILE)
    clean = s.register(
        "datasets", "clean", location="s3://lake/clean.csv", statistics={"rows": {"mean": 1.0}}
    )
    s.link(v1, subset, "subset_of")
    s.link(v2, clean, "cleaned_into")
    with s.run("train", inputs={"train": clean}) as run:
        model = run.register_output("models", "churn", location="s3://models/churn.pkl")
    deployment = s.register("deployments", "churn-prod", endpoint="https://serve/churn")
    s.link(model, deployment, "deployed_as")
    ids = {
        "v1": v1["_id"],
        "v2": v2["_id"],
        "subset": subset["_id"],
        "clean": clean["_id"],
        "run": run.id,
        "model": model["_id"],
        "deployment": deployment["_id"],
    }
    return Pipeline(s, ids)


def everything(store: MetadataStore) -> list[Any]:
    """Every document of every collection, system ones included."""
    names = [t.name for t in store.types()]
    names += ["inputs", "outputs", "derivations", "artifact_types", "environments", "deletions"]
    return [doc for name in names for doc in store.query("FOR d IN @@c RETURN d", {"@c": name})]


def test_personal_fields_are_removed_from_the_versions_and_the_copies(pipeline: Pipeline) -> None:
    s, ids = pipeline.store, pipeline.ids
    erasure = s.erase(ids["v1"], reason="GDPR request 118")
    assert erasure.changed and not erasure.dry_run
    assert {(r.document, tuple(r.fields), r.why) for r in erasure.redactions} == {
        (ids["v1"], ("statistics",), "erased"),
        (ids["v2"], ("statistics",), "version"),
        (ids["subset"], ("statistics",), "copy"),
    }
    for key in ("v1", "v2", "subset"):
        doc = s.get(ids[key])
        assert "statistics" not in doc
        assert doc["erased"]["fields"] == ["statistics"]
    assert SECRET not in json.dumps(everything(s))
    assert s.get(ids["clean"])["statistics"] == {"rows": {"mean": 1.0}}  # not a copy: kept


def test_an_erased_document_is_marked_and_keeps_everything_else(pipeline: Pipeline) -> None:
    s, ids = pipeline.store, pipeline.ids
    before = s.get(ids["v1"])
    erasure = s.erase("datasets/customers@1", reason="GDPR request 118")
    after = s.get(ids["v1"])
    assert after["erased"] == {
        "start": ids["v1"],
        "at": erasure.at,
        "by": s.actor,
        "reason": "GDPR request 118",
        "fields": ["statistics"],
    }
    kept = {k: v for k, v in before.items() if k not in ("statistics", "_rev", "digest_salt")}
    assert {k: v for k, v in after.items() if k not in ("erased", "_rev", "digest_salt")} == kept
    assert after["personal_data"] is True and after["data_subjects"] == ["customers"]
    assert after["digest_salt"] != before["digest_salt"]  # the old one is gone with the value


# ---------------------------------------------------------------------- digest salts


def test_a_document_holding_personal_fields_carries_a_salt(store: MetadataStore) -> None:
    personal = store.register("datasets", "customers", statistics=PROFILE)
    plain = store.register("datasets", "clean", location="s3://lake/clean.csv")
    with store.run("train") as run:
        pass
    assert len(personal["digest_salt"]) == 32 and int(personal["digest_salt"], 16) >= 0
    assert store.get(personal["_id"])["digest_salt"] == personal["digest_salt"]
    assert "digest_salt" not in store.get(plain["_id"])
    assert "digest_salt" not in store.get(run.id)
    again = store.register("datasets", "customers", statistics=PROFILE)
    assert again["digest_salt"] != personal["digest_salt"]  # one of its own per document
    with pytest.raises(BadParameterError, match="digest_salt"):
        store.register("datasets", "chosen", statistics=PROFILE, digest_salt="0" * 32)


def test_the_digest_before_an_erasure_cannot_be_matched_against_the_erased_value(
    pipeline: Pipeline,
) -> None:
    """What an attacker with read access holds after the erasure: the redacted document,
    the log's digest of the document before it, and a guess of the erased value (here the
    right one). Only the erased salt would make the guess match."""
    s, ids = pipeline.store, pipeline.ids
    before = s.get(ids["v1"])
    [created] = [
        r for r in records(s.backend, RecordFilter(target=ids["v1"])) if r["op"] == "create"
    ]
    s.erase(ids["v1"], reason="request")
    after = s.get(ids["v1"])

    def guessed(salt: str | None) -> str:
        doc = {k: v for k, v in after.items() if k not in ("erased", "digest_salt")}
        doc["statistics"] = PROFILE  # the guess
        if salt is not None:
            doc["digest_salt"] = salt
        return content_digest(doc)

    assert guessed(before["digest_salt"]) == created["after"]  # the reconstruction is right
    assert guessed(after["digest_salt"]) != created["after"]
    assert guessed(None) != created["after"]


def test_documents_ids_and_edges_all_stay(pipeline: Pipeline) -> None:
    s = pipeline.store
    before = counts(s)
    edges = s.query("FOR e IN derivations SORT e._key RETURN [e._id, e._from, e._to]")
    s.erase(pipeline.ids["v1"], reason="request")
    assert counts(s) == before
    assert s.query("FOR e IN derivations SORT e._key RETURN [e._id, e._from, e._to]") == edges


def test_lineage_questions_answer_as_before(pipeline: Pipeline) -> None:
    s, ids = pipeline.store, pipeline.ids

    def answers() -> list[Any]:
        return [
            s.downstream("datasets/customers").ids(),
            s.upstream(ids["deployment"]).ids(),
            s.impact(ids["v2"]).ids(),
            [row["vertex"]["_id"] for row in s.path(ids["v2"], ids["deployment"])],
            run_query(s, "personal_data_impact", {}),
            run_query(s, "deployments_for_dataset", {"dataset": ids["v2"]}),
        ]

    before = answers()
    s.erase(ids["v1"], reason="request")
    assert answers() == before
    assert ids["deployment"] in before[0]


def test_the_work_list_names_what_to_purge_retrain_and_redeploy(pipeline: Pipeline) -> None:
    s, ids = pipeline.store, pipeline.ids
    erasure = s.erase(ids["v2"], reason="request")
    work = {item.id: (item.depth, item.action, item.locations) for item in erasure.work}
    assert work == {
        ids["v1"]: (0, "purge", ["s3://lake/customers/v1.parquet"]),
        ids["v2"]: (0, "purge", ["s3://lake/customers/v2.parquet"]),
        ids["subset"]: (1, "purge", ["s3://lake/sample.csv"]),
        ids["clean"]: (1, "purge", ["s3://lake/clean.csv"]),
        ids["model"]: (3, "retrain", ["s3://models/churn.pkl"]),
        ids["deployment"]: (4, "redeploy", []),
    }
    assert [item.depth for item in erasure.work] == sorted(item.depth for item in erasure.work)
    assert erasure.runs == 1
    assert erasure.versions == [ids["v1"], ids["v2"]]


def test_a_dry_run_writes_nothing_and_plans_the_same(pipeline: Pipeline) -> None:
    s, ids = pipeline.store, pipeline.ids
    before = everything(s)
    planned = s.erase(ids["v1"], reason="request", dry_run=True)
    assert planned.dry_run and planned.changed
    assert everything(s) == before
    done = s.erase(ids["v1"], reason="request")
    assert planned.redactions == done.redactions
    assert planned.work == done.work


def test_erasing_again_is_a_no_op(pipeline: Pipeline) -> None:
    s, ids = pipeline.store, pipeline.ids
    first = s.erase(ids["v1"], reason="request")
    before = everything(s)
    again = s.erase(ids["v2"], reason="the same request, again")
    assert not again.changed and again.redactions == []
    assert again.previous is not None and again.previous["at"] == first.at
    # the work list is still given
    assert [(w.id, w.action) for w in again.work] == [(w.id, w.action) for w in first.work]
    assert everything(s) == before


def test_a_version_registered_after_an_erasure_is_erased_next_time(pipeline: Pipeline) -> None:
    s, ids = pipeline.store, pipeline.ids
    s.erase(ids["v1"], reason="request")
    v3 = s.register("datasets", "customers", statistics={"email": {"frequencies": {SECRET: 1}}})
    again = s.erase(ids["v1"], reason="request")
    assert [(r.document, r.why) for r in again.redactions] == [(v3["_id"], "version")]
    assert "statistics" not in s.get(v3["_id"])


def test_a_version_without_personal_data_loses_only_copied_values(store: MetadataStore) -> None:
    raw = store.register("datasets", "wdbc", statistics=PROFILE, personal_data=True)
    own = {"rows": {"mean": 2.0}}
    clean = store.register("datasets", "wdbc", statistics=own, personal_data=False)
    copied = store.register("datasets", "wdbc", statistics=PROFILE, personal_data=False)
    erasure = store.erase(raw["_id"], reason="request")
    assert erasure.versions == [raw["_id"]]
    assert {(r.document, r.why) for r in erasure.redactions} == {
        (raw["_id"], "erased"),
        (copied["_id"], "copy"),
    }
    assert store.get(clean["_id"])["statistics"] == own


def test_an_edge_attribute_copying_a_value_loses_it(store: MetadataStore) -> None:
    raw = store.register("datasets", "raw", statistics=PROFILE)
    copy = store.register("datasets", "copy")
    edge = store.link(raw, copy, "subset_of", statistics=PROFILE, approved_by="dpo")
    erasure = store.erase(raw["_id"], reason="request")
    assert any(r.document == edge["_id"] and r.why == "edge" for r in erasure.redactions)
    (stored,) = store.query("FOR e IN derivations RETURN e")
    assert "statistics" not in stored
    assert (stored["_from"], stored["_to"], stored["approved_by"]) == (
        raw["_id"],
        copy["_id"],
        "dpo",
    )


def test_nested_personal_fields_are_removed_item_by_item(
    store: MetadataStore, tmp_path: Path
) -> None:
    schema = {
        "type": "object",
        "properties": {
            "columns": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "examples": {"type": "array", "x-personal-data": True},
                    },
                },
            }
        },
    }
    path = tmp_path / "tables.json"
    path.write_text(json.dumps(schema))
    store.register_type(load_type_file(path))
    columns = [{"name": "email", "examples": [SECRET]}, {"name": "age", "examples": [41]}]
    table = store.register("tables", "crm", columns=columns)
    erasure = store.erase(table["_id"], reason="request")
    assert erasure.redactions[0].fields == ["columns[].examples"]
    assert store.get(table["_id"])["columns"] == [{"name": "email"}, {"name": "age"}]


def test_a_redaction_the_copys_schema_refuses_writes_nothing(
    store: MetadataStore, tmp_path: Path
) -> None:
    path = tmp_path / "reports.json"
    path.write_text(
        json.dumps({"type": "object", "required": ["statistics"], "properties": {"statistics": {}}})
    )
    store.register_type(load_type_file(path))
    raw = store.register("datasets", "raw", statistics=PROFILE)
    report = store.register("reports", "weekly", statistics=PROFILE)
    store.link(raw, report, "summarised_in")
    before = everything(store)
    with pytest.raises(SchemaViolationError, match="statistics"):
        store.erase(raw["_id"], reason="request")
    assert everything(store) == before


@pytest.mark.parametrize(
    "ref,error,message",
    [
        ("datasets/nothing-v1", DocumentNotFoundError, "not found"),
        ("datasets/customers@9", DocumentNotFoundError, "not found"),
        ("widgets/a-v1", CollectionNotFoundError, "unknown artifact type"),
        ("models/churn-v1", BadParameterError, "x-personal-data"),
    ],
)
def test_what_cannot_be_erased_is_refused(
    pipeline: Pipeline, ref: str, error: type[Exception], message: str
) -> None:
    before = everything(pipeline.store)
    with pytest.raises(error, match=message):
        pipeline.store.erase(ref, reason="request")
    assert everything(pipeline.store) == before


def test_unknown_refs_carry_arangodbs_error_number(pipeline: Pipeline) -> None:
    with pytest.raises(DocumentNotFoundError) as caught:
        pipeline.store.erase("datasets/nothing-v1", reason="request")
    assert caught.value.error_num == 1202


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_an_erasure_needs_a_reason(pipeline: Pipeline, reason: Any) -> None:
    with pytest.raises(BadParameterError, match="reason"):
        pipeline.store.erase(pipeline.ids["v1"], reason=reason)


def test_an_erasure_is_not_part_of_a_step(pipeline: Pipeline) -> None:
    with pytest.raises(TransactionError), pipeline.store.transaction():
        pipeline.store.erase(pipeline.ids["v1"], reason="request")
    assert "statistics" in pipeline.store.get(pipeline.ids["v1"])


def test_the_erased_mark_cannot_be_set_at_registration(store: MetadataStore) -> None:
    with pytest.raises(BadParameterError, match="erased"):
        store.register("datasets", "x", erased={"at": "now"})


def test_a_mark_added_by_types_evolve_is_kept_and_honoured(
    store: MetadataStore, tmp_path: Path
) -> None:
    path = tmp_path / "people.json"
    path.write_text(json.dumps({"type": "object", "properties": {"email": {"type": "string"}}}))
    store.register_type(load_type_file(path))
    person = store.register("people", "p1", email=SECRET)
    with pytest.raises(BadParameterError, match="marks no field as personal"):
        store.erase(person["_id"], reason="request")
    marked = {"email": {"type": "string", "x-personal-data": True}}
    path.write_text(json.dumps({"type": "object", "properties": marked}))
    evolution = evolve_type(store, load_revision(store, path))
    assert evolution.changed and evolution.breaking == []
    assert store.type("people").schema["properties"]["email"]["x-personal-data"] is True
    assert schema_versions(store, "people")[-1]["schema"]["properties"]["email"] == marked["email"]
    store.erase(person["_id"], reason="request")
    assert "email" not in store.get(person["_id"])


def audit_records(store: MetadataStore) -> list[dict[str, Any]]:
    return list(records(store.backend, RecordFilter()))


def test_the_audit_log_records_the_erasure_and_still_verifies(pipeline: Pipeline) -> None:
    s, ids = pipeline.store, pipeline.ids
    before = len(audit_records(s))
    s.erase(ids["v1"], reason="GDPR request 118")
    erased = audit_records(s)[before:]
    assert {a["target"] for a in erased} == {ids["v1"], ids["v2"], ids["subset"]}
    assert {(a["op"], json.dumps(a["detail"])) for a in erased} == {
        ("erase", json.dumps({"reason": "GDPR request 118"}))
    }
    assert all(a["before"] != a["after"] for a in erased)
    assert verify(s.backend).ok
    assert SECRET not in json.dumps(audit_records(s))


def test_a_dry_run_and_a_repeat_add_no_audit_record(pipeline: Pipeline) -> None:
    s, ids = pipeline.store, pipeline.ids
    before = audit_records(s)
    s.erase(ids["v1"], reason="request", dry_run=True)
    assert audit_records(s) == before
    s.erase(ids["v1"], reason="request")
    after = audit_records(s)
    s.erase(ids["v1"], reason="request")
    assert audit_records(s) == after
    assert verify(s.backend).ok
