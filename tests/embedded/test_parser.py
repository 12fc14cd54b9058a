"""The AQL parser: precedence, operators, array operators, subqueries, COLLECT, errors.

Expectations come from ArangoDB 3.12's "Operators", "COLLECT", "RETURN" and
"Syntax" pages; most are checked by running the expression, some on the AST.
"""

from __future__ import annotations

import pytest

from arangoml_meta.aql import ast as A
from arangoml_meta.aql.parser import parse
from arangoml_meta.errors import AQLSyntaxError, ArangoMLMetaError

from .helpers import error_num, make_db, run, value

# --------------------------------------------------------------------------- precedence


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # multiplicative > additive, both left-associative
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 2 - 3", 5),
        ("100 / 10 / 5", 2),
        ("2 * 3 % 4", 2),
        ("7 - 2 * 3 + 1", 2),
        # unary minus binds tighter than binary operators
        ("-2 * -3", 6),
        ("- (1 + 2)", -3),
        ("1 - -1", 2),
        # AND > OR
        ("true || false && false", True),
        ("false && true || true", True),
        ("false && (true || true)", False),
        # range: below + / -
        ("1..2+1", [1, 2, 3]),
        ("1+1..3", [2, 3]),
        ("1..1*3", [1, 2, 3]),
        # relational > IN > equality
        ("1 < 2 == true", True),
        ("2 < 3 IN [true]", True),
        ("1 IN [1] == true", True),
        ("3 > 2 > 1", False),
        # unary NOT binds tighter than IN
        ("NOT 0 IN []", False),
        ("NOT (0 IN [])", True),
        ("!true || true", True),
        # ternary is lowest and right-associative
        ("true ? 1 : 2 + 10", 1),
        ("false ? 1 : 2 + 10", 12),
        ("1 == 1 ? 'y' : 'n'", "y"),
        ("false ? 1 : true ? 2 : 3", 2),
        ("true ? false ? 1 : 2 : 3", 2),
        ("1 > 2 || 3 > 2 ? 'a' : 'b'", "a"),
        # shortcut ternary
        ("null ?: 'd'", "d"),
        ("0 ?: 'd'", "d"),
        ("'v' ?: 'd'", "v"),
        ("[] ?: 'd'", []),
        ("false ?: 0 ?: 'last'", "last"),
        # LIKE is at equality level (left-associative with ==)
        ("'abc' LIKE 'a%' == true", True),
        ("'foo' NOT LIKE 'f%'", False),
        ("'foo' =~ '^f[o].$'", True),
        ("'foo' !~ '[a-z]+bar$'", True),
    ],
)
def test_operator_precedence(expression, expected):
    assert value(expression) == expected


def test_multiplication_nests_below_addition_in_the_ast():
    ret = parse("RETURN 1 + 2 * 3").operations[-1]
    assert isinstance(ret, A.Return)
    add = ret.expr
    assert isinstance(add, A.Binary) and add.op == "+"
    assert isinstance(add.right, A.Binary) and add.right.op == "*"


def test_or_is_the_root_of_mixed_logical_operators():
    expr = parse("RETURN true || false && false").operations[-1].expr
    assert isinstance(expr, A.Logical) and expr.op == "OR"
    assert isinstance(expr.right, A.Logical) and expr.right.op == "AND"


# --------------------------------------------------------------------------- logical operators


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 || 7", 1),
        ("null || 'foo'", "foo"),
        ("null && true", None),
        ("true && 23", 23),
        ("0 && 'x'", 0),
        ("'' || []", []),
        ("25 > 1 && 42 != 7", True),
        ("22 IN [23, 42] || 23 NOT IN [22, 7]", True),
        ("!0", True),
        ("NOT []", False),
        ("NOT {}", False),
        ("NOT ''", True),
        ("NOT 'x'", False),
        ("NOT null", True),
    ],
)
def test_logical_operators_return_operands(expression, expected):
    assert value(expression) == expected


