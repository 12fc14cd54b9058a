"""The AQL tokenizer, against ArangoDB 3.12's "AQL Syntax" and "Data types" pages."""

from __future__ import annotations

import pytest

from arangoml_meta.aql.lexer import tokenize
from arangoml_meta.errors import AQLSyntaxError

from ..embedded.helpers import error_num, make_db, run, value

# The reserved keywords listed on the 3.12 "AQL Syntax" page.
RESERVED = [
    "AGGREGATE",
    "ALL",
    "ALL_SHORTEST_PATHS",
    "AND",
    "ANY",
    "ASC",
    "COLLECT",
    "DESC",
    "DISTINCT",
    "FALSE",
    "FILTER",
    "FOR",
    "GRAPH",
    "IN",
    "INBOUND",
    "INSERT",
    "INTO",
    "K_PATHS",
    "K_SHORTEST_PATHS",
    "LET",
    "LIKE",
    "LIMIT",
    "NONE",
    "NOT",
    "NULL",
    "OR",
    "OUTBOUND",
    "REMOVE",
    "REPLACE",
    "RETURN",
    "SHORTEST_PATH",
    "SORT",
    "TRUE",
    "UPDATE",
    "UPSERT",
    "WINDOW",
    "WITH",
]


def kinds(text: str) -> list[tuple[str, object]]:
    """(kind, value) of every token except the final EOF."""
    tokens = tokenize(text)
    assert tokens[-1].kind == "EOF"
    return [(t.kind, t.value) for t in tokens[:-1]]


def syntax_error(text: str) -> AQLSyntaxError:
    with pytest.raises(AQLSyntaxError) as info:
        tokenize(text)
    return info.value


# --------------------------------------------------------------------------- keywords


@pytest.mark.parametrize("word", RESERVED)
@pytest.mark.parametrize("spelling", [str.upper, str.lower, str.title])
def test_reserved_words_are_keywords_in_any_case(word, spelling):
    ((kind, _),) = kinds(spelling(word))
    assert kind == "KEYWORD"


@pytest.mark.parametrize("text", ["return 1", "Return 1", "rEtUrN 1"])
def test_keywords_are_case_insensitive_in_queries(text):
    with make_db() as db:
        assert run(db, text) == [1]


@pytest.mark.parametrize("word", ["KEEP", "COUNT", "OPTIONS", "PRUNE", "SEARCH", "TO"])
def test_context_words_are_not_reserved(word):
    assert kinds(word) == [("IDENT", word)]


@pytest.mark.parametrize("word", ["keep", "count", "options", "prune", "search", "to"])
def test_context_words_can_be_unquoted_attribute_names(word):
    assert value(f"{{ {word}: 1 }}.{word}") == 1


@pytest.mark.parametrize("word", ["return", "filter", "for", "sort", "insert"])
def test_keyword_as_unquoted_attribute_name_is_a_syntax_error(word):
    with make_db() as db:
        assert error_num(db.query, f"RETURN {{ {word}: 1 }}") == 1501


@pytest.mark.parametrize("quoted", ["'return'", '"return"', "`return`", "´return´"])
def test_keyword_as_quoted_attribute_name(quoted):
    assert value(f"{{ {quoted}: 1 }}") == {"return": 1}


# --------------------------------------------------------------------------- identifiers


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("abc", "abc"),
        ("a_b1", "a_b1"),
        ("_a", "_a"),
        ("__a1", "__a1"),
        ("$a", "$a"),
        ("`filter`", "filter"),
        ("´filter´", "filter"),
        ("`my-var`", "my-var"),
        ("`with space`", "with space"),
    ],
)
def test_identifier_tokens(text, name):
    assert kinds(text) == [("IDENT", name)]


def test_identifiers_are_case_sensitive():
    with make_db() as db:
        assert run(db, "LET a = 1 LET A = 2 RETURN [a, A]") == [[1, 2]]


@pytest.mark.parametrize("quote", ["`", "´"])
def test_quoted_keyword_is_usable_as_variable_name(quote):
    with make_db() as db:
        assert run(db, f"LET {quote}filter{quote} = 7 RETURN {quote}filter{quote}") == [7]


