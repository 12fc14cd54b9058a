"""The CLI's answers are right or refused: the --where grammar, --sort, references, numbers.

``--where`` is read by a strict grammar (``cli/where.py``), fuzzed here with
hypothesis: any text is either a condition of the grammar or one error line
that states the grammar — never a comparison with some other text.
"""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arangoml_meta.cli.where import GRAMMAR, filters_of, parse_condition
from arangoml_meta.errors import BadParameterError
from arangoml_meta.store import MetadataStore
from tests.queries.known_graph import KnownGraph

from .conftest import Cli, as_json, fails, succeeds

# ---------------------------------------------------------------------- the grammar: bad input first


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("rows=>5", "did you mean rows>=5?"),
        ("rows=<5", "did you mean rows<=5?"),
        ("rows=!5", "did you mean rows!=5?"),
        ("rows===5", "starts like an operator"),
        ("rows>>5", "starts like an operator"),
        ("rows=~iris", "starts like an operator"),
        ("rows", "cannot read"),
        ("=5", "cannot read"),
        ("rows 5", "cannot read"),
        ("my rows=5", "cannot read"),
        ("rows..x=5", "cannot read"),
        (".rows=5", "cannot read"),
        ("rows=", "has no value"),
        ("tags[*]>5", "FIELD[*] takes ="),
        ("tags[*]~g%", "FIELD[*] takes ="),
        ("tags[1]=a", "cannot read"),
        ("rows>=  ", "has no value"),
        ("rows=NaN", "not a number a JSON document can hold"),
        ("rows>1e400", "not a number a JSON document can hold"),
        ("rows=[1,", "starts like JSON but is not valid JSON"),
        ('name~"a', "starts like JSON but is not valid JSON"),
    ],
)
def test_a_condition_outside_the_grammar_is_refused(text: str, hint: str) -> None:
    with pytest.raises(BadParameterError, match="--where") as raised:
        parse_condition(text)
    assert hint in raised.value.message


def test_the_refusal_states_the_grammar() -> None:
    with pytest.raises(BadParameterError) as raised:
        parse_condition("rows=>5")
    assert raised.value.message.endswith(GRAMMAR)
    assert "FIELD OP VALUE" in GRAMMAR


def test_a_field_takes_each_operator_once() -> None:
    with pytest.raises(BadParameterError, match="rows > is given twice"):
        filters_of(["rows>1", "rows>2"])


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("rows>=5", ("rows", ">=", 5)),
        ("rows >= 5", ("rows", ">=", 5)),
        ("rows=5", ("rows", "==", 5)),
        ("rows==5", ("rows", "==", 5)),
        ("rows!=5", ("rows", "!=", 5)),
        ("metrics.auc>0.9", ("metrics.auc", ">", 0.9)),
        ("framework=sklearn", ("framework", "==", "sklearn")),
        ('note="=x"', ("note", "==", "=x")),  # text that starts like an operator: quoted
        ('note=">5"', ("note", "==", ">5")),
        ("created_at>=2025-01-01", ("created_at", ">=", "2025-01-01")),
        ('tags=["a"]', ("tags", "==", ["a"])),
        ("location=s3://a=b", ("location", "==", "s3://a=b")),
        ("name~iris%", ("name", "like", "iris%")),
        ("name~12%", ("name", "like", "12%")),
        ("name~123", ("name", "like", "123")),  # a pattern is text, not the number
        ('name~"=x%"', ("name", "like", "=x%")),
        ("_key=iris-v1", ("_key", "==", "iris-v1")),
        ("x-y.z_1<=null", ("x-y.z_1", "<=", None)),
        ("seed=18446744073709551615", ("seed", "==", 2**64 - 1)),
        ("tags[*]=gdpr", ("tags", "contains", "gdpr")),
        ('signature.inputs[*] = {"name": "x"}', ("signature.inputs", "contains", {"name": "x"})),
    ],
)
def test_a_condition_of_the_grammar_is_read(text: str, condition: tuple[str, str, Any]) -> None:
    assert parse_condition(text) == condition


NAMES = st.text(string.ascii_letters + string.digits + "_-", min_size=1, max_size=8).filter(
    lambda name: name[0] != "-"
)
FIELDS = st.lists(NAMES, min_size=1, max_size=3).map(".".join)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip
OPS = st.sampled_from(["=", "==", "!=", "<", "<=", ">", ">="])


@given(st.text(max_size=40))
def test_any_text_is_a_condition_or_one_refusal(text: str) -> None:
    try:
        field, op, value = parse_condition(text)
    except BadParameterError as refused:
        assert refused.message.startswith("--where")
        assert "\n" not in refused.message.replace(text, "")
        return
    assert op in {"==", "!=", "<", "<=", ">", ">=", "like", "contains"}
    assert field and all(field.split("."))
    if isinstance(value, str) and value.startswith(("=", "!", "<", ">", "~")):
        assert '"' in text  # only quoted text may start like an operator


@given(FIELDS, OPS, JSON_VALUES)
def test_every_json_value_reads_back_as_written(field: str, op: str, value: Any) -> None:
    text = f"{field}{op}{json.dumps(value)}"
    expected = {"=": "=="}.get(op, op)
    assert parse_condition(text) == (field, expected, value)