def test_logical_operators_short_circuit():
    # the right operand is not evaluated, so no division-by-zero warning is raised
    with make_db() as db:
        result = db.query("RETURN [false && 1 / 0, true || 1 / 0]")
    assert list(result) == [[False, True]]
    assert result.warnings == []


def test_ternary_does_not_evaluate_the_other_branch():
    # "From v3.12.1 onward, short-circuiting is applied" (also to subquery operands)
    with make_db() as db:
        result = db.query("RETURN [true ? 1 : 1 / 0, false ? (RETURN 1 / 0)[0] : 2, 0 ?: 3]")
    assert list(result) == [[1, 2, 3]]
    assert result.warnings == []


# --------------------------------------------------------------------------- comparison operators


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("0 == null", False),
        ("1 > 0", True),
        ("true != null", True),
        ("45 <= 'yikes!'", True),
        ("65 != '65'", True),
        ("65 == 65", True),
        ("1.23 > 1.32", False),
        ("1.5 IN [2, 3, 1.5]", True),
        ("'foo' IN null", False),
        ("42 NOT IN [17, 40, 50]", True),
        ("'abc' == 'abc'", True),
        ("'abc' == 'ABC'", False),
        ("1 == 1.0", True),
        ("0 == '0'", False),
        ("0 == [0]", False),
        ("0 == false", False),
        ("[1, 2] == [1, 2]", True),
        ("{a: 1, b: 2} == {b: 2, a: 1}", True),
        ("{a: 1} == {a: 1, b: null}", True),
        ("[1] < [1, 0]", True),
        ("'a' IN 'abc'", False),
        ("[1] IN [[1]]", True),
        # a missing array element or attribute counts as null
        ("[1, null] == [1]", True),
        ("{a: null} == {}", True),
        ("[1, null] IN [[1]]", True),
        ("{a: null} IN [{}]", True),
        ("1.0 IN [1]", True),
        ("[1.0] IN [[1]]", True),
        ("true IN [1]", False),
        ("null IN [null]", True),
        ("'1' NOT IN [1]", True),
    ],
)
def test_comparison_operators(expression, expected):
    assert value(expression) is expected


# --------------------------------------------------------------------------- array comparison operators


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[1, 2, 3] ALL IN [2, 3, 4]", False),
        ("[1, 2, 3] ALL IN [1, 2, 3]", True),
        ("[1, 2, 3] NONE IN [3]", False),
        ("[1, 2, 3] NONE IN [23, 42]", True),
        ("[1, 2, 3] ANY IN [4, 5, 6]", False),
        ("[1, 2, 3] ANY IN [1, 42]", True),
        ("[1, 2, 3] ANY == 2", True),
        ("[1, 2, 3] ANY == 4", False),
        ("[1, 2, 3] ANY > 0", True),
        ("[1, 2, 3] ANY <= 1", True),
        ("[1, 2, 3] NONE < 99", False),
        ("[1, 2, 3] NONE > 10", True),
        ("[1, 2, 3] ALL > 2", False),
        ("[1, 2, 3] ALL > 0", True),
        ("[1, 2, 3] ALL >= 3", False),
        ("['foo', 'bar'] ALL != 'moo'", True),
        ("['foo', 'bar'] NONE == 'bar'", False),
        ("['foo', 'bar'] ANY == 'foo'", True),
        ("[1, 2, 3] AT LEAST (2) IN [2, 3, 4]", True),
        ("['foo', 'bar'] AT LEAST (1+1) == 'foo'", False),
        ("[1, 2, 3] AT LEAST (3) > 0", True),
        ("[1, 2, 3] ALL NOT IN [4]", True),
        ("[] ALL == 1", True),
        ("[] ANY == 1", False),
        ("[] NONE == 1", True),
    ],
)
def test_array_comparison_operators(expression, expected):
    assert value(expression) is expected