@pytest.mark.parametrize("quote", ["`", "´"])
def test_quoted_variable_name_may_contain_a_hyphen(quote):
    # "Quoting with ticks is also required if ... hyphen minus (-) ... LET `my-var` = 42"
    with make_db() as db:
        assert run(db, f"LET {quote}my-var{quote} = 42 RETURN {quote}my-var{quote}") == [42]


def test_quoted_attribute_access():
    assert value("{ 'with space': 1 }.`with space`") == 1
    assert value("{ 'with space': 2 }.´with space´") == 2


def test_dollar_variable_name():
    # "The dollar sign can only be used as the very first character in a variable name"
    with make_db() as db:
        assert run(db, "LET $x = 3 RETURN $x") == [3]


@pytest.mark.parametrize("name", ["_0", "`_`", "`1a`"])
def test_invalid_variable_names_are_syntax_errors(name):
    # "If a variable name starts with ... underscore(s), [they] must be followed by ... a letter"
    with make_db() as db:
        assert error_num(db.query, f"LET {name} = 1 RETURN 1") == 1501


# --------------------------------------------------------------------------- strings


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        (r'"a\nb"', "a\nb"),
        (r'"a\tb"', "a\tb"),
        (r'"a\rb"', "a\rb"),
        (r'"a\\b"', "a\\b"),
        (r'"a\"b"', 'a"b'),
        (r"'a\'b'", "a'b"),
        (r'"a\/b"', "a/b"),
        (r'"a\bb"', "a\bb"),
        (r'"a\fb"', "a\fb"),
        ("'don\"t'", 'don"t'),
        ('"don\'t"', "don't"),
        (r'"\u00e9"', "é"),
        (r'"\u20AC"', "€"),
        (r"'\u0041\u0042'", "AB"),
        (r'"\ud83d\ude00"', "\U0001f600"),
        (r'"x\uD834\uDD1Ey"', "x\U0001d11ey"),
        ('"äöü 日本"', "äöü 日本"),
        ('""', ""),
    ],
)
def test_string_literal_escapes(literal, expected):
    assert kinds(literal) == [("STRING", expected)]
    assert value(literal) == expected


@pytest.mark.parametrize("text", ['"abc', "'abc", '"abc\\"', "`abc"])
def test_unterminated_quote_is_a_syntax_error(text):
    assert syntax_error(text).error_num == 1501


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("1.23", 1.23),
        ("0.5", 0.5),
        (".5", 0.5),
        ("1e3", 1000),
        ("1E3", 1000),
        ("4.87e103", 4.87e103),
        ("2.5e-3", 0.0025),
        ("1e+2", 100),
        ("0x1F", 31),
        ("0xabcdef02", 0xABCDEF02),
        ("0XFF", 255),
        ("0b101", 5),
        ("0B11", 3),
        ("0b10101110", 0b10101110),
        ("0xffffffff", 2**32 - 1),
    ],
)
def test_number_literals(literal, expected):
    ((kind, number),) = kinds(literal)
    assert kind == "NUMBER"
    assert number == expected
    assert value(literal) == expected


@pytest.mark.parametrize(
    ("literal", "expected"), [("-42", -42), ("+1", 1), ("-99.99", -99.99), ("-.5", -0.5)]
)
def test_signed_number_literals(literal, expected):
    assert value(literal) == expected


def test_integer_literals_stay_integers():
    assert type(value("42")) is int


@pytest.mark.parametrize("literal", ["1.", "01.23", "00.23", "00", "01"])
def test_invalid_number_notations_are_syntax_errors(literal):
    # "The following notations are invalid and will throw a syntax error"
    with make_db() as db:
        assert error_num(db.query, f"RETURN {literal}") == 1501


