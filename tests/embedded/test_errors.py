"""The exception tree of arangoml_meta.errors and the errors the engine raises.

Every error carries ArangoDB's number, and its class is the one
:func:`error_for` picks for that number, so callers can catch a branch
(``DocumentError``, ``CollectionError`` ...) whichever backend runs.
"""

from __future__ import annotations

import pytest

from arangoml_meta import errors as E
from arangoml_meta.errors import (
    AQLSyntaxError,
    ArangoMLMetaError,
    BadParameterError,
    BindParameterError,
    CollectionError,
    CollectionNotFoundError,
    ConflictError,
    DocumentError,
    DocumentNotFoundError,
    GraphError,
    QueryError,
    SchemaViolationError,
    StoreError,
    TransactionError,
    UniqueConstraintError,
    error_for,
)

from .helpers import make_db

# --------------------------------------------------------------------------- the tree


@pytest.mark.parametrize(
    ("cls", "parent"),
    [
        (QueryError, ArangoMLMetaError),
        (AQLSyntaxError, QueryError),
        (BindParameterError, QueryError),
        (DocumentError, ArangoMLMetaError),
        (DocumentNotFoundError, DocumentError),
        (UniqueConstraintError, DocumentError),
        (ConflictError, DocumentError),
        (CollectionError, ArangoMLMetaError),
        (CollectionNotFoundError, CollectionError),
        (GraphError, ArangoMLMetaError),
        (SchemaViolationError, ArangoMLMetaError),
        (TransactionError, ArangoMLMetaError),
        (BadParameterError, ArangoMLMetaError),
        (ArangoMLMetaError, Exception),
    ],
)
def test_class_hierarchy(cls, parent):
    assert issubclass(cls, parent)


@pytest.mark.parametrize(
    ("cls", "num"),
    [
        (QueryError, 1503),
        (AQLSyntaxError, 1501),
        (BindParameterError, 1551),
        (DocumentError, 1227),
        (DocumentNotFoundError, 1202),
        (UniqueConstraintError, 1210),
        (ConflictError, 1200),
        (CollectionError, 1203),
        (CollectionNotFoundError, 1203),
        (GraphError, 1924),
        (SchemaViolationError, 1620),
        (TransactionError, 1650),
        (BadParameterError, 10),
        (ArangoMLMetaError, None),
    ],
)
def test_default_numbers(cls, num):
    assert cls("x").error_num == num


def test_explicit_number_overrides_the_default():
    assert QueryError("x", 1540).error_num == 1540


def test_str_shows_the_number():
    assert str(QueryError("boom", 1569)) == "[1569] boom"
    assert str(ArangoMLMetaError("plain")) == "plain"


def test_details_are_kept():
    err = DocumentError("bad", 1221, key="a b")
    assert (err.message, err.details) == ("bad", {"key": "a b"})


@pytest.mark.parametrize(
    ("num", "cls"),
    [
        (10, BadParameterError),
        (1200, ConflictError),
        (1202, DocumentNotFoundError),
        (1203, CollectionNotFoundError),
        (1207, CollectionError),
        (1208, CollectionError),
        (1228, StoreError),
        (1210, UniqueConstraintError),
        (1212, CollectionError),
        (1218, CollectionError),
        (1221, DocumentError),
        (1233, DocumentError),
        (1501, AQLSyntaxError),
        (1551, BindParameterError),
        (1552, BindParameterError),
        (1553, BindParameterError),
        (1579, QueryError),
        (1924, GraphError),
        (1925, GraphError),
        (1999, GraphError),
        (1620, SchemaViolationError),
        (1650, TransactionError),
        (4, ArangoMLMetaError),
        (99999, ArangoMLMetaError),
    ],
)
def test_error_for_picks_the_class(num, cls):
    err = error_for(num, "msg")
    assert type(err) is cls
    assert err.error_num == num
    assert err.message == "msg"


def test_error_for_without_a_number():
    err = error_for(None, "msg")
    assert type(err) is ArangoMLMetaError and err.error_num is None


def test_error_constants_have_arangodb_numbers():
    assert (
        E.ERROR_QUERY_PARSE,
        E.ERROR_QUERY_EMPTY,
        E.ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED,
    ) == (1501, 1502, 1210)
    assert (E.ERROR_ARANGO_DOCUMENT_KEY_BAD, E.ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE) == (1221, 1233)
    assert (E.ERROR_QUERY_ACCESS_AFTER_MODIFICATION, E.ERROR_ARANGO_CONFLICT) == (1579, 1200)


# --------------------------------------------------------------------------- AQLSyntaxError


def test_syntax_error_at_position():
    err = AQLSyntaxError.at("unexpected ')'", 3, 7, near=") RETURN 1")
    assert err.error_num == 1501
    assert (err.line, err.column, err.near) == (3, 7, ") RETURN 1")
    assert str(err) == "[1501] syntax error, unexpected ')' near ') RETURN 1' at position 3:7"