def test_array_comparison_binds_tighter_than_and():
    assert value("[1, 2] ALL > 0 && [3] ANY == 4") is False


def test_array_comparison_parses_to_quantified_node():
    expr = parse("RETURN [1] ALL == 1").operations[-1].expr
    assert isinstance(expr, A.ArrayComparison)
    assert (expr.op, expr.quantifier.kind) == ("==", "ALL")


# --------------------------------------------------------------------------- [*], [**], [? ...]

USERS = (
    "[{name: 'john', age: 35, friends: [{name: 'tina', age: 43}, {name: 'helga', age: 52},"
    " {name: 'alfred', age: 34}]}, {name: 'yves', age: 24, friends: [{name: 'sergei', age: 27},"
    " {name: 'tiffany', age: 25}]}]"
)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[{a: 1}, {a: 2}, {b: 3}][*].a", [1, 2, None]),
        ("[1, 2, 3][*]", [1, 2, 3]),
        ("[1, 2, 3, 4][* FILTER CURRENT % 2 == 0]", [2, 4]),
        ("[1, 2, 3, 4][* LIMIT 2]", [1, 2]),
        ("[1, 2, 3, 4][* LIMIT 1, 2]", [2, 3]),
        ("[1, 2, 3][* RETURN CURRENT * 10]", [10, 20, 30]),
        ("[1, 2, 3, 4, 5][* FILTER CURRENT > 1 LIMIT 1, 2 RETURN CURRENT * 2]", [6, 8]),
        ("[{a: {b: 1}}, {a: {b: 2}}][*].a.b", [1, 2]),
        ("[[1, 2], 3, [4, 5], 6][** FILTER CURRENT % 2 == 0]", [2, 4, 6]),
        ("[[1, 2], [3]][**]", [1, 2, 3]),
        ("[1, [2, [3]]][**]", [1, 2, [3]]),
        ("[[[1]], [[2, 3]]][***]", [1, 2, 3]),
        ("[[1, 2], [3]][* RETURN LENGTH(CURRENT)]", [2, 1]),
    ],
)
def test_array_expansion(expression, expected):
    assert value(expression) == expected


def test_nested_expansions_have_their_own_current():
    assert value("[[1, 2], [3]][* RETURN CURRENT[* RETURN CURRENT * 2]]") == [[2, 4], [6]]
    assert value("[[1, 2], [3]][* FILTER CURRENT[? ANY FILTER CURRENT > 2]]") == [[3]]


def test_expansion_projection_uses_outer_variables():
    with make_db() as db:
        rows = run(
            db,
            f"FOR u IN {USERS} RETURN u.friends[* FILTER CURRENT.age > u.age RETURN CURRENT.name]",
        )
    assert rows == [["tina", "helga"], ["sergei", "tiffany"]]


def test_expansion_is_equivalent_to_a_subquery():
    with make_db() as db:
        short = run(db, f"FOR u IN {USERS} RETURN u.friends[*].name")
        long = run(db, f"FOR u IN {USERS} RETURN (FOR f IN u.friends RETURN f.name)")
    assert short == long == [["tina", "helga", "alfred"], ["sergei", "tiffany"]]