# ---------------------------------------------------------------------- through the CLI


def test_where_rows_arrow_is_refused_not_compared_with_text(cli: Cli, store: MetadataStore) -> None:
    store.register("datasets", "iris", rows=150)
    fails(cli("artifacts", "list", "datasets", "--where", "rows=>5"), "did you mean rows>=5?")
    listed = as_json(cli("artifacts", "list", "datasets", "--where", "rows>=5", "--format", "json"))
    assert [d["_id"] for d in listed] == ["datasets/iris-v1"]


def test_runs_list_reads_the_same_grammar(cli: Cli, store: MetadataStore) -> None:
    fails(cli("runs", "list", "--where", "metrics.auc=>0.9"), "did you mean metrics.auc>=0.9?")


def test_where_below_one_leaves_out_runs_without_the_param(cli: Cli, store: MetadataStore) -> None:
    for name, params in [("with", {"lr": 0.1}), ("without", {"depth": 3})]:
        with store.run(name, params=params):
            pass
    listed = as_json(cli("runs", "list", "--where", "params.lr<1", "--format", "json"))
    assert [run["name"] for run in listed] == ["with"]


def test_an_unknown_sort_field_is_refused(cli: Cli, store: MetadataStore) -> None:
    store.register("datasets", "iris", rows=150)
    fails(
        cli("artifacts", "list", "datasets", "--sort", "rowz"),
        "cannot sort datasets by 'rowz'",
        "fields: name, project",
    )
    succeeds(cli("artifacts", "list", "datasets", "--sort", "rows"))


def test_a_condition_no_valid_document_meets_is_refused(cli: Cli, store: MetadataStore) -> None:
    store.register("datasets", "iris", rows=150, tags=["gdpr"])
    fails(
        cli("artifacts", "list", "datasets", "--where", "tags=gdpr"),
        "the datasets schema gives tags the type array",
        "--where 'tags[*]=VALUE'",
    )
    listed = as_json(
        cli("artifacts", "list", "datasets", "--where", "tags[*]=gdpr", "--format", "json")
    )
    assert [d["_id"] for d in listed] == ["datasets/iris-v1"]


def test_sorting_by_an_undeclared_field_says_so(cli: Cli, store: MetadataStore) -> None:
    store.register("datasets", "iris", rows=150, shelf=2)
    result = cli("artifacts", "list", "datasets", "--sort", "shelf", "--format", "json")
    assert [d["_id"] for d in as_json(result)] == ["datasets/iris-v1"]
    assert "datasets does not declare 'shelf': sorted by it as stored" in result.stderr
    assert cli("artifacts", "list", "datasets", "--sort", "rows").stderr == ""


def test_a_query_reference_to_nothing_fails(cli: Cli, graph: KnownGraph) -> None:
    fails(
        cli("query", "run", "model_provenance", "-p", "model=models/churn-gbm@7"),
        "parameter 'model': models/churn-gbm@7 names nothing",
    )
    fails(
        cli("query", "run", "run_record", "-p", "run=runs/no-such-run"),
        "parameter 'run': runs/no-such-run names nothing",
    )


def test_a_query_takes_latest(cli: Cli, graph: KnownGraph) -> None:
    rows = as_json(
        cli("query", "run", "model_provenance", "-p", "model=models/churn-gbm@latest", "-p",
            "depth=1", "--format", "json")
    )  # fmt: skip
    assert [row["id"] for row in rows] == ["runs/train-churn-gbm"]


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_field_json_cannot_hold_is_refused(cli: Cli, store: MetadataStore, value: str) -> None:
    fails(cli("artifacts", "add", "datasets", "iris", f"rows={value}"), "quote it")
    assert store.find("datasets") == []


def test_a_field_beyond_64_bits_is_refused_not_rounded(cli: Cli, store: MetadataStore) -> None:
    fails(cli("artifacts", "add", "datasets", "iris", f"size_bytes={2**70}"), "beyond 64 bits")
    added = as_json(
        cli("artifacts", "add", "datasets", "iris", f"size_bytes={2**64 - 1}", "--format", "json")
    )
    assert store.get(added["_id"])["size_bytes"] == 2**64 - 1


@pytest.mark.parametrize(
    ("text", "refusal"), [("NaN", "nan"), ("1e400", "1e400 is not a JSON number")]
)
def test_a_fields_file_with_nan_is_refused(
    cli: Cli, store: MetadataStore, tmp_path: Path, text: str, refusal: str
) -> None:
    path = tmp_path / "iris.json"
    path.write_text(f'{{"rows": {text}}}', encoding="utf-8")
    fails(cli("artifacts", "add", "datasets", "iris", "--file", str(path)), refusal)
    assert store.find("datasets") == []


def test_a_bind_variable_beyond_64_bits_is_refused(cli: Cli, store: MetadataStore) -> None:
    fails(cli("aql", "RETURN @n", "--bind", f"n={2**70}"), "beyond 64 bits")
    assert as_json(cli("aql", "RETURN @n", "--bind", f"n={2**63}", "--format", "json")) == [2**63]


def test_runs_list_refuses_a_status_no_run_has(cli: Cli, store: MetadataStore) -> None:
    fails(cli("runs", "list", "--status", "complete"), "it is one of running, completed, failed")
