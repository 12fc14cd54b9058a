"""The parser takes any AQL ArangoDB parses; the embedded engine's binding step refuses
what the engine cannot run, with ArangoDB's error numbers and the call's position."""

from __future__ import annotations

import pytest

from arangoml_meta.aql import ast as A
from arangoml_meta.aql.analysis import modifies_data
from arangoml_meta.aql.parser import parse
from arangoml_meta.errors import AQLSyntaxError, QueryError

from ..embedded.helpers import make_db

SEARCH_QUERY = (
    'FOR d IN docs_view SEARCH ANALYZER(d.text IN TOKENS("quick fox", "text_en"), "text_en") '
    "SORT BM25(d) DESC LIMIT 10 RETURN d"
)


def test_search_parses_with_its_condition_on_the_loop() -> None:
    (loop, *_rest) = parse(SEARCH_QUERY).operations
    assert isinstance(loop, A.ForIn) and loop.search is not None
    assert [c.name for c in loop.search.condition.find_all(A.FunctionCall)][:1] == ["ANALYZER"]
    assert loop.search.at[:2] == (1, 20)


def test_search_sees_the_loop_variable() -> None:
    (loop,) = parse("FOR d IN v SEARCH d.x == 1 RETURN d").operations[:1]
    assert isinstance(loop, A.ForIn) and loop.search is not None
    (read,) = loop.search.condition.find_all(A.Var)
    assert read.var is loop.var


def test_search_then_options_parses() -> None:
    (loop,) = parse('FOR d IN v SEARCH d.x == 1 OPTIONS {collections: ["c"]} RETURN d').operations[
        :1
    ]
    assert isinstance(loop, A.ForIn) and loop.search is not None and loop.options is not None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("RETURN MYNS::DOUBLE(21)", "MYNS::DOUBLE"),
        ("RETURN my::nested::fn(1, 2)", "MY::NESTED::FN"),
        ("RETURN NO_SUCH_FUNCTION()", "NO_SUCH_FUNCTION"),
        ("RETURN LENGTH()", "LENGTH"),  # arity is the engine's to check
    ],
)
def test_any_call_parses(text: str, name: str) -> None:
    (call,) = parse(text).find_all(A.FunctionCall)
    assert call.name == name


def test_a_search_query_is_read_only() -> None:
    assert not modifies_data(parse(SEARCH_QUERY))


@pytest.mark.parametrize(
    ("text", "num", "message"),
    [
        ("FOR d IN v SEARCH d.x == 1 RETURN d", 1501, "SEARCH is not supported"),
        ("RETURN MYNS::DOUBLE(21)", 1540, "user-defined functions are not supported"),
        ("RETURN myns::double(21)", 1540, "usage of unknown function 'myns::double()'"),
        ("RETURN BM25(1)", 1540, "usage of unknown function 'BM25()'"),
        ("RETURN length()", 1541, "invalid number of arguments for function 'LENGTH()'"),
        ("RETURN CONCAT(1)\n + PI(2)", 1541, "at position 2:4"),
    ],
)
def test_the_embedded_engine_refuses(text: str, num: int, message: str) -> None:
    with pytest.raises(QueryError) as err:
        make_db().query(text)
    assert err.value.error_num == num
    assert message in err.value.message


def test_search_is_refused_as_a_syntax_error_at_its_keyword() -> None:
    with pytest.raises(AQLSyntaxError) as err:
        make_db().query("FOR d IN v\n  SEARCH d.x == 1 RETURN d")
    assert (err.value.line, err.value.column) == (2, 3)


def test_the_first_refusal_in_the_text_wins() -> None:
    with pytest.raises(QueryError) as err:
        make_db().query("RETURN [NOPE(1), LENGTH()]")
    assert err.value.error_num == 1540
    with pytest.raises(QueryError) as err:
        make_db().query("RETURN LENGTH(NOPE())")
    assert err.value.error_num == 1540  # an argument's error comes before its call's


def test_binding_writes_back_the_canonical_name() -> None:
    assert make_db().query("RETURN length([1, 2])") == [2]