def test_contraction_of_subquery_result():
    with make_db() as db:
        rows = run(db, f"RETURN (FOR u IN {USERS} RETURN u.friends[*].name)[**]")
    assert rows == [["tina", "helga", "alfred", "sergei", "tiffany"]]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[1, 2, 3, 4][? 2 FILTER CURRENT % 2 == 0]", True),
        ("[1, 2, 3, 4][? 1 FILTER CURRENT % 2 == 0]", False),
        ("[1, 2, 3, 4][? 2..3 FILTER CURRENT > 1]", True),
        ("[1, 2, 3, 4][? 2..3 FILTER CURRENT > 0]", False),
        ("[1, 2, 3][? NONE FILTER CURRENT > 5]", True),
        ("[1, 2, 3][? NONE FILTER CURRENT > 2]", False),
        ("[1, 2, 3][? ANY FILTER CURRENT > 2]", True),
        ("[1, 2, 3][? ANY FILTER CURRENT > 3]", False),
        ("[1, 2, 3][? ALL FILTER CURRENT > 0]", True),
        ("[1, 2, 3][? ALL FILTER CURRENT > 1]", False),
        ("[1, 2, 3][? AT LEAST (2) FILTER CURRENT > 1]", True),
        ("[1, 2, 3][? AT LEAST (3) FILTER CURRENT > 1]", False),
        ("[1, 2, 3][? FILTER CURRENT == 2]", True),
        ("[1][?]", True),
        ("[][?]", False),
    ],
)
def test_question_mark_operator(expression, expected):
    assert value(expression) is expected


def test_question_mark_operator_matches_its_documented_equivalent():
    # arr[? <n> FILTER c]  ==  LENGTH(arr[* FILTER c]) == <n>
    for n in range(4):
        q = value(f"[1, 2, 3][? {n} FILTER CURRENT >= 2]")
        long = value(f"LENGTH([1, 2, 3][* FILTER CURRENT >= 2]) == {n}")
        assert q is long


# --------------------------------------------------------------------------- access


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("['tina', 'helga', 'alfred'][0]", "tina"),
        ("['tina', 'helga', 'alfred'][2]", "alfred"),
        ("['tina', 'helga', 'alfred'][-1]", "alfred"),
        ("['tina', 'helga', 'alfred'][-2]", "helga"),
        ("['tina', 'helga', 'alfred'][3]", None),
        ("['tina', 'helga', 'alfred'][-4]", None),
        ("{a: {b: 1}}.a.b", 1),
        ("{a: {b: 1}}['a']['b']", 1),
        ("{a: 1}.missing", None),
        ("{a: 1}.a.b.c", None),
        ("(1).a", None),
        ("'abc'.length", None),
        ("null.a", None),
        ("[1, 2].a", None),
        ("{ 'with 2 spaces': true }[CONCAT_SEPARATOR(' ', 'with', 1+1, 'spaces')]", True),
    ],
)
def test_value_access(expression, expected):
    assert value(expression) == expected


def test_duplicate_attribute_name_first_occurrence_wins():
    # "If the same attribute name occurs more than once in an object literal,
    #  the first occurrence wins"
    assert value("{ foo: 1, foo: 2 }") == {"foo": 1}


def test_computed_attribute_names():
    assert value("{ [CONCAT('test/', 'bar')]: 'someValue' }") == {"test/bar": "someValue"}


def test_trailing_commas_are_allowed_in_literals():
    assert value("[1, 2, 3, ]") == [1, 2, 3]
    assert value("{ a: 1, b: 2, }") == {"a": 1, "b": 2}


@pytest.mark.parametrize("literal", ["[1, 2, , ]", "{ , }", "[,]"])
def test_empty_elements_are_syntax_errors(literal):
    with make_db() as db:
        assert error_num(db.query, f"RETURN {literal}") == 1501


def test_attribute_shorthand():
    with make_db() as db:
        assert run(db, "LET name = 'Peter' LET age = 42 RETURN { name, age }") == [
            {"name": "Peter", "age": 42}
        ]


def test_bind_parameter_attribute_access():
    assert value("{ foo: { bar: 'baz' } }.@attr.@sub", attr="foo", sub="bar") == "baz"
    assert value("{ foo: { bar: 'baz' } }[@attr][@sub]", attr="foo", sub="bar") == "baz"


def test_bind_parameter_attribute_path_array():
    assert value("{ a: { b: { c: 1 } } }.@attr", attr=["a", "b", "c"]) == 1
    assert value("{ 'a.b.c': 2 }.@attr", attr="a.b.c") == 2


# --------------------------------------------------------------------------- subqueries


