"""Collection schemas (``{rule, level, message}``) enforced on every write path, as ArangoDB does.

ArangoDB's ``ValidatorBase::validate``: level ``none`` checks nothing, ``new``
inserts only, ``strict`` inserts and every update / replace, ``moderate`` an
update / replace unless the document it changes was invalid already. The
document API and AQL's INSERT / UPDATE / REPLACE / UPSERT share the check; a
refused write is 1620 with the schema's message, and nothing is written.
"""

from __future__ import annotations

import pytest

from arangoml_meta.embedded import EmbeddedDatabase
from arangoml_meta.errors import BadParameterError, CollectionNotFoundError, SchemaViolationError

RULE = {
    "type": "object",
    "properties": {"n": {"type": "integer"}},
    "required": ["n"],
}
MESSAGE = "each document needs an integer n"


def make(level: str | None = "strict", path: str = ":memory:") -> EmbeddedDatabase:
    db = EmbeddedDatabase(path)
    db.create_collection("c")
    db.insert("c", {"_key": "valid", "n": 1})
    db.insert("c", {"_key": "invalid", "n": "one"})  # stored before the schema
    schema = {"rule": RULE, "message": MESSAGE}
    if level is not None:
        schema["level"] = level
    db.set_schema("c", schema)
    return db


def refused(db: EmbeddedDatabase, aql: str) -> SchemaViolationError:
    before = sorted(map(repr, db.query("FOR d IN c SORT d._key RETURN d")))
    with pytest.raises(SchemaViolationError) as caught:
        db.query(aql)
    assert caught.value.error_num == 1620
    assert caught.value.message == MESSAGE
    assert sorted(map(repr, db.query("FOR d IN c SORT d._key RETURN d"))) == before
    return caught.value


# --------------------------------------------------------------------------- bad properties


@pytest.mark.parametrize(
    "prop",
    [
        "not an object",
        {"rule": "not an object", "level": "strict"},
        {"rule": RULE, "level": "sometimes"},
        {"rule": RULE, "message": 1620},
        {"rule": {"type": "no such type"}},
        {"rule": {"minimum": "zero"}},
    ],
    ids=["property", "rule", "level", "message", "type", "keyword-value"],
)
def test_a_property_arangodb_refuses_is_1621_and_changes_nothing(prop: object) -> None:
    db = make("strict")
    with pytest.raises(BadParameterError) as caught:
        db.set_schema("c", prop)  # type: ignore[arg-type]
    assert caught.value.error_num == 1621
    assert db.schema("c") == {"rule": RULE, "level": "strict", "message": MESSAGE}


def test_a_schema_for_a_missing_collection_is_1203() -> None:
    db = EmbeddedDatabase()
    with pytest.raises(CollectionNotFoundError):
        db.set_schema("nothing", {"rule": RULE})


# --------------------------------------------------------------------------- every write path


@pytest.mark.parametrize(
    "aql",
    [
        "INSERT {n: 'x'} INTO c",
        "INSERT {} INTO c",
        "FOR i IN 1..3 INSERT {n: i == 3 ? 'three' : i} INTO c",
        "UPDATE 'valid' WITH {n: 'x'} IN c",
        "UPDATE {_key: 'valid', n: null} IN c OPTIONS {keepNull: false}",
        "REPLACE 'valid' WITH {m: 1} IN c",
        "UPSERT {n: 99} INSERT {n: 'x'} UPDATE {} IN c",
        "UPSERT {n: 1} INSERT {n: 2} UPDATE {n: 'x'} IN c",
        "UPSERT {n: 1} INSERT {n: 2} REPLACE {m: 1} IN c",
        "INSERT {_key: 'valid', n: 'x'} INTO c OPTIONS {overwriteMode: 'replace'}",
        "INSERT {_key: 'valid', n: 'x'} INTO c OPTIONS {overwriteMode: 'update'}",
    ],
)
def test_aql_writes_are_checked(aql: str) -> None:
    refused(make("strict"), aql)