def test_syntax_error_without_near_text():
    assert str(AQLSyntaxError.at("oops", 1, 1)) == "[1501] syntax error, oops at position 1:1"


def test_syntax_error_with_other_number():
    assert AQLSyntaxError.at("bad bind", 1, 1, error_num=1553).error_num == 1553


def test_syntax_error_of_a_query_knows_where():
    with make_db() as db, pytest.raises(AQLSyntaxError) as info:
        db.query("FOR x IN [1]\nRETURN x +")
    assert info.value.line == 2
    assert "2:" in str(info.value)


# --------------------------------------------------------------------------- errors raised by the engine


@pytest.fixture
def db():
    with make_db({"c": [{"_key": "a"}]}, {"e": []}) as database:
        database.create_graph("g", [{"collection": "e", "from": ["c"], "to": ["c"]}])
        yield database


QUERY_FAILURES = [
    ("RETURN )", {}, 1501),
    ("", {}, 1502),
    ("LET x = 1 LET x = 2 RETURN x", {}, 1511),
    ("RETURN {nope}", {}, 1512),
    ("RETURN NOPE()", {}, 1540),
    ("RETURN LENGTH()", {}, 1541),
    ("RETURN @x", {}, 1551),
    ("RETURN 1", {"x": 1}, 1552),
    ("FOR d IN nope RETURN d", {}, 1203),
    ("RETURN c", {}, 1568),
    ("INSERT {_key: 'a'} INTO c", {}, 1210),
    ("UPDATE 'zz' WITH {} IN c", {}, 1202),
    ("UPDATE {_key: 'a', _rev: 'x'} IN c OPTIONS {ignoreRevs: false}", {}, 1200),
    ("INSERT {_key: 'a b'} INTO c", {}, 1221),
    ("INSERT 1 INTO c", {}, 1227),
    ("REMOVE {} IN c", {}, 1226),
    ("INSERT {} INTO e", {}, 1233),
    ("FOR x IN 1 OUTBOUND 'c/a' GRAPH 'nope' RETURN x", {}, 1924),
    ("FOR x IN 1 OUTBOUND 'c/a' e OPTIONS {order: 'x'} RETURN x", {}, 10),
    ("INSERT {} INTO c FOR d IN c RETURN d", {}, 1579),
    ("RETURN FAIL('x')", {}, 1569),
    ("FOR x IN 1 RETURN x", {}, 1563),
    ("FOR d IN c WINDOW {preceding: -1} AGGREGATE n = LENGTH(1) RETURN n", {}, 10),
    ("FOR d IN c WINDOW {preceding: 'P1Q'} AGGREGATE n = LENGTH(1) RETURN n", {}, 10),
    ("FOR d IN @@c RETURN d", {"@c": ""}, 1208),
    ("UPSERT @s INSERT {} UPDATE {} IN c", {"s": 1}, 1501),
    pytest.param(
        "FOR d IN @@c RETURN d",
        {"@c": 1},
        1553,
    ),
    pytest.param(
        "FOR x IN 1 OUTBOUND 'c/a' c RETURN x",
        {},
        1218,
    ),
]


@pytest.mark.parametrize(("query", "bind", "num"), QUERY_FAILURES)
def test_query_errors_carry_number_and_class(db, query, bind, num):
    with pytest.raises(ArangoMLMetaError) as info:
        db.query(query, bind)
    assert info.value.error_num == num
    assert type(info.value) is type(error_for(num, ""))


@pytest.mark.parametrize(
    ("call", "num"),
    [
        (lambda db: db.insert("nope", {}), 1203),
        (lambda db: db.create_collection("c"), 1207),
        (lambda db: db.create_collection("1x"), 1208),
        (lambda db: db.insert("c", {"_key": "a"}), 1210),
        (lambda db: db.insert("c", {"_key": ""}), 1221),
        (lambda db: db.insert("e", {"_from": "c/a"}), 1233),
        (lambda db: db.create_graph("g", [{"collection": "e", "from": ["c"], "to": ["c"]}]), 1925),
        (lambda db: db.graph("nope"), 1924),
        (lambda db: db.ensure_index("c", []), 10),
        pytest.param(
            lambda db: db.insert_many("c", [1]),
            1227,
        ),
        pytest.param(
            lambda db: db.create_graph("g2", [{"collection": "c", "from": ["c"], "to": ["c"]}]),
            1218,
        ),
    ],
)
def test_api_errors_carry_number_and_class(db, call, num):
    with pytest.raises(ArangoMLMetaError) as info:
        call(db)
    assert info.value.error_num == num
    assert isinstance(info.value, type(error_for(num, "")))


def test_engine_errors_are_never_bare_python_exceptions(db):
    bad_inputs = [
        ("RETURN 1", {"x": float("nan")}),
        ("RETURN @x", {"x": object()}),
        ("RETURN @x", {"x": {1: 2}}),
        ("FOR d IN @@c RETURN d", {"@c": None}),
    ]
    for query, bind in bad_inputs:
        with pytest.raises(ArangoMLMetaError):
            db.query(query, bind)