def test_subquery_result_is_an_array():
    with make_db() as db:
        assert run(db, "LET s = (FOR i IN [1, 2] RETURN i * 2) RETURN s") == [[2, 4]]


def test_subquery_sees_outer_variables():
    with make_db() as db:
        assert run(db, "FOR x IN [1, 2] RETURN (FOR y IN [10, 20] RETURN x + y)") == [
            [11, 21],
            [12, 22],
        ]


def test_nested_return_subquery():
    assert value("(RETURN 1)") == [1]


def test_query_as_function_argument():
    assert value("LENGTH(FOR i IN 1..3 RETURN i)") == 3


def test_subquery_variables_do_not_leak():
    # `inner` is not a variable after the subquery; as a name it refers to a collection
    with make_db() as db, pytest.raises(ArangoMLMetaError):
        db.query("LET s = (FOR inner IN [1] RETURN inner) RETURN inner")


def test_return_distinct_inside_subquery():
    with make_db() as db:
        rows = run(
            db,
            "FOR what IN 1..2 LET sub = (FOR i IN [1, 2, 3, 4, 1, 3] RETURN DISTINCT i) RETURN sub",
        )
    assert rows == [[1, 2, 3, 4], [1, 2, 3, 4]]


def test_return_distinct_on_subquery_results():
    with make_db() as db:
        rows = run(db, "FOR what IN 1..2 RETURN DISTINCT (FOR i IN [1, 2, 3, 4, 1, 3] RETURN i)")
    assert rows == [[1, 2, 3, 4, 1, 3]]


# --------------------------------------------------------------------------- COLLECT forms


@pytest.mark.parametrize(
    "query",
    [
        "FOR u IN [] COLLECT city = u.city RETURN city",
        "FOR u IN [] COLLECT city = u.city INTO groups RETURN groups",
        "FOR u IN [] COLLECT country = u.country, city = u.city INTO groups RETURN groups",
        "FOR u IN [] COLLECT city = u.city INTO groups = u.name RETURN groups",
        "FOR u IN [] LET name = u.name COLLECT city = u.city INTO groups KEEP name RETURN groups",
        "FOR u IN [] COLLECT WITH COUNT INTO length RETURN length",
        "FOR u IN [] COLLECT age = u.age WITH COUNT INTO length RETURN length",
        "FOR u IN [] COLLECT AGGREGATE minAge = MIN(u.age), maxAge = MAX(u.age) RETURN minAge",
        "FOR u IN [] COLLECT g = u.g AGGREGATE n = COUNT(), s = SUM(u.v) INTO x RETURN x",
        "FOR u IN [] COLLECT age = u.age OPTIONS { method: 'sorted' } RETURN age",
        "FOR u IN [] COLLECT age = u.age SORT null RETURN age",
    ],
)
def test_collect_syntax_variants_parse(query):
    with make_db() as db:
        db.query(query)


@pytest.mark.parametrize(
    "query",
    [
        "FOR i IN [] AGGREGATE RETURN 1",
        "FOR i IN [] COLLECT RETURN 1",
        "FOR i IN [] COLLECT COUNT INTO g RETURN 1",
        "FOR i IN [] COLLECT WITH COUNT RETURN 1",
        "FOR i IN [] COLLECT AGGREGATE c = i.test RETURN 1",
        "FOR i IN [1] COLLECT x = i KEEP i RETURN x",
        "FOR i IN [] COLLECT x = i AGGREGATE n = LENGTH(i) WITH COUNT INTO c RETURN 1",
    ],
)
def test_malformed_collect_is_a_syntax_error(query):
    with make_db() as db:
        assert error_num(db.query, query) == 1501


def test_keep_without_into_is_a_syntax_error():
    with make_db() as db:
        assert error_num(db.query, "FOR i IN [1] LET j = i COLLECT x = i KEEP j RETURN x") == 1501