def test_ignore_errors_skips_the_documents_a_schema_refuses() -> None:
    # ArangoDB's ignoreErrors skips every per-document error of the write, 1620 included
    db = make("strict")
    db.query("FOR n IN [2, 'x', 3] INSERT {n} INTO c OPTIONS {ignoreErrors: true}")
    assert db.query("FOR d IN c FILTER IS_NUMBER(d.n) SORT d.n RETURN d.n") == [1, 2, 3]


def test_a_refused_write_names_the_fields_in_its_details() -> None:
    error = refused(make("strict"), "INSERT {n: 'x'} INTO c")
    assert error.details["violations"] == [
        {"field": "n", "message": '"x" is not of type "integer"'}
    ]


def test_document_api_writes_are_checked() -> None:
    db = make("strict")
    with pytest.raises(SchemaViolationError, match=MESSAGE):
        db.insert("c", {"n": "x"})
    with pytest.raises(SchemaViolationError):
        db.insert_many("c", [{"n": 2}, {"n": "x"}])
    assert db.count("c") == 2  # all or nothing: the valid one of the batch is not kept


def test_system_attributes_are_invisible_to_the_rule() -> None:
    db = make("strict")
    db.set_schema("c", {"rule": {**RULE, "additionalProperties": False}, "message": MESSAGE})
    db.query("INSERT {_key: 'k', n: 3} INTO c")
    assert db.get("c", "k")["n"] == 3


def test_valid_writes_pass_on_every_path() -> None:
    db = make("strict")
    db.query("INSERT {_key: 'a', n: 2} INTO c")
    db.query("UPDATE 'a' WITH {n: 3, extra: true} IN c")
    db.query("REPLACE 'a' WITH {n: 4} IN c")
    db.query("UPSERT {n: 4} INSERT {n: 0} UPDATE {n: 5} IN c")
    db.insert("c", {"_key": "b", "n": 6})
    assert db.query("FOR d IN c FILTER d._key IN ['a', 'b'] SORT d._key RETURN d.n") == [5, 6]


def test_remove_is_never_checked() -> None:
    db = make("strict")
    db.query("REMOVE 'invalid' IN c")
    assert db.count("c") == 1


# --------------------------------------------------------------------------- levels


@pytest.mark.parametrize("level", ["none", "new", "moderate", "strict"])
def test_an_invalid_insert_is_refused_at_every_level_but_none(level: str) -> None:
    db = make(level)
    if level == "none":
        db.query("INSERT {n: 'x'} INTO c")
        assert db.count("c") == 3
    else:
        refused(db, "INSERT {n: 'x'} INTO c")


@pytest.mark.parametrize(
    ("key", "level", "checked"),
    [
        # making a valid document invalid
        ("valid", "none", False),
        ("valid", "new", False),
        ("valid", "moderate", True),
        ("valid", "strict", True),
        # changing a document that was invalid already
        ("invalid", "none", False),
        ("invalid", "new", False),
        ("invalid", "moderate", False),
        ("invalid", "strict", True),
    ],
)
def test_an_update_is_checked_as_the_level_says(key: str, level: str, checked: bool) -> None:
    db = make(level)
    aql = f"UPDATE '{key}' WITH {{n: 'x'}} IN c"
    if checked:
        refused(db, aql)
    else:
        db.query(aql)
        assert db.get("c", key)["n"] == "x"


def test_strict_is_the_default_level() -> None:
    db = make(None)
    assert db.schema("c")["level"] == "strict"
    refused(db, "UPDATE 'invalid' WITH {n: 'still not'} IN c")


# --------------------------------------------------------------------------- the property


@pytest.mark.parametrize("removal", [None, {}])
def test_none_or_an_empty_object_removes_the_schema(removal: object) -> None:
    db = make("strict")
    db.set_schema("c", removal)  # type: ignore[arg-type]
    assert db.schema("c") is None
    db.query("INSERT {n: 'x'} INTO c")


