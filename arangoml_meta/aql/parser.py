"""AQL parser: tokens → AST, each variable name resolved to the variable it names.

Function names and ``SEARCH`` are syntax here: whether a function exists, its
arity, and what an engine refuses are checked by that engine's binding step
(``embedded/binder.py``), so a query for a real ArangoDB parses as it would there.
Scopes are syntax in AQL (ArangoDB's parser raises 1511 and 1512), so names are
resolved here; the frame slots of variables and bind parameters are the engine's.

A recursive-descent parser following ArangoDB 3.12's grammar (``grammar.y``):
one method per statement, and precedence climbing over a table of binary
operators for expressions (ternary < OR < AND < equality/LIKE/regex < IN <
relational < range < additive < multiplicative < unary < postfix). Scopes
follow ArangoDB: FOR opens a scope, COLLECT ends the FOR scopes of its level,
subqueries see their enclosing variables, redeclaring a visible name is error
1511, and an identifier that names no variable is a collection.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar, NoReturn

from ..errors import (
    ERROR_QUERY_BIND_PARAMETER_TYPE,
    ERROR_QUERY_COMPILE_TIME_OPTIONS,
    ERROR_QUERY_EMPTY,
    ERROR_QUERY_INVALID_AGGREGATE_EXPRESSION,
    ERROR_QUERY_PARSE,
    ERROR_QUERY_VARIABLE_NAME_UNKNOWN,
    ERROR_QUERY_VARIABLE_REDECLARED,
    AQLSyntaxError,
    QueryError,
)
from . import ast as A
from .lexer import Token, tokenize
from .lexer import TokenKind as K

# the token kinds as plain names: looking up an Enum's member costs ~10x a global
_KEYWORD, _IDENT, _STRING, _NUMBER, _PARAM, _OP, _EOF = (
    K.KEYWORD, K.IDENT, K.STRING, K.NUMBER, K.PARAM, K.OP, K.EOF,
)  # fmt: skip

# binary operator → precedence level (higher binds tighter)
_BINARY_LEVELS: dict[str, int] = {
    "OR": 1,
    "AND": 2,
    "==": 3, "!=": 3, "LIKE": 3, "=~": 3, "!~": 3,
    "IN": 4, "NOT IN": 4,
    "<": 5, ">": 5, "<=": 5, ">=": 5,
    "..": 6,
    "+": 7, "-": 7,
    "*": 8, "/": 8, "%": 8,
}  # fmt: skip
_COMPARISON_OPS = ("==", "!=", "<", ">", "<=", ">=", "IN", "NOT IN")
_QUANTIFIERS = ("ALL", "ANY", "NONE")
_DIRECTIONS = ("OUTBOUND", "INBOUND", "ANY")
_PATH_KINDS = ("SHORTEST_PATH", "K_SHORTEST_PATHS", "ALL_SHORTEST_PATHS", "K_PATHS")
_QUERY_STARTERS = (
    "FOR", "LET", "FILTER", "RETURN", "COLLECT", "SORT", "LIMIT", "WINDOW",
    "INSERT", "UPDATE", "REPLACE", "REMOVE", "UPSERT", "WITH",
)  # fmt: skip
_MODIFICATIONS = ("INSERT", "UPDATE", "REPLACE", "REMOVE", "UPSERT")

AGGREGATE_FUNCTIONS = frozenset(
    [
        "LENGTH",
        "COUNT",
        "MIN",
        "MAX",
        "SUM",
        "AVERAGE",
        "AVG",
        "STDDEV_POPULATION",
        "STDDEV_SAMPLE",
        "STDDEV",
        "VARIANCE_POPULATION",
        "VARIANCE_SAMPLE",
        "VARIANCE",
        "UNIQUE",
        "SORTED_UNIQUE",
        "COUNT_DISTINCT",
        "COUNT_UNIQUE",
        "PUSH",
        "BIT_AND",
        "BIT_OR",
        "BIT_XOR",
    ]
)


# a letter first (after an optional "$" and underscores); quoted names may continue with any character
_VARIABLE_NAME_RE = re.compile(r"(?s)\$?_*[a-zA-Z].*")


class _Scope:
    __slots__ = ("kind", "names")

    def __init__(self, kind: str) -> None:
        self.kind = kind  # "main", "subquery", "for", "collect"
        self.names: dict[str, A.Variable] = {}


class Parser:
    """Parses one query string; use :func:`parse`.

    New syntax is a table entry: ``STATEMENTS`` by keyword, ``PRIMARIES`` by token
    kind (``BRACKETED`` and ``KEYWORD_LITERALS`` within them), ``BINARY_NODES`` by
    operator (with ``_BINARY_LEVELS`` for its precedence).
    """

    # the statements of a query body other than RETURN and the modifications
    STATEMENTS: ClassVar[dict[str, Callable[[Parser], A.Node | list[A.Node]]]] = {
        "FOR": lambda self: self.parse_for(),
        "LET": lambda self: self.parse_let(),
        "FILTER": lambda self: self.parse_filter(),
        "COLLECT": lambda self: self.parse_collect(),
        "SORT": lambda self: self.parse_sort(),
        "LIMIT": lambda self: self.parse_limit(),
        "WINDOW": lambda self: self.parse_window(),
    }
    # an expression's first token, by kind
    PRIMARIES: ClassVar[dict[K, Callable[[Parser, Token], A.Node]]] = {
        K.NUMBER: lambda self, token: self.parse_literal(token),
        K.STRING: lambda self, token: self.parse_literal(token),
        K.PARAM: lambda self, token: self.parse_param(token),
        K.IDENT: lambda self, token: self.parse_identifier(),
        K.KEYWORD: lambda self, token: self.parse_keyword_primary(token),
        K.OP: lambda self, token: self.parse_bracketed(token),
        K.EOF: lambda self, token: self.fail("unexpected end of query string"),
    }
    # an expression that opens with punctuation
    BRACKETED: ClassVar[dict[object, Callable[[Parser], A.Node]]] = {
        "[": lambda self: self.parse_array(),
        "{": lambda self: self.parse_object(),
        "(": lambda self: self.parse_parenthesized(),
    }
    KEYWORD_LITERALS: ClassVar[dict[object, object]] = {"NULL": None, "TRUE": True, "FALSE": False}
    # the node a binary operator builds from its operands
    BINARY_NODES: ClassVar[dict[str, Callable[[A.Node, A.Node], A.Node]]] = {
        "AND": lambda left, right: A.Logical("AND", left, right),
        "OR": lambda left, right: A.Logical("OR", left, right),
        "..": A.Range,
        "LIKE": lambda left, right: A.FunctionCall("LIKE", [left, right]),
        "NOT LIKE": lambda left, right: A.Unary("NOT", A.FunctionCall("LIKE", [left, right])),
        "=~": lambda left, right: A.FunctionCall("REGEX_TEST", [left, right]),
        "NOT !~": lambda left, right: A.FunctionCall("REGEX_TEST", [left, right]),
        "!~": lambda left, right: A.Unary("NOT", A.FunctionCall("REGEX_TEST", [left, right])),
        "NOT =~": lambda left, right: A.Unary("NOT", A.FunctionCall("REGEX_TEST", [left, right])),
    }

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0
        self.bind_params: dict[str, int] = {}
        self.collection_params: list[str] = []
        self.scopes: list[_Scope] = [_Scope("main")]
        self.current_stack: list[A.Variable] = []
        # while parsing a modification's operands a top-level IN ends the expression
        self.in_ends_expression = False

    # ------------------------------------------------------------------ token helpers

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, offset: int = 1) -> Token:
        j = min(self.i + offset, len(self.tokens) - 1)
        return self.tokens[j]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        if token.kind is not _EOF:
            self.i += 1
        return token

    def fail(
        self, message: str | None = None, token: Token | None = None, num: int | None = None
    ) -> NoReturn:
        token = token or self.tok
        if message is None:
            message = f"unexpected {describe(token)}"
        near = self.text[token.pos : token.pos + 40]
        raise AQLSyntaxError.at(message, token.line, token.column, near, num)

    def semantic_error(self, num: int, message: str, token: Token | None = None) -> NoReturn:
        token = token or self.tok
        raise QueryError(f"{message} at position {token.line}:{token.column}", num)

    def expect_op(self, op: str) -> Token:
        if not self.tok.is_op(op):
            self.fail(f"unexpected {describe(self.tok)}, expecting '{op}'")
        return self.advance()

    def expect_keyword(self, *words: str) -> Token:
        if not self.tok.is_keyword(*words):
            self.fail(f"unexpected {describe(self.tok)}, expecting {' or '.join(words)}")
        return self.advance()

    def accept_op(self, op: str) -> bool:
        if self.tok.is_op(op):
            self.advance()
            return True
        return False

    def accept_keyword(self, word: str) -> bool:
        if self.tok.is_keyword(word):
            self.advance()
            return True
        return False

    def is_word(self, word: str, token: Token | None = None) -> bool:
        token = token or self.tok
        return token.kind is _IDENT and str(token.value).upper() == word

    def variable_name(self) -> tuple[str, Token]:
        token = self.tok
        if token.kind is not _IDENT:
            self.fail(f"unexpected {describe(token)}, expecting identifier")
        self.advance()
        return str(token.value), token

    # ------------------------------------------------------------------ scopes

    def lookup_var(self, name: str) -> A.Variable | None:
        for scope in reversed(self.scopes):
            var = scope.names.get(name)
            if var is not None:
                return var
        return None

    def declare(self, name: str, token: Token | None = None, shadow: bool = False) -> A.Variable:
        if not _VARIABLE_NAME_RE.fullmatch(name):
            self.fail(f"variable name '{name}' has an invalid format", token)
        if not shadow and self.lookup_var(name) is not None:
            self.semantic_error(
                ERROR_QUERY_VARIABLE_REDECLARED,
                f"variable '{name}' is assigned multiple times",
                token,
            )
        var = A.Variable(name)
        self.scopes[-1].names[name] = var
        return var

    def visible_user_variables(self) -> list[A.Variable]:
        """The user variables a COLLECT ... INTO keeps: those of the current loop level.

        Inside a FOR (or after a COLLECT) that is what its scopes declared; a COLLECT
        directly at the top of a query or subquery keeps that level's variables.
        """
        start = max(i for i, scope in enumerate(self.scopes) if scope.kind in ("main", "subquery"))
        if start + 1 < len(self.scopes):
            start += 1
        seen: dict[str, A.Variable] = {}
        for scope in self.scopes[start:]:
            for name, var in scope.names.items():
                if not name.startswith("$"):
                    seen[name] = var
        return list(seen.values())

    def end_nested_scopes(self) -> None:
        while self.scopes[-1].kind not in ("main", "subquery"):
            self.scopes.pop()

    # ------------------------------------------------------------------ queries

    def parse_top(self) -> A.Query:
        if self.tok.kind is _EOF:
            raise QueryError("query is empty", ERROR_QUERY_EMPTY)
        operations: list[A.Node] = []
        if self.tok.is_keyword("WITH"):
            operations.append(self.parse_with())
        operations.extend(self.parse_query_body())
        if self.tok.kind is not _EOF:
            self.fail()
        return A.Query(operations, 0, self.bind_params, self.collection_params)

    def parse_with(self) -> A.With:
        self.expect_keyword("WITH")
        names: list[A.Node] = []
        while True:
            token = self.tok
            if token.kind is _IDENT:
                self.advance()
                names.append(A.CollectionRef(str(token.value)))
            elif token.kind is _PARAM:
                self.advance()
                names.append(self.collection_param(str(token.value).lstrip("@")))
            else:
                break
            self.accept_op(",")
        if not names:
            self.fail()
        return A.With(names)

    def parse_query_body(self) -> list[A.Node]:
        """Statements up to and including the final RETURN or data modification."""
        operations: list[A.Node] = []
        while True:
            token = self.tok
            if token.kind is not _KEYWORD:
                if token.kind is _EOF or token.is_op(")"):
                    self.fail("unexpected end of query string" if token.kind is _EOF else None)
                self.fail()
            word = token.value
            if word == "RETURN":
                operations.append(self.parse_return())
                self.end_nested_scopes()
                return operations
            if word in _MODIFICATIONS:
                operations.append(self.parse_modification())
                if self.tok.kind is _EOF or self.tok.is_op(")"):
                    self.end_nested_scopes()
                    return operations
                continue
            method = self.STATEMENTS.get(str(word))
            if method is None:
                self.fail()
            result = method(self)
            if isinstance(result, list):
                operations.extend(result)
            else:
                operations.append(result)

    # ------------------------------------------------------------------ FOR

    def parse_for(self) -> A.Node | list[A.Node]:
        self.expect_keyword("FOR")
        if self.tok.is_op("[") or self.tok.is_op("{"):
            return self.parse_destructuring_for()
        names: list[tuple[str, Token]] = [self.variable_name()]
        while self.accept_op(","):
            names.append(self.variable_name())
        self.expect_keyword("IN")
        token = self.tok
        if token.is_keyword(*_DIRECTIONS) and self.peek().is_keyword(*_PATH_KINDS):
            return self.parse_path_query(names, None)
        if token.is_keyword(*_DIRECTIONS) and not _starts_comparison(self.peek()):
            one = A.Literal(1)
            return self.parse_traversal(names, one, one)
        source = self.parse_expression()
        if self.tok.is_keyword(*_DIRECTIONS):
            low, high = (
                (source.low, source.high) if isinstance(source, A.Range) else (source, source)
            )
            if self.peek().is_keyword("K_PATHS"):
                return self.parse_path_query(names, (low, high))
            return self.parse_traversal(names, low, high)
        if len(names) != 1:
            self.fail("Collections and views FOR loops only allow a single return variable", token)
        var: A.Variable | None = None
        search: A.Search | None = None
        if self.is_word("SEARCH"):
            # the loop variable is visible in its SEARCH condition
            self.scopes.append(_Scope("for"))
            var = self.declare(names[0][0], names[0][1])
            search_token = self.advance()
            near = self.text[search_token.pos : search_token.pos + 40]
            where = (search_token.line, search_token.column, near)
            search = A.Search(self.parse_expression(), where)
        options = None
        if self.is_word("OPTIONS"):
            self.advance()
            options = self.parse_options_object()
        if var is None:
            self.scopes.append(_Scope("for"))
            var = self.declare(names[0][0], names[0][1])
        return A.ForIn(var, source, options, search)

    def parse_destructuring_for(self) -> list[A.Node]:
        """``FOR [a, b] IN pairs`` / ``FOR { name } IN docs``: parts of each element bound to names."""
        pattern = self.parse_pattern()
        self.expect_keyword("IN")
        source = self.parse_expression()
        self.scopes.append(_Scope("for"))
        element = A.Variable("$element")
        return [A.ForIn(element, source), *self.bind_pattern(pattern, element)]

    def parse_pattern(self) -> list[tuple[list[int | str], str, Token]]:
        """A destructuring pattern: ``[a, , [b]]`` or ``{ a, b: c, d: [e] }``.

        Returns the leaves as (access path, variable name, token).
        """
        leaves: list[tuple[list[int | str], str, Token]] = []

        def nested(prefix: list[int | str]) -> None:
            if self.tok.is_op("[") or self.tok.is_op("{"):
                for path, name, token in self.parse_pattern():
                    leaves.append(([*prefix, *path], name, token))
            else:
                name, token = self.variable_name()
                leaves.append((prefix, name, token))

        if self.accept_op("["):
            position = 0
            while not self.tok.is_op("]"):
                if not self.tok.is_op(","):
                    nested([position])
                position += 1
                if not self.accept_op(","):
                    break
            self.expect_op("]")
        else:
            self.expect_op("{")
            while not self.tok.is_op("}"):
                key, token = self.variable_name()
                if self.accept_op(":"):
                    nested([key])
                else:
                    leaves.append(([key], key, token))
                if not self.accept_op(","):
                    break
            self.expect_op("}")
        if not leaves:
            self.fail("destructuring pattern binds no variable")
        return leaves

    def bind_pattern(
        self, pattern: list[tuple[list[int | str], str, Token]], source: A.Variable
    ) -> list[A.Node]:
        """LETs binding each leaf of ``pattern`` to its part of the value in ``source``."""
        lets: list[A.Node] = []
        for path, name, token in pattern:
            value: A.Node = A.Var(source)
            for step in path:
                value = A.Destructure(value, step)
            lets.append(A.Let(self.declare(name, token), value))
        return lets

    def parse_options_object(self) -> A.Node:
        token = self.tok
        if not token.is_op("{"):
            self.fail("'OPTIONS' have to be an object", token)
        options = self.parse_primary()
        if not is_constant(options):
            self.semantic_error(
                ERROR_QUERY_COMPILE_TIME_OPTIONS,
                "'OPTIONS' have to be known at query compile time",
                token,
            )
        return options

    def parse_graph_subject(self) -> A.GraphSpec:
        if self.accept_keyword("GRAPH"):
            token = self.tok
            if token.kind in (_STRING, _IDENT):
                self.advance()
                return A.GraphSpec(A.Literal(str(token.value)))
            if token.kind is _PARAM:
                self.advance()
                return A.GraphSpec(self.bind_param(str(token.value)))
            self.fail()
        collections: list[tuple[str | None, A.Node]] = []
        while True:
            direction = None
            if self.tok.is_keyword(*_DIRECTIONS):
                direction = str(self.advance().value)
            token = self.tok
            if token.kind is _IDENT:
                self.advance()
                collections.append((direction, A.CollectionRef(str(token.value))))
            elif token.kind is _PARAM:
                self.advance()
                collections.append((direction, self.collection_param(str(token.value).lstrip("@"))))
            else:
                self.fail()
            if not self.accept_op(","):
                break
        return A.GraphSpec(None, collections)

    def parse_traversal(
        self, names: list[tuple[str, Token]], low: A.Node, high: A.Node
    ) -> A.Node | list[A.Node]:
        if len(names) > 3:
            self.fail("Traversals only have one, two or three return variables", names[3][1])
        direction = str(self.expect_keyword(*_DIRECTIONS).value)
        start = self.parse_expression()
        graph = self.parse_graph_subject()
        self.scopes.append(_Scope("for"))
        vertex = self.declare(names[0][0], names[0][1])
        edge = self.declare(names[1][0], names[1][1]) if len(names) > 1 else None
        path = self.declare(names[2][0], names[2][1]) if len(names) > 2 else None
        node = A.Traversal(vertex, edge, path, direction, low, high, start, graph)
        if self.is_word("PRUNE"):
            self.advance()
            if self.tok.kind is _IDENT and self.peek().is_op("="):
                name, name_token = self.variable_name()
                self.advance()
                node.prune = self.parse_expression()
                node.prune_var = self.declare(name, name_token)
            else:
                node.prune = self.parse_expression()
            if any(True for _ in node.prune.find_all(A.Subquery)):
                self.fail("PRUNE condition must not use a subquery")
        if self.is_word("OPTIONS"):
            self.advance()
            node.options = self.parse_options_object()
        elif self.tok.kind is _IDENT and not self.tok.is_keyword():
            self.fail(f"unexpected qualifier '{self.tok.value}', expecting 'PRUNE' or 'OPTIONS'")
        if node.prune_var is not None and node.prune is not None:
            return [node, A.Let(node.prune_var, node.prune)]
        return node

    def parse_path_query(
        self, names: list[tuple[str, Token]], depth: tuple[A.Node, A.Node] | None
    ) -> A.Node:
        direction = str(self.expect_keyword(*_DIRECTIONS).value)
        kind = str(self.expect_keyword(*_PATH_KINDS).value)
        start = self.parse_expression()
        if not self.is_word("TO"):
            self.fail(f"unexpected {describe(self.tok)}, expecting 'TO'")
        self.advance()
        target = self.parse_expression()
        graph = self.parse_graph_subject()
        options = None
        if self.is_word("OPTIONS"):
            self.advance()
            options = self.parse_options_object()
        self.scopes.append(_Scope("for"))
        if kind == "SHORTEST_PATH":
            if len(names) > 2:
                self.fail("SHORTEST_PATH must have one or two return variables", names[2][1])
            vertex = self.declare(names[0][0], names[0][1])
            edge = self.declare(names[1][0], names[1][1]) if len(names) > 1 else None
            return A.ShortestPath(vertex, edge, direction, start, target, graph, options)
        if len(names) > 1:
            self.fail(f"{kind} only has one return variable", names[1][1])
        path = self.declare(names[0][0], names[0][1])
        low, high = depth if depth is not None else (None, None)
        if kind == "K_PATHS" and depth is None:
            low = high = A.Literal(1)
        return A.PathEnumeration(kind, path, direction, low, high, start, target, graph, options)

    # ------------------------------------------------------------------ simple statements

    def parse_let(self) -> list[A.Node]:
        self.expect_keyword("LET")
        lets: list[A.Node] = []
        while True:
            if self.tok.is_op("[") or self.tok.is_op("{"):
                pattern = self.parse_pattern()
                self.expect_op("=")
                whole = A.Variable("$destructured")
                lets.append(A.Let(whole, self.parse_expression()))
                lets.extend(self.bind_pattern(pattern, whole))
            else:
                name, token = self.variable_name()
                self.expect_op("=")
                expr = self.parse_expression()
                lets.append(A.Let(self.declare(name, token), expr))
            if not self.accept_op(","):
                return lets

    def parse_filter(self) -> A.Filter:
        self.expect_keyword("FILTER")
        return A.Filter(self.parse_expression())

    def parse_return(self) -> A.Return:
        token = self.expect_keyword("RETURN")
        distinct = False
        if self.tok.is_keyword("DISTINCT"):
            if self.scopes[-1].kind in ("main", "subquery"):
                self.fail("cannot use DISTINCT modifier on top-level query element", token)
            self.advance()
            distinct = True
        return A.Return(self.parse_expression(), distinct)

    def parse_sort(self) -> A.Sort:
        self.expect_keyword("SORT")
        elements: list[A.SortElement] = []
        while True:
            expr = self.parse_expression()
            ascending: A.Node = A.Literal(True)
            if self.accept_keyword("ASC"):
                pass
            elif self.accept_keyword("DESC"):
                ascending = A.Literal(False)
            elif self.tok.kind in (_STRING, _NUMBER) or self.tok.is_keyword(
                "NULL", "TRUE", "FALSE"
            ):
                ascending = self.parse_primary()
            elif self.tok.kind is _PARAM and not str(self.tok.value).startswith("@"):
                ascending = self.bind_param(str(self.advance().value))
            elements.append(A.SortElement(expr, ascending))
            if not self.accept_op(","):
                return A.Sort(elements)

    def parse_limit(self) -> A.Limit:
        self.expect_keyword("LIMIT")
        first = self.parse_expression()
        if self.accept_op(","):
            return A.Limit(first, self.parse_expression())
        return A.Limit(A.Literal(0), first)

    # ------------------------------------------------------------------ COLLECT / WINDOW

    def parse_aggregates(
        self, introduced: list[A.Variable], forbidden: list[A.Variable]
    ) -> list[A.Aggregate]:
        self.expect_keyword("AGGREGATE")
        aggregates: list[A.Aggregate] = []
        while True:
            name, name_token = self.variable_name()
            self.expect_op("=")
            expr_token = self.tok
            if self.tok.kind is not _IDENT or not self.peek().is_op("("):
                self.fail()
            function_name = str(self.advance().value).upper()
            if function_name not in AGGREGATE_FUNCTIONS:
                self.semantic_error(
                    ERROR_QUERY_INVALID_AGGREGATE_EXPRESSION,
                    "unknown aggregate function used",
                    expr_token,
                )
            self.expect_op("(")
            args: list[A.Node] = []
            while not self.tok.is_op(")"):
                args.append(self.parse_expression())
                if not self.accept_op(","):
                    break
            self.expect_op(")")
            expr = A.FunctionCall(function_name, args)
            used = {v.var for v in expr.find_all(A.Var)}
            for var in (*introduced, *forbidden):
                if var in used:
                    self.semantic_error(
                        ERROR_QUERY_VARIABLE_NAME_UNKNOWN,
                        f"use of unknown variable '{var.name}' in AGGREGATE expression",
                        expr_token,
                    )
            var = self.declare(name, name_token)
            introduced.append(var)
            aggregates.append(A.Aggregate(var, expr.name, expr.args))
            if not self.accept_op(","):
                return aggregates

    def parse_count_into(self) -> A.Variable:
        self.expect_keyword("WITH")
        if not self.is_word("COUNT"):
            self.fail(f"unexpected {describe(self.tok)}, expecting 'COUNT'")
        self.advance()
        self.expect_keyword("INTO")
        name, token = self.variable_name()
        return self.declare(name, token)

    def parse_collect(self) -> A.Collect:
        self.expect_keyword("COLLECT")
        visible_before = self.visible_user_variables()
        groups: list[tuple[A.Variable, A.Node]] = []
        introduced: list[A.Variable] = []
        node = A.Collect(groups, [])
        if self.tok.kind is _IDENT:
            while True:
                name, token = self.variable_name()
                self.expect_op("=")
                expr = self.parse_expression()
                var = self.declare(name, token)
                groups.append((var, expr))
                introduced.append(var)
                if not self.accept_op(","):
                    break
        elif not self.tok.is_keyword("WITH", "AGGREGATE"):
            self.fail()
        if self.tok.is_keyword("WITH"):
            node.count_into = self.parse_count_into()
        else:
            if self.tok.is_keyword("AGGREGATE"):
                node.aggregates = self.parse_aggregates(introduced, [v for v, _ in groups])
            elif not groups:
                self.fail()
            if self.accept_keyword("INTO"):
                name, token = self.variable_name()
                if self.accept_op("="):
                    expr_token = self.tok
                    node.into_expr = self.parse_expression()
                    used = {v.var for v in node.into_expr.find_all(A.Var)}
                    for var in introduced:
                        if var in used:
                            self.semantic_error(
                                ERROR_QUERY_VARIABLE_NAME_UNKNOWN,
                                f"use of COLLECT variable '{var.name}' inside same COLLECT's expression",
                                expr_token,
                            )
                node.into = self.declare(name, token)
            if self.is_word("KEEP"):
                keep_token = self.advance()
                if node.into is None:
                    self.fail("use of 'KEEP' without 'INTO'", keep_token)
                node.keep = []
                while True:
                    name, token = self.variable_name()
                    kept = self.lookup_var(name)
                    if kept is None or kept in introduced:
                        self.fail(f"use of unknown variable '{name}' for KEEP", token)
                    node.keep.append(kept)
                    if not self.accept_op(","):
                        break
        if self.is_word("OPTIONS"):
            self.advance()
            node.options = self.parse_options_object()
        node.visible_before = [v for v in visible_before if v not in introduced]
        new_vars = [
            v for v in (*[g for g, _ in groups], *[a.var for a in node.aggregates]) if v is not None
        ]
        for extra in (node.into, node.count_into):
            if extra is not None:
                new_vars.append(extra)
        # The COLLECT's variables were declared in the current scope while parsing;
        # now the FOR scopes of this level end and only they remain visible.
        for scope in self.scopes:
            for name in [n for n, v in scope.names.items() if v in new_vars]:
                del scope.names[name]
        if self.scopes[-1].kind not in ("main", "subquery"):
            self.end_nested_scopes()
            self.scopes.append(_Scope("collect"))
        for var in new_vars:
            self.scopes[-1].names[var.name] = var
        return node

    def parse_window(self) -> A.Window:
        token = self.expect_keyword("WINDOW")
        first = self.parse_expression()
        range_expr: A.Node | None = None
        spec: A.Node = first
        if self.accept_keyword("WITH"):
            range_expr = first
            spec = self.parse_primary()
        if not isinstance(spec, A.ObjectLit):
            self.fail("WINDOW specification must be an object", token)
        seen: set[str] = set()
        for key, _ in spec.items:
            if key not in ("preceding", "following"):
                self.fail(
                    f'Invalid WINDOW attribute \'{key}\'; only "preceding" and "following" are supported',
                    token,
                )
            if key in seen:
                self.fail(f"WINDOW attribute '{key}' is specified multiple times", token)
            seen.add(str(key))
        if not seen:
            self.fail(
                "At least one WINDOW bound must be specified ('preceding'/'following')", token
            )
        aggregates = self.parse_aggregates([], [])
        return A.Window(spec, range_expr, aggregates)

    # ------------------------------------------------------------------ modifications

    def parse_in_collection(self) -> A.Node:
        self.expect_keyword("IN", "INTO")
        token = self.tok
        if token.kind in (_IDENT, _STRING):
            self.advance()
            return A.CollectionRef(str(token.value))
        if token.kind is _PARAM:
            self.advance()
            name = str(token.value)
            if not name.startswith("@"):
                self.fail(
                    "bind parameter has an invalid value or type",
                    token,
                    num=ERROR_QUERY_BIND_PARAMETER_TYPE,
                )
            return self.collection_param(name[1:])
        self.fail()

    def parse_modification_options(self) -> A.Node | None:
        if self.is_word("OPTIONS"):
            self.advance()
            return self.parse_options_object()
        return None

    def parse_modification(self) -> A.Modification:
        self.in_ends_expression = True
        try:
            return self._parse_modification()
        finally:
            self.in_ends_expression = False

    def _parse_modification(self) -> A.Modification:
        kind = str(self.advance().value)
        node = A.Modification(kind, A.Literal(None))
        if kind == "INSERT":
            node.doc = self.parse_expression()
        elif kind in ("UPDATE", "REPLACE"):
            first = self.parse_expression()
            if self.accept_keyword("WITH"):
                node.key = first
                node.doc = self.parse_expression()
            else:
                node.doc = first
        elif kind == "REMOVE":
            node.key = self.parse_expression()
        else:
            self.parse_upsert_head(node)
        node.collection = self.parse_in_collection()
        node.options = self.parse_modification_options()
        # OLD exists where a document is replaced or removed, NEW where one is written;
        # a later modification's OLD / NEW shadow an earlier one's
        overwrites = isinstance(node.options, A.ObjectLit) and any(
            key in ("overwrite", "overwriteMode") for key, _ in node.options.items
        )
        if node.old_var is None and (kind != "INSERT" or overwrites):
            node.old_var = self.declare("OLD", shadow=True)
        if kind != "REMOVE":
            node.new_var = self.declare("NEW", shadow=True)
        return node

    def parse_upsert_head(self, node: A.Modification) -> None:
        if self.accept_keyword("FILTER"):
            current = A.Variable("$CURRENT")
            self.current_stack.append(current)
            try:
                node.search = A.Expansion(A.Literal(None), 1, current, self.parse_expression())
            finally:
                self.current_stack.pop()
        elif self.tok.is_op("{"):
            node.search = self.parse_primary()
            if isinstance(node.search, A.ObjectLit) and not all(
                isinstance(k, str) for k, _ in node.search.items
            ):
                self.fail("UPSERT search document must not use dynamic attribute names")
        elif self.tok.kind is _PARAM:
            node.search = self.bind_param(str(self.advance().value))
        else:
            self.fail()
        self.expect_keyword("INSERT")
        node.doc = self.parse_expression()
        word = self.expect_keyword("UPDATE", "REPLACE")
        node.upsert_replace = word.value == "REPLACE"
        # OLD is visible in the UPDATE / REPLACE expression
        node.old_var = self.declare("OLD", shadow=True)
        node.update = self.parse_expression()

    # ------------------------------------------------------------------ expressions

    def parse_expression(self) -> A.Node:
        condition = self.parse_binary(1)
        if self.tok.is_op("?"):
            self.advance()
            if self.accept_op(":"):
                return A.Ternary(condition, None, self.parse_expression())
            then = self.parse_expression()
            self.expect_op(":")
            return A.Ternary(condition, then, self.parse_expression())
        return condition

    def _binary_operator(self) -> tuple[str, int, A.Quantifier | None] | None:
        """The binary operator at the current token (without consuming it), if any."""
        token = self.tok
        if token.kind is _OP and token.value in _BINARY_LEVELS:
            return str(token.value), _BINARY_LEVELS[str(token.value)], None
        if token.kind is _KEYWORD:
            word = str(token.value)
            if word == "IN" and self.in_ends_expression:
                return None
            if word in ("AND", "OR", "IN", "NOT IN", "LIKE"):
                return word, _BINARY_LEVELS[word], None
            if word == "NOT":
                nxt = self.peek()
                if nxt.is_keyword("LIKE"):
                    return "NOT LIKE", 3, None
                if nxt.is_op("=~") or nxt.is_op("!~"):
                    return "NOT " + str(nxt.value), 3, None
            if word in _QUANTIFIERS and _starts_comparison(self.peek()):
                op = _comparison_of(self.peek())
                return op, _BINARY_LEVELS[op], A.Quantifier(word)
            if word == "AT LEAST":
                return "AT LEAST", 3, None
        return None

    def parse_binary(self, min_level: int) -> A.Node:
        left = self.parse_unary()
        while True:
            found = self._binary_operator()
            if found is None:
                return left
            op, level, quantifier = found
            if level < min_level:
                return left
            self.advance()
            if op == "AT LEAST":
                self.expect_op("(")
                count = self.parse_expression()
                self.expect_op(")")
                if not _starts_comparison(self.tok):
                    self.fail()
                op = _comparison_of(self.tok)
                self.advance()
                level = _BINARY_LEVELS[op]
                quantifier = A.Quantifier("AT LEAST", count)
            elif quantifier is not None or (op.startswith("NOT ") and op != "NOT IN"):
                self.advance()  # the comparison after the quantifier, or LIKE / =~ after NOT
            right = self.parse_binary(level + 1)
            if quantifier is not None:
                left = A.ArrayComparison(op, quantifier, left, right)
            else:
                build = self.BINARY_NODES.get(op)
                left = A.Binary(op, left, right) if build is None else build(left, right)

    def parse_unary(self) -> A.Node:
        token = self.tok
        if token.is_op("-") or token.is_op("+"):
            self.advance()
            operand = self.parse_unary()
            if isinstance(operand, A.Literal) and type(operand.value) in (int, float):
                return A.Literal(-operand.value if token.value == "-" else operand.value)
            return A.Unary(str(token.value), operand)
        if token.is_keyword("NOT"):
            self.advance()
            return A.Unary("NOT", self.parse_unary())
        return self.parse_postfix(self.parse_primary())

    def parse_postfix(self, node: A.Node) -> A.Node:
        chained: A.Expansion | None = None  # expansion whose projection later accesses extend
        while True:
            token = self.tok
            if token.is_op("."):
                self.advance()
                name_token = self.tok
                if name_token.kind is _IDENT:
                    self.advance()
                    access: A.Node = A.AttributeAccess(
                        _projection_base(chained, node), str(name_token.value)
                    )
                elif name_token.kind is _PARAM:
                    self.advance()
                    access = A.BoundAttributeAccess(
                        _projection_base(chained, node), self.bind_param(str(name_token.value))
                    )
                else:
                    self.fail()
                node = _attach(chained, node, access)
            elif token.is_op("["):
                nxt = self.peek()
                if nxt.is_op("*"):
                    node, chained = self.parse_expansion(node, chained)
                elif nxt.is_op("?"):
                    node, chained = self.parse_question(node, chained)
                else:
                    self.advance()
                    index = self.parse_expression()
                    self.expect_op("]")
                    node = _attach(
                        chained, node, A.IndexAccess(_projection_base(chained, node), index)
                    )
            else:
                return node

    def _current(self) -> A.Variable:
        return A.Variable(f"$CURRENT{len(self.current_stack)}")

    def parse_expansion(
        self, node: A.Node, chained: A.Expansion | None
    ) -> tuple[A.Node, A.Expansion | None]:
        self.expect_op("[")
        depth = 0
        while self.accept_op("*"):
            depth += 1
        if depth > 1 and chained is not None:
            chained = None  # `[**]` applies to the evaluated expansion, not inside it
        source = _projection_base(chained, node)
        var = self._current()
        self.current_stack.append(var)
        try:
            expansion = A.Expansion(source, depth, var)
            if self.accept_keyword("FILTER"):
                expansion.filter = self.parse_expression()
            if self.accept_keyword("LIMIT"):
                first = self.parse_expression()
                if self.accept_op(","):
                    expansion.limit_offset, expansion.limit_count = first, self.parse_expression()
                else:
                    expansion.limit_offset, expansion.limit_count = A.Literal(0), first
            if self.accept_keyword("RETURN"):
                expansion.projection = self.parse_expression()
        finally:
            self.current_stack.pop()
        self.expect_op("]")
        if expansion.projection is None:
            expansion.projection = A.Var(var)
        node = _attach(chained, node, expansion)
        return node, expansion

    def parse_question(
        self, node: A.Node, chained: A.Expansion | None
    ) -> tuple[A.Node, A.Expansion | None]:
        self.expect_op("[")
        marks = 0
        while self.accept_op("?"):
            marks += 1
        if marks > 1 and chained is not None:
            chained = None
        source = _projection_base(chained, node)
        var = self._current()
        self.current_stack.append(var)
        try:
            quantifier: A.Quantifier | None = None
            condition: A.Node | None = None
            if self.tok.is_keyword(*_QUANTIFIERS) and self.peek().is_keyword("FILTER"):
                quantifier = A.Quantifier(str(self.advance().value))
            elif self.tok.is_keyword("AT LEAST"):
                self.advance()
                self.expect_op("(")
                quantifier = A.Quantifier("AT LEAST", self.parse_expression())
                self.expect_op(")")
            elif not self.tok.is_keyword("FILTER") and not self.tok.is_op("]"):
                quantifier = A.Quantifier("COUNT", self.parse_expression())
            if self.accept_keyword("FILTER"):
                condition = self.parse_expression()
            elif quantifier is not None:
                self.fail()
        finally:
            self.current_stack.pop()
        self.expect_op("]")
        question = A.QuestionExpansion(source, var, quantifier, condition)
        node = _attach(chained, node, question)
        return node, chained

    def parse_primary(self) -> A.Node:
        if self.in_ends_expression and self.tok.kind is _OP and self.tok.value in ("(", "[", "{"):
            self.in_ends_expression = False
            try:
                return self._parse_primary()
            finally:
                self.in_ends_expression = True
        return self._parse_primary()

    def _parse_primary(self) -> A.Node:
        token = self.tok
        return self.PRIMARIES[token.kind](self, token)

    def parse_literal(self, token: Token) -> A.Literal:
        self.advance()
        return A.Literal(token.value)

    def parse_param(self, token: Token) -> A.Node:
        self.advance()
        name = str(token.value)
        if name.startswith("@"):
            return self.collection_param(name[1:])
        return self.bind_param(name)

    def parse_keyword_primary(self, token: Token) -> A.Node:
        value = token.value
        if value in self.KEYWORD_LITERALS:
            self.advance()
            return A.Literal(self.KEYWORD_LITERALS[value])
        if value == "LIKE" and self.peek().is_op("("):
            self.advance()
            return self.parse_call("LIKE", token)
        self.fail()

    def parse_bracketed(self, token: Token) -> A.Node:
        method = self.BRACKETED.get(token.value)
        if method is None:
            self.fail()
        return method(self)

    def parse_parenthesized(self) -> A.Node:
        self.expect_op("(")
        if self.tok.is_keyword(*_QUERY_STARTERS):
            return self.parse_subquery()
        inner = self.parse_expression()
        self.expect_op(")")
        return inner

    def parse_subquery(self) -> A.Subquery:
        self.scopes.append(_Scope("subquery"))
        depth = len(self.scopes)
        try:
            operations = self.parse_query_body()
        finally:
            del self.scopes[depth - 1 :]
        self.expect_op(")")
        return A.Subquery(A.Query(operations))

    def parse_identifier(self) -> A.Node:
        token = self.advance()
        name = str(token.value)
        if self.tok.is_op("(") or self.tok.is_op("::"):
            while self.accept_op("::"):
                part = self.tok
                if part.kind is not _IDENT:
                    self.fail()
                self.advance()
                name += "::" + str(part.value)
            if not self.tok.is_op("("):
                self.fail()
            return self.parse_call(name, token)
        var = self.lookup_var(name)
        if var is not None:
            return A.Var(var)
        if self.current_stack and name.upper() == "CURRENT":
            return A.Var(self.current_stack[-1])
        return A.CollectionRef(name)

    def parse_call(self, name: str, token: Token) -> A.Node:
        saved, self.in_ends_expression = self.in_ends_expression, False
        try:
            return self._parse_call(name, token)
        finally:
            self.in_ends_expression = saved

    def _parse_call(self, name: str, token: Token) -> A.Node:
        self.expect_op("(")
        args: list[A.Node] = []
        if not self.tok.is_op(")"):
            while True:
                if self.tok.is_keyword(*_QUERY_STARTERS) and not self.tok.is_keyword("WITH"):
                    args.append(self.parse_subquery_argument())
                else:
                    args.append(self.parse_expression())
                if not self.accept_op(","):
                    break
        self.expect_op(")")
        return A.FunctionCall(name.upper(), args, (token.line, token.column, name))

    def parse_subquery_argument(self) -> A.Subquery:
        """A query used directly as a function argument: ``LENGTH(FOR x IN y RETURN x)``."""
        self.scopes.append(_Scope("subquery"))
        depth = len(self.scopes)
        try:
            operations = self.parse_query_body()
        finally:
            del self.scopes[depth - 1 :]
        return A.Subquery(A.Query(operations))

    def parse_array(self) -> A.ArrayLit:
        self.expect_op("[")
        items: list[A.Node] = []
        while not self.tok.is_op("]"):
            items.append(self.parse_expression())
            if not self.accept_op(","):
                break
        self.expect_op("]")
        return A.ArrayLit(items)

    def parse_object(self) -> A.ObjectLit:
        self.expect_op("{")
        items: list[tuple[str | A.Node, A.Node]] = []
        while not self.tok.is_op("}"):
            token = self.tok
            if token.kind is _IDENT and not self.peek().is_op(":"):
                self.advance()
                var = self.lookup_var(str(token.value))
                if var is None:
                    self.semantic_error(
                        ERROR_QUERY_VARIABLE_NAME_UNKNOWN,
                        f"use of unknown variable '{token.value}' in object literal",
                        token,
                    )
                items.append((str(token.value), A.Var(var)))
            else:
                key: str | A.Node
                if token.kind in (_IDENT, _STRING):
                    self.advance()
                    key = str(token.value)
                elif token.kind is _PARAM and not str(token.value).startswith("@"):
                    self.advance()
                    key = self.bind_param(str(token.value))
                elif token.is_op("["):
                    self.advance()
                    key = self.parse_expression()
                    self.expect_op("]")
                else:
                    self.fail()
                self.expect_op(":")
                items.append((key, self.parse_expression()))
            if not self.accept_op(","):
                break
        self.expect_op("}")
        return A.ObjectLit(items)

    # ------------------------------------------------------------------ bind parameters

    def bind_param(self, name: str) -> A.BindParam:
        self.bind_params.setdefault(name, -1)
        return A.BindParam(name)

    def collection_param(self, name: str) -> A.CollectionParam:
        if name not in self.collection_params:
            self.collection_params.append(name)
        return A.CollectionParam(name)


# --------------------------------------------------------------------------- helpers


def _starts_comparison(token: Token) -> bool:
    if token.kind is _OP:
        return token.value in ("==", "!=", "<", ">", "<=", ">=")
    return token.is_keyword("IN", "NOT IN")


def _comparison_of(token: Token) -> str:
    return str(token.value)


def _projection_base(chained: A.Expansion | None, node: A.Node) -> A.Node:
    """What a postfix access applies to: the innermost expansion's projection, or the node."""
    if chained is None:
        return node
    assert chained.projection is not None
    return chained.projection