def test_aggregate_must_call_an_aggregate_function():
    with make_db() as db:
        assert (
            error_num(db.query, "FOR i IN [] COLLECT AGGREGATE c = IS_NUMBER(i) RETURN 1") == 1574
        )


def test_aggregate_must_not_use_the_collect_variables():
    with make_db() as db:
        query = "FOR i IN [] COLLECT g = i.g AGGREGATE n = LENGTH(g) RETURN 1"
        assert error_num(db.query, query) == 1512


def test_into_projection_must_not_use_the_collect_variables():
    with make_db() as db:
        query = "FOR d IN [{a: 1}] COLLECT v = d.a INTO g = v RETURN g"
        assert error_num(db.query, query) == 1512


def test_collect_hides_earlier_loop_variables():
    # after COLLECT only the variables it introduces are visible
    with make_db() as db, pytest.raises(ArangoMLMetaError):
        db.query("FOR i IN [1, 2] COLLECT x = i RETURN i")


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("query", "line", "column"),
    [
        ("RETURN )", 1, 8),
        ("FOR x IN [1]\n  FILTER\n  RETURN x", 3, 3),
        ("LET a = 1\nLET b = a +\n", 3, 1),
        ("FOR u IN [1] RETURN u;", 1, 22),
    ],
)
def test_syntax_error_reports_line_and_column(query, line, column):
    with pytest.raises(AQLSyntaxError) as info:
        parse(query)
    err = info.value
    assert (err.error_num, err.line, err.column) == (1501, line, column)
    assert f"{line}:{column}" in str(err)


@pytest.mark.parametrize(
    "query",
    [
        "RETURN",
        "FOR x IN [1]",
        "FOR x IN [1] FILTER x",
        "FOR IN [1] RETURN 1",
        "LET x RETURN x",
        "LET x = 1",
        "RETURN 1 RETURN 2",
        "RETURN (1",
        "RETURN [1",
        "RETURN {a: 1",
        "RETURN 1 +",
        "RETURN 1 ? 2",
        "for @u in [1] return 1",
        "FOR u IN [1, 2] RETURN @",
        "SORT 1 RETURN 1 1",
        "FILTER",
    ],
)
def test_syntax_errors(query):
    with make_db() as db:
        assert error_num(db.query, query) == 1501


@pytest.mark.parametrize(
    "query",
    [
        "LET x = 1 LET x = 2 RETURN x",
        "FOR i IN [1] FOR i IN [2] RETURN i",
        "FOR i IN [1] LET i = 2 RETURN i",
        "LET x = 1 FOR x IN [1] RETURN x",
        "LET x = 1 RETURN (LET x = 2 RETURN x)",
    ],
)
def test_redeclared_variable(query):
    with make_db() as db:
        assert error_num(db.query, query) == 1511


def test_unknown_variable_in_object_shorthand():
    with make_db() as db:
        assert error_num(db.query, "RETURN { nope }") == 1512


@pytest.mark.parametrize("call", ["NOPE(1)", "nope_function()", "LENGHT([1])", "my::udf(1)"])
def test_unknown_function(call):
    with make_db() as db:
        assert error_num(db.query, f"RETURN {call}") == 1540


@pytest.mark.parametrize(
    "call", ["LENGTH()", "LENGTH(1, 2)", "CONCAT_SEPARATOR()", "SUBSTRING('a')"]
)
def test_wrong_number_of_function_arguments(call):
    with make_db() as db:
        assert error_num(db.query, f"RETURN {call}") == 1541


@pytest.mark.parametrize("call", ["length([1, 2])", "Length([1, 2])", "LENGTH([1, 2])"])
def test_function_names_are_case_insensitive(call):
    assert value(call) == 2


@pytest.mark.parametrize("query", ["", " ", "\n\t", "/* nothing */", "// nothing"])
def test_empty_query(query):
    with make_db() as db:
        assert error_num(db.query, query) == 1502