def test_the_schema_is_kept_in_the_file_and_seen_by_another_connection(tmp_path) -> None:
    path = str(tmp_path / "store.db")
    first = make("strict", path)
    second = EmbeddedDatabase(path)
    assert second.schema("c") == {"rule": RULE, "level": "strict", "message": MESSAGE}
    with pytest.raises(SchemaViolationError):
        second.query("INSERT {n: 'x'} INTO c")
    # a change of schema by one connection holds for the other's next write
    first.set_schema("c", {"rule": {"type": "object"}, "level": "strict", "message": "m"})
    second.query("INSERT {n: 'x'} INTO c")
    first.set_schema("c", {"rule": RULE, "level": "new", "message": MESSAGE})
    with pytest.raises(SchemaViolationError):
        second.insert("c", {"n": "y"})
    first.close()
    second.close()


def test_dropping_a_collection_drops_its_schema() -> None:
    db = make("strict")
    db.drop_collection("c")
    db.create_collection("c")
    assert db.schema("c") is None
    db.query("INSERT {n: 'x'} INTO c")


def test_a_failed_transaction_does_not_keep_its_schema() -> None:
    db = make("strict")
    with pytest.raises(RuntimeError), db.transaction():
        db.set_schema("c", None)
        raise RuntimeError("give up")
    assert db.schema("c") is not None
    refused(db, "INSERT {n: 'x'} INTO c")


# --------------------------------------------------------------------------- SCHEMA_GET / SCHEMA_VALIDATE


def test_schema_get_of_a_missing_collection_is_1203() -> None:
    with pytest.raises(CollectionNotFoundError):
        make("strict").query("RETURN SCHEMA_GET('nothing')")


def test_schema_get_of_a_non_string_warns_and_is_null() -> None:
    db = make("strict")
    assert db.query("RETURN SCHEMA_GET(1)") == [None]
    assert db.last_warnings[0]["code"] == 1542


def test_schema_get_is_the_property_or_null() -> None:
    db = make("moderate")
    db.create_collection("plain")
    assert db.query("RETURN [SCHEMA_GET('c'), SCHEMA_GET('plain')]") == [
        [{"rule": RULE, "level": "moderate", "message": MESSAGE}, None]
    ]


@pytest.mark.parametrize(
    ("schema", "error_num"),
    [("'rule'", 10), ("[]", 10), ("{rule: 1}", 1621), ("{rule: {}, level: 'often'}", 1621)],
)
def test_schema_validate_refuses_what_is_not_a_schema(schema: str, error_num: int) -> None:
    with pytest.raises(BadParameterError) as caught:
        make("strict").query(f"RETURN SCHEMA_VALIDATE({{}}, {schema})")
    assert caught.value.error_num == error_num


def test_schema_validate_of_a_non_document_warns_and_is_null() -> None:
    db = make("strict")
    assert db.query("RETURN SCHEMA_VALIDATE('doc', SCHEMA_GET('c'))") == [None]
    assert db.last_warnings == [{"code": 1542, "message": "expecting document object"}]


@pytest.mark.parametrize(
    ("doc", "level", "result"),
    [
        ("{_key: 'k', n: 1}", "strict", {"valid": True}),
        ("{n: 'x'}", "strict", {"valid": False, "errorMessage": MESSAGE}),
        ("{n: 'x'}", "none", {"valid": False, "errorMessage": MESSAGE}),  # any level checks
        ("{}", "new", {"valid": False, "errorMessage": MESSAGE}),
    ],
)
def test_schema_validate_checks_a_document_against_the_rule(
    doc: str, level: str, result: dict[str, object]
) -> None:
    db = make(level)
    assert db.query(f"RETURN SCHEMA_VALIDATE({doc}, SCHEMA_GET('c'))") == [result]


@pytest.mark.parametrize("schema", ["null", "{}"])
def test_schema_validate_without_a_schema_accepts_anything(schema: str) -> None:
    assert make("strict").query(f"RETURN SCHEMA_VALIDATE({{n: 'x'}}, {schema})") == [
        {"valid": True}
    ]


def test_schema_validate_finds_the_stored_documents_a_rule_refuses() -> None:
    db = make("none")
    aql = "FOR d IN c FILTER !SCHEMA_VALIDATE(d, SCHEMA_GET('c')).valid RETURN d._key"
    assert db.query(aql) == ["invalid"]
