"""Stored query files: headers, parameter checks and coercion, and the read-only rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from arangoml_meta.aql import ast
from arangoml_meta.aql.parser import parse
from arangoml_meta.errors import (
    ERROR_QUERY_MUST_NOT_BE_MODIFIED,
    ERROR_QUERY_PARSE,
    BadParameterError,
    QueryError,
)
from arangoml_meta.queries import (
    DEFAULT_DIRECTORY,
    QueryParam,
    StoredQuery,
    StoredQueryError,
    coerce_params,
    load_queries,
    parse_query_file,
    parse_query_text,
    run_query,
)
from arangoml_meta.query_binding import prepared
from arangoml_meta.store import MetadataStore

HEADER = """\
// title: Models of a framework
// description: Every model trained with a framework,
//   newest first.
// audience: data scientists
"""
BODY = "FOR m IN models FILTER m.framework == @framework SORT m.created_at DESC RETURN m._id\n"
PARAM = "// param framework: string, required — the framework, e.g. sklearn\n"


def write(tmp_path: Path, text: str, name: str = "models_of") -> Path:
    path = tmp_path / f"{name}.aql"
    path.write_text(text, encoding="utf-8")
    return path


def query_with(*params: QueryParam) -> StoredQuery:
    return StoredQuery("q", "Q", "A query.", "tests", False, list(params), "RETURN 1")


# ---------------------------------------------------------------------- the shipped queries


@pytest.mark.parametrize("path", sorted(DEFAULT_DIRECTORY.glob("*.aql")), ids=lambda p: p.stem)
def test_every_shipped_query_parses_with_the_embedded_parser(path: Path) -> None:
    tree = parse(path.read_text(encoding="utf-8"))
    assert list(tree.find_all(ast.Modification)) == []


@pytest.mark.parametrize("path", sorted(DEFAULT_DIRECTORY.glob("*.aql")), ids=lambda p: p.stem)
def test_every_shipped_query_has_a_complete_header(path: Path) -> None:
    query = parse_query_file(path)
    assert query.name == path.stem
    assert query.title and query.description and query.audience
    assert query.writes is False
    assert all(p.help for p in query.params)
    # the text is the whole file, header included, so it runs verbatim in the web UI
    assert query.text == path.read_text(encoding="utf-8")


def test_load_queries_reads_the_aql_directory() -> None:
    queries = load_queries()
    assert len(queries) >= 13
    assert queries["model_provenance"].params[0] == QueryParam(
        "model",
        "reference",
        None,
        True,
        "the model: its id, e.g. models/iris-clf-v2, or TYPE/NAME@N or TYPE/NAME@latest",
    )


# ---------------------------------------------------------------------- header format


def test_a_well_formed_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        HEADER
        + PARAM
        + "// param newest: integer = 5 -- how many models to list,\n"
        + "//   at most\n"
        + "\n"
        + "FOR m IN models FILTER m.framework == @framework SORT m.created_at DESC\n"
        + "  LIMIT @newest RETURN m._id\n",
    )
    query = parse_query_file(path)
    assert (query.name, query.title, query.audience, query.writes) == (
        "models_of",
        "Models of a framework",
        "data scientists",
        False,
    )
    assert query.description == "Every model trained with a framework, newest first."
    assert query.params == [
        QueryParam("framework", "string", None, True, "the framework, e.g. sklearn"),
        QueryParam("newest", "integer", 5, False, "how many models to list, at most"),
    ]
    assert query.path == path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("// description: d\n// audience: a\nRETURN 1\n", "lacks title"),
        ("RETURN 1\n", "lacks title, description, audience"),
        (HEADER + "// titel: typo\nRETURN 1\n", "unknown header key 'titel'"),
        (HEADER + "// title: again\nRETURN 1\n", "'title' is given twice"),
        (HEADER + "// writes: maybe\nRETURN 1\n", "'writes' is true or false"),
        (HEADER + "// just a remark\nRETURN 1\n", "expected 'key: value'"),
        ("// title: t\n// description:\n// audience: a\nRETURN 1\n", "'description' is empty"),
        (HEADER + "// param : string, required — x\nRETURN @x\n", "write a parameter as"),
        (HEADER + "// param 1x: string, required — x\nRETURN 1\n", "not a valid bind parameter name"),
        (HEADER + "// param x: text, required — x\nRETURN @x\n", "unknown type 'text'"),
        (HEADER + "// param x: string — x\nRETURN @x\n", "needs ', required' or '= DEFAULT'"),
        (HEADER + "// param x: string, optional — x\nRETURN @x\n", "write ', required' or '= DEFAULT'"),
        (HEADER + "// param x: integer = ten — x\nRETURN @x\n", "not a JSON value"),
        (HEADER + '// param x: integer = "ten" — x\nRETURN @x\n', "bad default"),
        (HEADER + "// param x: string, required\nRETURN @x\n", "needs a help text"),
        (HEADER + "// param x: string, required — x\n// param x: string, required — y\nRETURN @x\n",
         "declared twice"),
    ],
    ids=["no-title", "no-header", "unknown-key", "duplicate-key", "bad-writes", "free-text",
         "empty-value", "param-without-name", "bad-param-name", "unknown-type",
         "no-default-nor-required", "bad-required", "default-not-json", "default-of-wrong-type",
         "no-help", "duplicate-param"],
)  # fmt: skip
def test_malformed_headers_are_refused_with_the_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(StoredQueryError) as caught:
        parse_query_file(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_header_error_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "// colour: blue\nRETURN 1\n")
    with pytest.raises(StoredQueryError, match=rf"{path.name}:5: unknown header key"):
        parse_query_file(path)


def test_a_file_name_must_be_a_query_name(tmp_path: Path) -> None:
    with pytest.raises(StoredQueryError, match=r"named NAME\.aql"):
        parse_query_file(write(tmp_path, HEADER + "RETURN 1\n", name="bad name"))


def test_invalid_aql_is_refused_at_load_with_its_position(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "FOR m IN models RETRUN m\n")
    with pytest.raises(StoredQueryError) as caught:
        parse_query_file(path)
    assert caught.value.error_num == ERROR_QUERY_PARSE
    assert "5:" in str(caught.value)  # the line in the file, header included


@pytest.mark.parametrize(
    ("params", "body", "message"),
    [
        ("", BODY, "@framework is used but not declared"),
        (PARAM + "// param unused: integer = 1 — never used\n", BODY, "'unused' is declared but @unused is not used"),
        ("// param c: collection, required — a type\n", "FOR d IN @c RETURN d\n", "'c' is a collection: write @@c"),
        ("// param c: string, required — a type\n", "FOR d IN @@c RETURN d\n", "@@c is used but 'c' is declared as string"),
        ("// param c: collection, required — a type\n", "RETURN 1\n", "@@c is not used"),
        ("", "FOR d IN @@c RETURN d\n", "@@c is used but not declared"),
        # a parameter named only in a comment is not used
        ("// param x: integer = 1 — x\n", "RETURN 1 // @x\n", "'x' is declared but @x is not used"),
    ],
    ids=["undeclared", "unused", "collection-as-value", "value-as-collection",
         "unused-collection", "undeclared-collection", "only-in-a-comment"],
)  # fmt: skip
def test_declared_params_must_be_the_used_ones(
    tmp_path: Path, params: str, body: str, message: str
) -> None:
    with pytest.raises(StoredQueryError, match="parameters do not match the query") as caught:
        parse_query_file(write(tmp_path, HEADER + params + body))
    assert message in str(caught.value)


def test_load_queries_refuses_a_directory_with_a_broken_file(tmp_path: Path) -> None:
    write(tmp_path, HEADER + PARAM + BODY, name="good")
    write(tmp_path, "RETURN 1\n", name="broken")
    with pytest.raises(StoredQueryError, match=r"broken\.aql"):
        load_queries(tmp_path)


def test_load_queries_of_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(StoredQueryError, match="no stored query directory"):
        load_queries(tmp_path / "nowhere")


# ---------------------------------------------------------------------- parameter coercion


@pytest.mark.parametrize(
    ("kind", "raw", "value"),
    [
        ("string", "churn", "churn"),
        ("string", "", ""),
        ("string", "null", "null"),
        ("string", "42", "42"),
        ("integer", "10", 10),
        ("integer", " -3 ", -3),
        ("integer", 7, 7),
        ("number", "0.25", 0.25),
        ("number", "3", 3),
        ("number", "1e3", 1000),
        ("number", 2, 2),
        ("boolean", "true", True),
        ("boolean", "False", False),
        ("boolean", "yes", True),
        ("boolean", "0", False),
        ("boolean", True, True),
        ("array", '["datasets", "models"]', ["datasets", "models"]),
        ("array", "[]", []),
        ("array", ["a"], ["a"]),
        ("object", '{"a": {"b": 1}}', {"a": {"b": 1}}),
        ("date", "2025-01-31", "2025-01-31T00:00:00.000Z"),
        ("date", "2025-01-31T10:30:00Z", "2025-01-31T10:30:00.000Z"),
        ("date", "2025-01-31T12:30:00.123456+02:00", "2025-01-31T10:30:00.123Z"),
        ("collection", "datasets", "datasets"),
        ("any", "sklearn", "sklearn"),
        ("any", "0.9", 0.9),
        ("any", "true", True),
        ("any", '"0.9"', "0.9"),
        ("any", "[64, 32]", [64, 32]),
        ("any", '"NaN"', "NaN"),
        ("number", str(2**60 + 1), 2**60 + 1),
        ("integer", str(2**64 - 1), 2**64 - 1),
        ("reference", "models/clf@latest", "models/clf@latest"),
        ("collections", "datasets, models", ["datasets", "models"]),
        ("collections", '["runs"]', ["runs"]),
    ],
)
def test_values_are_coerced_by_type(kind: str, raw: Any, value: Any) -> None:
    query = query_with(QueryParam("x", kind, None, True, "x"))
    coerced = coerce_params(query, {"x": raw})
    assert coerced == {"x": value}
    assert type(coerced["x"]) is type(value)


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("integer", "1.5", "expects integer"),
        ("integer", "ten", "expects integer"),
        ("integer", True, "expects integer"),
        ("integer", 1.0, "expects integer"),
        ("number", "fast", "expects number"),
        ("number", "inf", "finite number"),
        ("number", "nan", "finite number"),
        ("boolean", "maybe", "expects boolean"),
        ("boolean", 1, "expects boolean"),
        ("string", 5, "expects string"),
        ("array", '{"a": 1}', "expects array"),
        ("array", '["a", ', "is not valid JSON"),
        ("object", "{a: 1}", "is not valid JSON"),
        ("object", "[1]", "expects object"),
        ("date", "31/01/2025", "expects an ISO 8601 date"),
        ("date", "", "expects an ISO 8601 date"),
        ("collection", "no/such", "expects a collection name"),
        ("any", "NaN", "not a JSON number"),
        ("any", "-Infinity", "not a JSON number"),
        ("any", "1e400", "not a JSON number"),
        ("any", "[1, NaN]", "not a JSON number"),
        ("array", "[Infinity]", "not a JSON number"),
        ("object", '{"a": -1e999}', "not a JSON number"),
        ("number", "1e400", "finite number"),
        ("number", str(2**70), "beyond 64 bits"),
        ("integer", str(-(2**63) - 1), "beyond 64 bits"),
        ("integer", 2**64, "beyond 64 bits"),
        ("reference", 5, "expects reference"),
        ("collections", '["a", ', "is not valid JSON"),
        ("collections", "[1]", "expects collections"),
    ],
)
def test_malformed_values_name_the_parameter(kind: str, raw: Any, message: str) -> None:
    query = query_with(QueryParam("x", kind, None, False, "x"))
    with pytest.raises(BadParameterError, match=message) as caught:
        coerce_params(query, {"x": raw})
    assert "'x'" in str(caught.value)
    assert caught.value.details["parameter"] == "x"


def test_defaults_fill_what_is_not_given() -> None:
    query = query_with(
        QueryParam("depth", "integer", 10, False, "d"),
        QueryParam("types", "array", None, False, "t"),
        QueryParam("currency", "string", "USD", False, "c"),
    )
    assert coerce_params(query, {}) == {"depth": 10, "types": None, "currency": "USD"}
    assert coerce_params(query, {"depth": "2", "types": "null"}) == {
        "depth": 2,
        "types": None,
        "currency": "USD",
    }


@pytest.mark.parametrize("given", [{}, {"model": None}, {"model": "null"}])
def test_a_missing_required_parameter_is_named(given: dict[str, Any]) -> None:
    query = query_with(
        QueryParam("model", "integer", None, True, "the model"),
        QueryParam("depth", "integer", 10, False, "d"),
    )
    with pytest.raises(BadParameterError) as caught:
        coerce_params(query, given)
    assert str(caught.value) == (
        "[10] query 'q' needs parameter 'model' (integer): the model "
        "— give it as --param model=VALUE"
    )


def test_an_unknown_parameter_lists_the_known_ones() -> None:
    query = load_queries()["model_provenance"]
    with pytest.raises(BadParameterError) as caught:
        coerce_params(query, {"model": "models/x-v1", "dpeth": "3"})
    assert str(caught.value) == (
        "[10] query 'model_provenance' has no parameter 'dpeth'; "
        "its parameters: model (reference), depth (integer), types (collections)"
    )


def test_collection_parameters_are_bound_as_collections(store: MetadataStore) -> None:
    store.register("datasets", "iris")
    query = load_queries()["artifact_history"]
    values = coerce_params(query, {"type": "datasets", "name": "iris"})
    assert prepared(store, query, values)[1] == {"@type": "datasets", "name": "iris"}


# ---------------------------------------------------------------------- running


def test_run_query_by_name_binds_the_parameters(store: MetadataStore) -> None:
    store.register("datasets", "iris", tags=["public"])
    store.register("datasets", "iris", tags=["public"])
    assert [
        row["id"]
        for row in run_query(store, "artifact_history", {"type": "datasets", "name": "iris"})
    ] == [
        "datasets/iris-v1",
        "datasets/iris-v2",
    ]


def test_run_query_of_an_unknown_name_lists_the_known_ones(store: MetadataStore) -> None:
    with pytest.raises(
        BadParameterError, match=r"no stored query named 'nope' \(known: .*model_provenance"
    ):
        run_query(store, "nope")


@pytest.mark.parametrize("name", ["../aql/model_provenance", "model_provenance.aql", ""])
def test_run_query_takes_names_not_paths(store: MetadataStore, name: str) -> None:
    with pytest.raises(BadParameterError, match="no stored query named"):
        run_query(store, name)


def test_run_query_from_another_directory(tmp_path: Path, store: MetadataStore) -> None:
    write(tmp_path, HEADER + PARAM + BODY)
    store.register("models", "clf", framework="sklearn")
    store.register("models", "net", framework="pytorch")
    assert run_query(store, "models_of", {"framework": "sklearn"}, directory=tmp_path) == [
        "models/clf-v1"
    ]


MODIFYING = [
    "FOR d IN datasets REMOVE d IN datasets",
    "INSERT { name: @name } INTO datasets",
    "FOR d IN datasets UPDATE d WITH { tags: [] } IN datasets",
    "FOR d IN datasets REPLACE d WITH { name: d.name } IN datasets",
    "UPSERT { name: @name } INSERT { name: @name } UPDATE {} IN datasets",
    "LET x = (FOR d IN datasets REMOVE d IN datasets RETURN OLD) RETURN LENGTH(x)",
]


@pytest.mark.parametrize("aql", MODIFYING)
def test_a_read_only_query_may_not_modify_data(
    tmp_path: Path, store: MetadataStore, aql: str
) -> None:
    store.register("datasets", "iris")
    params = '// param name: string = "x" — a name\n' if "@name" in aql else ""
    write(tmp_path, HEADER + params + aql + "\n", name="sneaky")
    query = load_queries(tmp_path)["sneaky"]
    with pytest.raises(QueryError) as caught:
        run_query(store, query)
    assert caught.value.error_num == ERROR_QUERY_MUST_NOT_BE_MODIFIED
    assert "writes: true" in str(caught.value)
    assert [d["_key"] for d in store.find("datasets")] == ["iris-v1"]


def test_a_query_that_says_it_writes_may_modify_data(tmp_path: Path, store: MetadataStore) -> None:
    store.register("datasets", "iris", tags=["old"])
    write(
        tmp_path,
        HEADER
        + "// writes: true\n"
        + "// param tag: string, required — the tag to add\n"
        + "FOR d IN datasets UPDATE d WITH { tags: PUSH(d.tags, @tag) } IN datasets RETURN NEW.tags\n",
        name="tag_all",
    )
    query = parse_query_file(tmp_path / "tag_all.aql")
    assert query.writes is True
    assert run_query(store, query, {"tag": "reviewed"}) == [["old", "reviewed"]]


def test_parameters_are_bound_never_spliced(store: MetadataStore) -> None:
    store.register("datasets", "iris", tags=["public"])
    hostile = "x' OR true OR 'y"
    assert run_query(store, "search_artifacts", {"tag": hostile}) == []
    assert run_query(store, "search_artifacts", {"text": '") RETURN 1 //'}) == []


def test_parse_query_text_names_its_source() -> None:
    with pytest.raises(StoredQueryError, match=r"^inline:1: unknown header key"):
        parse_query_text("q", "// owner: me\nRETURN 1\n", source="inline")


def test_the_readme_lists_every_stored_query_with_its_title() -> None:
    readme = (DEFAULT_DIRECTORY / "README.md").read_text(encoding="utf-8")
    for name, query in load_queries().items():
        assert f"| `{name}` | {query.title} | {query.audience} |" in readme