def test_distinct_without_for_is_a_syntax_error():
    # "RETURN DISTINCT is not allowed on the top-level of a query if there is no FOR loop"
    with make_db() as db:
        assert error_num(db.query, "RETURN DISTINCT 1") == 1501
        assert error_num(db.query, "LET x = 1 RETURN DISTINCT x") == 1501


def test_distinct_after_for_is_allowed():
    with make_db() as db:
        assert run(db, "FOR v IN ['foo', 'bar', 'bar', 'baz', 'foo'] RETURN DISTINCT v") == [
            "foo",
            "bar",
            "baz",
        ]


def test_options_must_be_an_object():
    with make_db({"c": []}) as db:
        assert error_num(db.query, "FOR d IN c REMOVE d IN c OPTIONS 'foo'") == 1501


def test_options_must_be_known_at_compile_time():
    with make_db({"c": [{}]}) as db:
        assert error_num(db.query, "FOR d IN c REMOVE d IN c OPTIONS { foo: d }") == 1575


def test_parse_is_side_effect_free_and_cached():
    with make_db() as db:
        assert db.parse("RETURN 1") is db.parse("RETURN 1")


def test_parse_error_is_raised_before_any_write():
    with make_db({"c": []}) as db:
        with pytest.raises(AQLSyntaxError):
            db.query("INSERT {} INTO c RETURN NEW )")
        assert db.count("c") == 0


# --------------------------------------------------------------------------- destructuring (3.12.2)

DESTRUCTURING_SUPPORTED = [
    (
        'FOR [x, y] IN [["foo", 1], ["bar", 2]] RETURN {x, y}',
        [{"x": "foo", "y": 1}, {"x": "bar", "y": 2}],
    ),
]
DESTRUCTURING_MISSING = [
    ("LET [x, y] = [1, 2, 3] RETURN [x, y]", [[1, 2]]),
    ("LET [, y, z] = [1, 2, 3] RETURN [y, z]", [[2, 3]]),
    ('LET [x, y] = ["one"] LET [z] = { obj: true } RETURN [x, y, z]', [["one", None, None]]),
    (
        'LET [[first1], [second1, second2]] = [["foo", "bar"], [1, 2, 3]] RETURN [first1, second1, second2]',
        [["foo", 1, 2]],
    ),
    (
        'LET { name, age } = { vip: true, age: 39, name: "Luna Miller" } RETURN [name, age]',
        [["Luna Miller", 39]],
    ),
    (
        "LET { vip, status } = { vip: true } LET { email } = [1, 2] RETURN [vip, status, email]",
        [[True, None, None]],
    ),
    (
        'LET { name: {first, last} } = { name: { first: "Luna", middle: "R", last: "Miller" } } RETURN [first, last]',
        [["Luna", "Miller"]],
    ),
    (
        'LET { name: {first: f, last: l} } = { name: { first: "Luna", last: "Miller" } } RETURN [f, l]',
        [["Luna", "Miller"]],
    ),
    ("LET { obj: [x, y] } = { obj: [1, 2] } RETURN [x, y]", [[1, 2]]),
    ("LET [ { obj: [x, y] } ] = [ { obj: [1, 2] } ] RETURN [x, y]", [[1, 2]]),
    (
        'FOR { name } IN [{ name: "Luna Miller" }, { name: "Sam Miller" }] RETURN name',
        ["Luna Miller", "Sam Miller"],
    ),
    ("FOR [, y] IN [[1, 2], 3] RETURN y", [2, None]),
]


@pytest.mark.parametrize(("query", "expected"), DESTRUCTURING_SUPPORTED)
def test_array_destructuring_in_for(query, expected):
    with make_db() as db:
        assert run(db, query) == expected


@pytest.mark.parametrize(("query", "expected"), DESTRUCTURING_MISSING)
def test_destructuring(query, expected):
    with make_db() as db:
        assert run(db, query) == expected
