"""No silent wrong answers from the store: missing attributes in filters, sort fields, numbers.

On every backend: a comparison never matches a run that lacks the attribute (AQL alone
says ``null < 1``), a sort field nothing has is refused, and a number is stored
exactly or refused — never rounded, never turned into text.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest

from arangoml_meta.errors import BadParameterError, BindParameterError, DocumentError
from arangoml_meta.store import MetadataStore

# ---------------------------------------------------------------------- filters


@pytest.fixture
def tuned(store: MetadataStore) -> MetadataStore:
    """Runs with a number, a text, a null and no learning rate at all."""
    for name, params in [
        ("small", {"lr": 0.01}),
        ("large", {"lr": 3}),
        ("text", {"lr": "0.5"}),  # a string sorts after every number in AQL
        ("null", {"lr": None}),
        ("none", {"depth": 4}),
        ("flag", {"lr": False}),  # a boolean sorts before every number in AQL
    ]:
        with store.run(name, params=params):
            pass
    return store


def names(docs: list[dict[str, Any]]) -> set[str]:
    return {doc["name"] for doc in docs}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        # bad input first: an ordering comparison with what it cannot order by
        ({"<": 1}, {"small"}),
        ({"<=": 3}, {"small", "large"}),
        ({">": 0}, {"small", "large"}),
        ({">=": 0.01}, {"small", "large"}),
        ({">": "0"}, {"text"}),  # text with text
        ({"<": True}, {"flag"}),  # a boolean with a boolean
        ({"==": None}, {"null", "none"}),  # == null matches missing
        ({"!=": 3}, {"small", "text", "null", "none", "flag"}),  # missing is not 3
        ({"<=": None}, {"null", "none"}),  # compared with null: AQL's meaning
        ({">": None}, {"small", "large", "text", "flag"}),
        ({"in": [3, None]}, {"large", "null", "none"}),
        ({"not in": [3]}, {"small", "text", "null", "none", "flag"}),
        ({"exists": False}, {"null", "none"}),
        ({"like": "%"}, {"text"}),  # strings only: AQL would read null as ""
    ],
)
def test_a_comparison_with_a_missing_attribute(
    tuned: MetadataStore, condition: dict[str, Any], expected: set[str]
) -> None:
    assert names(tuned.find("runs", {"params.lr": condition})) == expected


def test_find_lr_below_one_returns_no_run_without_lr(tuned: MetadataStore) -> None:
    assert names(tuned.find("runs", {"params.lr": {"<": 1}})) == {"small"}


def test_an_ordering_comparison_with_no_json_value_is_refused(tuned: MetadataStore) -> None:
    with pytest.raises(BadParameterError, match="not a JSON number"):
        tuned.find("runs", {"params.lr": {"<": math.nan}})
    with pytest.raises(BadParameterError, match="is not a JSON value"):
        tuned.find("runs", {"params.lr": {"<": {1, 2}}})


def test_filter_values_are_taken_as_the_json_they_stand_for(tuned: MetadataStore) -> None:
    assert names(tuned.find("runs", {"params.lr": {"<": Decimal("0.5")}})) == {"small"}


# ---------------------------------------------------------------------- sort fields


@pytest.mark.parametrize("sort", ["rowz", "metrics.nope", "rows.count"])
def test_a_sort_field_nothing_has_is_refused(store: MetadataStore, sort: str) -> None:
    store.register("datasets", "iris", rows=150)
    with pytest.raises(BadParameterError, match=f"cannot sort datasets by '{sort}'") as raised:
        store.find("datasets", sort=sort)
    assert "fields: name, project" in str(raised.value)  # the fields it could be


@pytest.mark.parametrize(
    "sort", ["rows", "created_at", "version", "_key", "statistics.mean", "extra"]
)
def test_a_sort_field_declared_set_or_stored_is_taken(store: MetadataStore, sort: str) -> None:
    store.register("datasets", "iris", rows=150, extra=1, statistics={"mean": 2})
    assert len(store.find("datasets", sort=sort)) == 1


def test_a_declared_field_sorts_an_empty_type(store: MetadataStore) -> None:
    assert store.find("models", sort="metrics.auc") == []
    assert store.find("projects", sort="version") == []  # set by the store, not declared


# ---------------------------------------------------------------------- numbers


EXACT = [2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, -(2**63)]
REFUSED = [2**64, 2**70, -(2**63) - 1, 10**30]


@pytest.mark.parametrize("number", REFUSED)
def test_an_integer_beyond_64_bits_is_refused(store: MetadataStore, number: int) -> None:
    with pytest.raises(DocumentError, match=r"fields.rows: the integer .* is beyond 64 bits"):
        store.register("datasets", "iris", rows=number)
    with (
        pytest.raises(DocumentError, match=r"params\.seed: the integer"),
        store.run("train", params={"seed": number}),
    ):
        pass
    with pytest.raises(BindParameterError, match="bind parameter 'n': the integer"):
        store.query("RETURN @n", {"n": number})
    assert store.find("datasets") == []


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf, Decimal("1e400")])
def test_a_number_json_cannot_hold_is_refused(store: MetadataStore, number: Any) -> None:
    with pytest.raises(DocumentError, match=r"is not a JSON number|beyond 64 bits"):
        store.register("datasets", "iris", stats={"x": number})
    with pytest.raises(BindParameterError):
        store.query("RETURN @n", {"n": number})


@pytest.mark.parametrize("number", EXACT)
def test_an_integer_within_64_bits_is_stored_exactly(store: MetadataStore, number: int) -> None:
    doc = store.register("datasets", "iris", size_bytes=abs(number), offset=number)
    stored = store.get(doc["_id"])
    assert (stored["size_bytes"], stored["offset"]) == (abs(number), number)
    assert type(stored["offset"]) is int
    assert store.query("RETURN @n", {"n": number}) == [number]


# ---------------------------------------------------------------------- conditions nothing meets


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"tags": "gdpr"}, r"tags == 'gdpr' matches nothing: .* the type array; .*contains"),
        ({"rows": "150"}, r"rows == '150' matches nothing: .* the type number"),
        ({"rows": {">": "100"}}, r"rows > '100' matches nothing"),
        ({"rows": {"in": [150, "150"]}}, r"rows in '150' matches nothing"),
        ({"rows": {"like": "15%"}}, r"rows like '15%' matches nothing"),
        ({"name": {"contains": "i"}}, r"name contains 'i' matches nothing: .* the type string"),
        ({"personal_data": 1}, r"the type boolean"),
    ],
)
def test_a_condition_no_valid_document_meets_is_refused(
    store: MetadataStore, filters: dict[str, Any], message: str
) -> None:
    store.register("datasets", "iris", rows=150, tags=["gdpr"])
    with pytest.raises(BadParameterError, match=message):
        store.find("datasets", filters)


@pytest.mark.parametrize(
    "filters",
    [
        {"tags": {"contains": "gdpr"}},
        {"tags": ["gdpr"]},
        {"rows": 150},
        {"rows": {"in": [150, None]}},
        {"rows": {"!=": None}},
        {"shelf": "top"},  # not declared: not checked
        {"statistics.mean": "x"},  # declared without a type: not checked
    ],
)
def test_a_condition_a_valid_document_may_meet_is_run(
    store: MetadataStore, filters: dict[str, Any]
) -> None:
    store.register(
        "datasets", "iris", rows=150, tags=["gdpr"], shelf="top", statistics={"mean": "x"}
    )
    assert len(store.find("datasets", filters)) == 1


@pytest.mark.parametrize(
    "filters",
    [{"status": "complete"}, {"status": {"!=": "done"}}, {"status": {"in": ["failed", "crashed"]}}],
)
def test_a_value_the_enum_does_not_name_is_refused(
    store: MetadataStore, filters: dict[str, Any]
) -> None:
    with pytest.raises(BadParameterError, match="it is one of running, completed, failed"):
        store.find("runs", filters)


def test_a_value_the_enum_names_is_taken(store: MetadataStore) -> None:
    with store.run("train"):
        pass
    assert [run["status"] for run in store.find("runs", {"status": "completed"})] == ["completed"]
    assert store.find("runs", {"status": {"in": ["failed", None]}}) == []
