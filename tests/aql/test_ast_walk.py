"""Walking the syntax tree: ``find_all``, ``transform`` and ``dump``; the parser's tables."""

from __future__ import annotations

import pytest

from arangoml_meta.aql import ast as A
from arangoml_meta.aql.lexer import TokenKind, tokenize
from arangoml_meta.aql.parser import Parser, parse
from arangoml_meta.embedded.binder import bind

QUERY = "FOR d IN docs FILTER d.x > @min LET y = (FOR z IN [1, 2] RETURN z * @k) RETURN [d, y]"


def test_find_all_reaches_into_subqueries() -> None:
    assert {p.name for p in parse(QUERY).find_all(A.BindParam)} == {"min", "k"}


def test_transform_replaces_nodes_in_a_copy() -> None:
    tree = parse(QUERY)
    out = tree.transform(lambda n: A.Literal(0) if isinstance(n, A.BindParam) else n)
    assert list(out.find_all(A.BindParam)) == []
    assert len(list(tree.find_all(A.BindParam))) == 2  # the original is untouched


def test_transform_in_place_and_into_what_fn_returns() -> None:
    tree = parse("RETURN 1 + 2")
    seen: list[str] = []

    def fn(node: A.Node) -> A.Node:
        seen.append(type(node).__name__)
        if isinstance(node, A.Binary):
            return A.Unary("-", node.left)  # its operand is visited next
        return node

    out = tree.transform(fn, copy=False)
    assert out is tree
    assert seen == ["Query", "Return", "Binary", "Literal"]  # not fn of its own result
    assert isinstance(tree.operations[0].expr, A.Unary)  # type: ignore[attr-defined]


def test_dump_shows_one_node_a_line_with_its_fields() -> None:
    text = parse("FOR d IN docs FILTER d.x == @v RETURN d").dump()
    assert text.splitlines() == [
        "Query bind_params={'v': -1}",
        "  operations: [",
        "    ForIn var=d",
        "      source: CollectionRef name='docs'",
        "    Filter",
        "      condition: Binary op='=='",
        "        left: AttributeAccess name='x'",
        "          obj: Var var=d",
        "        right: BindParam name='v'",
        "    Return",
        "      expr: Var var=d",
        "  ]",
    ]


def test_dump_shows_the_slots_an_engine_bound() -> None:
    text = bind(parse("FOR d IN docs FILTER d.x == @v RETURN d")).dump()
    assert text.splitlines()[:3] == [
        "Query slot_count=3 bind_params={'v': 2}",
        "  operations: [",
        "    ForIn var=d#1",
    ]
    assert "        right: BindParam name='v' slot=2" in text.splitlines()


def test_token_kinds_are_an_enum_equal_to_their_names() -> None:
    kinds = [t.kind for t in tokenize("FOR x IN @@c RETURN 'a' + 1")]
    assert all(isinstance(k, TokenKind) for k in kinds)
    assert kinds[:3] == ["KEYWORD", "IDENT", "KEYWORD"]
    assert kinds[-1] is TokenKind.EOF


@pytest.mark.parametrize("kind", list(TokenKind))
def test_every_token_kind_can_open_an_expression_or_fails_as_syntax(kind: TokenKind) -> None:
    assert kind in Parser.PRIMARIES


def test_every_statement_keyword_has_a_parser() -> None:
    assert set(Parser.STATEMENTS) == {"FOR", "LET", "FILTER", "COLLECT", "SORT", "LIMIT", "WINDOW"}