# --------------------------------------------------------------------------- bind parameters


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@x", [("PARAM", "x")]),
        ("@value1", [("PARAM", "value1")]),
        ("@1", [("PARAM", "1")]),
        ("@a_b", [("PARAM", "a_b")]),
        ("@@coll", [("PARAM", "@coll")]),
        ("@x+@y", [("PARAM", "x"), ("OP", "+"), ("PARAM", "y")]),
    ],
)
def test_bind_parameter_tokens(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize("text", ["@", "@ x", "@@", "@-x"])
def test_malformed_bind_parameter_is_a_syntax_error(text):
    assert syntax_error(text).error_num == 1501


def test_bind_parameter_name_starting_with_a_digit():
    assert value("@1", **{"1": "one"}) == "one"


# --------------------------------------------------------------------------- comments and whitespace


@pytest.mark.parametrize(
    "text",
    [
        "/* this is a comment */ RETURN 1",
        "RETURN /* are */ 1 /* multiple */",
        "// a single line comment\nRETURN 1",
        "RETURN 1 // trailing comment",
        "RETURN 1 // trailing comment\n",
        "/* multi\n   line\n comment */ RETURN 1",
        "/* comment starts /* are ignored */ RETURN 1",
        "RETURN\t1\r\n",
    ],
)
def test_comments_and_whitespace_are_skipped(text):
    with make_db() as db:
        assert run(db, text) == [1]


def test_comment_between_operator_operands():
    with make_db() as db:
        assert run(db, "/* these */ RETURN /* are */ 1 /* multiple */ + /* comments */ 1") == [2]


def test_unterminated_block_comment_is_a_syntax_error():
    assert syntax_error("RETURN 1 /* ").error_num == 1501


def test_comment_markers_inside_strings_are_text():
    assert value('"a // b /* c */"') == "a // b /* c */"


# --------------------------------------------------------------------------- composite tokens


@pytest.mark.parametrize(
    "text", ["NOT IN", "not in", "Not In", "NOT  IN", "NOT\nIN", "NOT\t\r\nIN"]
)
def test_not_in_is_one_token(text):
    assert kinds(f"a {text} b") == [("IDENT", "a"), ("KEYWORD", "NOT IN"), ("IDENT", "b")]


@pytest.mark.parametrize("text", ["AT LEAST", "at least", "At Least", "AT\n  LEAST"])
def test_at_least_is_one_token(text):
    assert ("KEYWORD", "AT LEAST") in kinds(f"[1] {text} (1) == 1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NOT inside", [("KEYWORD", "NOT"), ("IDENT", "inside")]),
        ("NOT INBOUND", [("KEYWORD", "NOT"), ("KEYWORD", "INBOUND")]),
        ("at leastwise", [("IDENT", "at"), ("IDENT", "leastwise")]),
        ("at", [("IDENT", "at")]),
        ("least", [("IDENT", "least")]),
    ],
)
def test_composite_tokens_need_whole_words(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("&&", ("KEYWORD", "AND")),
        ("||", ("KEYWORD", "OR")),
        ("!", ("KEYWORD", "NOT")),
        ("==", ("OP", "==")),
        ("!=", ("OP", "!=")),
        ("<=", ("OP", "<=")),
        (">=", ("OP", ">=")),
        ("=~", ("OP", "=~")),
        ("!~", ("OP", "!~")),
        ("..", ("OP", "..")),
        ("::", ("OP", "::")),
    ],
)
def test_operator_tokens(text, expected):
    assert kinds(text) == [expected]


def test_range_after_integer_is_not_a_decimal_point():
    assert kinds("1..3") == [("NUMBER", 1), ("OP", ".."), ("NUMBER", 3)]


# --------------------------------------------------------------------------- error positions


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("RETURN #", 1, 8),
        ("RETURN 1\n  + #", 2, 5),
        ("RETURN 1\n\n\t'open", 3, 2),
        ("/* a\n b */ RETURN ;", 2, 14),
    ],
)
def test_lexer_errors_report_line_and_column(text, line, column):
    err = syntax_error(text)
    assert (err.error_num, err.line, err.column) == (1501, line, column)


def test_token_positions_are_one_based():
    tokens = tokenize("RETURN\n  x")
    assert [(t.line, t.column) for t in tokens[:2]] == [(1, 1), (2, 3)]


@pytest.mark.parametrize("char", [";", "#", "^", "&", "|", "~", "\\"])
def test_stray_characters_are_syntax_errors(char):
    with make_db() as db:
        assert error_num(db.query, f"RETURN 1 {char}") == 1501