def _attach(chained: A.Expansion | None, node: A.Node, access: A.Node) -> A.Node:
    """Apply ``access`` inside the chained expansion (``a[*].b``) or return it as the node."""
    if chained is None:
        return access
    chained.projection = access
    return node


def is_constant(node: A.Node) -> bool:
    """Whether ``node`` can be evaluated without a frame (literals and bind parameters)."""
    if isinstance(node, (A.Literal, A.BindParam)):
        return True
    if isinstance(node, A.ArrayLit):
        return all(is_constant(item) for item in node.items)
    if isinstance(node, A.ObjectLit):
        return all((isinstance(k, str) or is_constant(k)) and is_constant(v) for k, v in node.items)
    if isinstance(node, A.Unary):
        return is_constant(node.operand)
    return False


def describe(token: Token) -> str:
    """How ArangoDB names a token in a syntax error."""
    if token.kind is _EOF:
        return "end of query string"
    if token.kind is _IDENT:
        return "identifier"
    if token.kind is _STRING:
        return "quoted string"
    if token.kind is _NUMBER:
        return "integer number" if isinstance(token.value, int) else "number"
    if token.kind is _PARAM:
        return "bind parameter"
    if token.kind is _KEYWORD:
        return f"{token.value} keyword"
    if token.is_op("="):
        return "assignment"  # ArangoDB's name of the token (its grammar's T_ASSIGN)
    return f"'{token.value}'"


def parse(text: str) -> A.Query:
    """Parse ``text`` into a :class:`~.ast.Query` (raises AQLSyntaxError / QueryError)."""
    if not isinstance(text, str):
        raise AQLSyntaxError("query must be a string", ERROR_QUERY_PARSE)
    try:
        return Parser(text).parse_top()
    except RecursionError:
        raise AQLSyntaxError("query is too deeply nested", ERROR_QUERY_PARSE) from None
