"""Query operations through EmbeddedDatabase.query, against ArangoDB 3.12's documentation.

FOR / FILTER / LET / SORT / LIMIT / COLLECT / RETURN DISTINCT / WINDOW, joins,
subqueries, implicit casts, warnings, value access and bind parameters.
"""

from __future__ import annotations

import pytest

from arangoml_meta.errors import ArangoMLMetaError

from .helpers import error_num, make_db, query_error, run, value

USERS = [
    {"_key": "u1", "name": "Abigail", "age": 36, "city": "Berlin", "active": True},
    {"_key": "u2", "name": "Fred", "age": 25, "city": "Paris", "active": True},
    {"_key": "u3", "name": "Mary", "age": 36, "city": "Berlin", "active": False},
    {"_key": "u4", "name": "Mariah", "age": 25, "city": "Rome", "active": True},
    {"_key": "u5", "name": "John", "age": 41, "active": False},
]
ORDERS = [
    {"_key": "o1", "user": "u1", "amount": 10},
    {"_key": "o2", "user": "u2", "amount": 5},
    {"_key": "o3", "user": "u1", "amount": 7},
    {"_key": "o4", "user": "u9", "amount": 1},
]


@pytest.fixture
def db():
    with make_db({"users": USERS, "orders": ORDERS}) as database:
        yield database


# --------------------------------------------------------------------------- FOR / FILTER / LET


def test_for_over_collection_yields_every_document_with_system_attributes(db):
    rows = run(db, "FOR u IN users RETURN u")
    assert [r["_key"] for r in rows] == ["u1", "u2", "u3", "u4", "u5"]
    assert all(r["_id"] == f"users/{r['_key']}" and r["_rev"] for r in rows)


def test_for_over_array_and_range(db):
    assert run(db, "FOR x IN [3, 1, 2] RETURN x") == [3, 1, 2]
    assert run(db, "FOR x IN 2010..2013 RETURN x") == [2010, 2011, 2012, 2013]
    assert run(db, "FOR x IN 3..1 RETURN x") == [3, 2, 1]


def test_range_bounds_are_converted_to_integers():
    assert value("1.5..3.9") == [1, 2, 3]


def test_nested_for_is_a_cross_product(db):
    assert run(db, "FOR a IN [1, 2] FOR b IN ['x', 'y'] RETURN [a, b]") == [
        [1, "x"],
        [1, "y"],
        [2, "x"],
        [2, "y"],
    ]


def test_filter(db):
    assert run(db, "FOR u IN users FILTER u.age > 30 RETURN u.name") == ["Abigail", "Mary", "John"]


def test_consecutive_filters_are_and_combined(db):
    rows = run(db, "FOR u IN users FILTER u.age > 30 FILTER u.active RETURN u.name")
    assert rows == ["Abigail"]


def test_filter_on_missing_attribute_compares_null(db):
    assert run(db, "FOR u IN users FILTER u.city == null RETURN u.name") == ["John"]


def test_filter_casts_condition_to_bool(db):
    assert run(db, "FOR x IN [0, 1, '', 'a', [], {}, null, false] FILTER x RETURN x") == [
        1,
        "a",
        [],
        {},
    ]


def test_filter_placed_after_limit_applies_after_limit(db):
    rows = run(db, "FOR u IN users LIMIT 2 FILTER u.age > 30 RETURN u.name")
    assert rows == ["Abigail"]


def test_let_binds_per_iteration(db):
    assert run(db, "FOR x IN [1, 2] LET y = x * 10 RETURN y") == [10, 20]


def test_let_multiple_assignments(db):
    assert run(db, "LET a = 1, b = a + 1 RETURN [a, b]") == [[1, 2]]


# --------------------------------------------------------------------------- SORT

MIXED = "[{}, 'b', 1, [], null, true, false, '', [0], {a: 1}, -1, 'a', [[]], 0.5]"


def test_sort_uses_type_order(db):
    rows = run(db, f"FOR x IN {MIXED} SORT x RETURN x")
    assert rows == [None, False, True, -1, 0.5, 1, "", "a", "b", [], [0], [[]], {}, {"a": 1}]


def test_sort_desc_reverses_type_order(db):
    rows = run(db, f"FOR x IN {MIXED} SORT x DESC RETURN x")
    assert rows == [{"a": 1}, {}, [[]], [0], [], "b", "a", "", 1, 0.5, -1, True, False, None]


def test_sort_is_stable(db):
    rows = run(db, "FOR u IN users SORT u.age RETURN u._key")
    assert rows == ["u2", "u4", "u1", "u3", "u5"]


def test_sort_desc_is_stable_too(db):
    rows = run(db, "FOR u IN users SORT u.age DESC RETURN u._key")
    assert rows == ["u5", "u1", "u3", "u2", "u4"]


def test_sort_by_multiple_keys_with_directions(db):
    rows = run(db, "FOR u IN users SORT u.age DESC, u.name ASC RETURN u.name")
    assert rows == ["John", "Abigail", "Mary", "Fred", "Mariah"]
    rows = run(db, "FOR u IN users SORT u.age, u.name DESC RETURN u.name")
    assert rows == ["Mariah", "Fred", "Mary", "Abigail", "John"]


def test_sort_missing_attribute_sorts_as_null_first(db):
    assert run(db, "FOR u IN users SORT u.city RETURN u.name")[0] == "John"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ("[[1, 2], [2], [1], []]", [[], [1], [1, 2], [2]]),
        ("[[99, 99], [100], [false, ''], [false, 1]]", [[False, 1], [False, ""], [99, 99], [100]]),
        ("[{b: 1}, {a: 2}, {a: 1, b: 1}, {}]", [{}, {"b": 1}, {"a": 1, "b": 1}, {"a": 2}]),
    ],
)
def test_sort_compound_values(db, values, expected):
    assert run(db, f"FOR x IN {values} SORT x RETURN x") == expected


def test_sort_null_keeps_order(db):
    assert run(db, "FOR x IN [3, 1, 2] SORT null RETURN x") == [3, 1, 2]


# --------------------------------------------------------------------------- LIMIT


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ("LIMIT 2", [1, 2]),
        ("LIMIT 0", []),
        ("LIMIT 2, 3", [3, 4, 5]),
        ("LIMIT 0, 1", [1]),
        ("LIMIT 8, 5", [9, 10]),
        ("LIMIT 20, 5", []),
        ("LIMIT 100", list(range(1, 11))),
        ("LIMIT 1 + 1, 2 * 1", [3, 4]),
    ],
)
def test_limit(db, limit, expected):
    assert run(db, f"FOR x IN 1..10 {limit} RETURN x") == expected


def test_limit_with_bind_parameters(db):
    assert run(db, "FOR x IN 1..10 LIMIT @o, @c RETURN x", o=1, c=2) == [2, 3]


def test_limit_after_sort(db):
    assert run(db, "FOR u IN users SORT u.age DESC LIMIT 2 RETURN u.name") == ["John", "Abigail"]


# --------------------------------------------------------------------------- COLLECT


def test_collect_groups_and_sorts_by_group_value(db):
    assert run(db, "FOR u IN users COLLECT city = u.city RETURN city") == [
        None,
        "Berlin",
        "Paris",
        "Rome",
    ]


def test_collect_output_is_sorted_by_type_order(db):
    rows = run(db, "FOR x IN ['b', 2, null, [1], true, 'a', 1] COLLECT v = x RETURN v")
    assert rows == [None, True, 1, 2, "a", "b", [1]]


def test_collect_multiple_criteria(db):
    rows = run(db, "FOR u IN users COLLECT age = u.age, active = u.active RETURN [age, active]")
    assert rows == [[25, True], [36, False], [36, True], [41, False]]


def test_collect_numbers_compare_by_value(db):
    rows = run(db, "FOR x IN [1, 1.0, '1'] COLLECT v = x WITH COUNT INTO n RETURN [v, n]")
    assert rows == [[1, 2], ["1", 1]]


def test_collect_missing_attribute_groups_with_null(db):
    rows = run(
        db, "FOR x IN [{a: null}, {}, {a: 1}] COLLECT v = x.a WITH COUNT INTO n RETURN [v, n]"
    )
    assert rows == [[None, 2], [1, 1]]


def test_collect_into_holds_every_variable_of_the_for_scope(db):
    rows = run(
        db,
        "LET top = 1 FOR x IN [1, 2, 3] LET twice = x * 2 COLLECT odd = x % 2 INTO g RETURN [odd, g]",
    )
    assert rows == [
        [0, [{"x": 2, "twice": 4}]],
        [1, [{"x": 1, "twice": 2}, {"x": 3, "twice": 6}]],
    ]


def test_top_level_collect_into_holds_all_variables(db):
    # "... but not those on the top level (outside of any FOR), unless the COLLECT
    #  statement is itself on the top level, in which case all variables are taken"
    rows = run(db, "LET a = [1, 2] COLLECT n = LENGTH(a) INTO g RETURN g")
    assert rows == [[{"a": [1, 2]}]]


def test_collect_into_projection(db):
    rows = run(db, "FOR u IN users COLLECT age = u.age INTO names = u.name RETURN {age, names}")
    assert rows == [
        {"age": 25, "names": ["Fred", "Mariah"]},
        {"age": 36, "names": ["Abigail", "Mary"]},
        {"age": 41, "names": ["John"]},
    ]


def test_collect_into_keep(db):
    rows = run(
        db,
        "FOR u IN users LET name = u.name LET calc = u.age + 1 "
        "COLLECT city = u.city INTO groups KEEP name RETURN {city, names: groups[*].name, g: groups}",
    )
    assert rows[1] == {
        "city": "Berlin",
        "names": ["Abigail", "Mary"],
        "g": [{"name": "Abigail"}, {"name": "Mary"}],
    }


def test_collect_with_count_into(db):
    rows = run(db, "FOR u IN users COLLECT age = u.age WITH COUNT INTO length RETURN {age, length}")
    assert rows == [{"age": 25, "length": 2}, {"age": 36, "length": 2}, {"age": 41, "length": 1}]


def test_collect_with_count_into_without_groups(db):
    assert run(db, "FOR u IN users COLLECT WITH COUNT INTO length RETURN length") == [5]
    assert run(db, "FOR u IN users FILTER false COLLECT WITH COUNT INTO length RETURN length") == [
        0
    ]


def test_collect_with_groups_on_empty_input_returns_nothing(db):
    assert run(db, "FOR u IN [] COLLECT g = u RETURN g") == []


def test_collect_aggregate_per_group(db):
    rows = run(
        db,
        "FOR u IN users COLLECT active = u.active "
        "AGGREGATE minAge = MIN(u.age), maxAge = MAX(u.age), total = SUM(u.age), n = LENGTH(1) "
        "RETURN {active, minAge, maxAge, total, n}",
    )
    assert rows == [
        {"active": False, "minAge": 36, "maxAge": 41, "total": 77, "n": 2},
        {"active": True, "minAge": 25, "maxAge": 36, "total": 86, "n": 3},
    ]


def test_collect_aggregate_without_groups(db):
    rows = run(
        db,
        "FOR u IN users COLLECT AGGREGATE minAge = MIN(u.age), maxAge = MAX(u.age), "
        "avg = AVERAGE(u.age), c = COUNT(), d = COUNT_DISTINCT(u.age) "
        "RETURN {minAge, maxAge, avg, c, d}",
    )
    assert rows == [{"minAge": 25, "maxAge": 41, "avg": 32.6, "c": 5, "d": 3}]


def test_collect_aggregate_push_and_unique(db):
    rows = run(
        db,
        "FOR u IN users COLLECT active = u.active AGGREGATE names = PUSH(u.name), "
        "ages = SORTED_UNIQUE(u.age), uq = UNIQUE(u.age) RETURN [active, names, ages, SORTED(uq)]",
    )
    assert rows == [
        [False, ["Mary", "John"], [36, 41], [36, 41]],
        [True, ["Abigail", "Fred", "Mariah"], [25, 36], [25, 36]],
    ]


def test_collect_aggregate_equals_post_aggregation(db):
    post = run(
        db,
        "FOR u IN users COLLECT g = FLOOR(u.age / 10) INTO grp "
        "RETURN {g, minAge: MIN(grp[*].u.age), maxAge: MAX(grp[*].u.age)}",
    )
    agg = run(
        db,
        "FOR u IN users COLLECT g = FLOOR(u.age / 10) AGGREGATE minAge = MIN(u.age), maxAge = MAX(u.age) "
        "RETURN {g, minAge, maxAge}",
    )
    assert (
        post
        == agg
        == [
            {"g": 2, "minAge": 25, "maxAge": 25},
            {"g": 3, "minAge": 36, "maxAge": 36},
            {"g": 4, "minAge": 41, "maxAge": 41},
        ]
    )


def test_collect_aggregate_with_into(db):
    rows = run(
        db,
        "FOR u IN users COLLECT age = u.age AGGREGATE n = LENGTH(1) INTO names = u.name RETURN [age, n, names]",
    )
    assert rows == [[25, 2, ["Fred", "Mariah"]], [36, 2, ["Abigail", "Mary"]], [41, 1, ["John"]]]


def test_collect_ends_the_for_scope_and_a_new_for_can_follow(db):
    rows = run(db, "FOR u IN users COLLECT age = u.age FOR x IN [age] FILTER x > 30 RETURN x")
    assert rows == [36, 41]


def test_collect_inside_subquery(db):
    rows = run(db, "FOR i IN [1, 2] RETURN (FOR x IN [i, i, 3] COLLECT v = x RETURN v)")
    assert rows == [[1, 3], [2, 3]]


# --------------------------------------------------------------------------- RETURN DISTINCT


def test_return_distinct_keeps_first_occurrences_in_order(db):
    assert run(db, "FOR x IN ['foo', 'bar', 'bar', 'baz', 'foo'] RETURN DISTINCT x") == [
        "foo",
        "bar",
        "baz",
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ("[1, 1.0, '1', true, null, null]", [1, "1", True, None]),
        ("[{a: 1, b: 2}, {b: 2, a: 1}]", [{"a": 1, "b": 2}]),
        ("[[1, 2], [1, 2], [2, 1]]", [[1, 2], [2, 1]]),
        ("[0, false, '', null]", [0, False, "", None]),
    ],
)
def test_return_distinct_uses_aql_equality(db, values, expected):
    assert run(db, f"FOR x IN {values} RETURN DISTINCT x") == expected


def test_return_distinct_over_collection_attribute(db):
    assert run(db, "FOR u IN users RETURN DISTINCT u.age") == [36, 25, 41]


# --------------------------------------------------------------------------- WINDOW

OBSERVATIONS = [
    {"time": "07:00", "subject": "st113", "val": 10},
    {"time": "07:00", "subject": "xh458", "val": 0},
    {"time": "07:15", "subject": "st113", "val": 9},
    {"time": "07:15", "subject": "xh458", "val": 10},
    {"time": "07:30", "subject": "st113", "val": 25},
    {"time": "07:30", "subject": "xh458", "val": 5},
    {"time": "07:45", "subject": "st113", "val": 20},
    {"time": "07:45", "subject": "xh458", "val": 30},
    {"time": "08:00", "subject": "xh458", "val": 25},
]


@pytest.fixture
def obs():
    with make_db({"observations": OBSERVATIONS}) as database:
        yield database


def test_window_rolling_rows(obs):
    rows = run(
        obs,
        "FOR t IN observations SORT t.time WINDOW { preceding: 1, following: 1 } "
        "AGGREGATE rollingSum = SUM(t.val), values = PUSH(t.val) RETURN [rollingSum, values]",
    )
    assert rows == [
        [10, [10, 0]],
        [19, [10, 0, 9]],
        [19, [0, 9, 10]],
        [44, [9, 10, 25]],
        [40, [10, 25, 5]],
        [50, [25, 5, 20]],
        [55, [5, 20, 30]],
        [75, [20, 30, 25]],
        [55, [30, 25]],
    ]


def test_window_running_total(obs):
    rows = run(
        obs,
        "FOR t IN observations SORT t.time WINDOW { preceding: 'unbounded', following: 0 } "
        "AGGREGATE cumulativeSum = SUM(t.val) RETURN cumulativeSum",
    )
    assert rows == [10, 10, 19, 29, 54, 59, 79, 109, 134]


def test_window_rolling_average(obs):
    rows = run(
        obs,
        "FOR t IN observations SORT t.time WINDOW { preceding: 1, following: 1 } "
        "AGGREGATE a = AVG(t.val) RETURN a",
    )
    expected = [5, 19 / 3, 19 / 3, 44 / 3, 40 / 3, 50 / 3, 55 / 3, 25, 27.5]
    assert rows == pytest.approx(expected)


def test_window_value_range(obs):
    rows = run(
        obs,
        "FOR t IN observations WINDOW t.val WITH { preceding: 10, following: 5 } "
        "AGGREGATE rollingSum = SUM(t.val), values = PUSH(t.val) RETURN [t.val, rollingSum, values]",
    )
    by_val = {(r[0], r[1]) for r in rows}
    assert len(rows) == 9
    assert by_val == {(0, 5), (5, 34), (9, 34), (10, 34), (20, 90), (25, 100), (30, 100)}
    assert [r[0] for r in rows] == [0, 5, 9, 10, 10, 20, 25, 25, 30]


def test_window_per_group_in_subquery(obs):
    rows = run(
        obs,
        "FOR t IN observations COLLECT subject = t.subject INTO group = t "
        "LET sub = (FOR t2 IN group SORT t2.time WINDOW { preceding: 'unbounded', following: 0 } "
        "AGGREGATE c = SUM(t2.val) RETURN c) RETURN [subject, sub]",
    )
    assert rows == [["st113", [10, 19, 44, 64]], ["xh458", [0, 10, 15, 45, 70]]]


@pytest.mark.parametrize(
    "spec",
    ["{ preceding: 1, other: 2 }", "{ }", "{ preceding: 1, preceding: 2 }"],
)
def test_window_rejects_invalid_specifications(obs, spec):
    query = f"FOR t IN observations WINDOW {spec} AGGREGATE s = SUM(t.val) RETURN s"
    with pytest.raises(ArangoMLMetaError):
        obs.query(query)


# --------------------------------------------------------------------------- joins and subqueries


def test_inner_join(db):
    rows = run(
        db,
        "FOR u IN users FOR o IN orders FILTER o.user == u._key SORT o._key "
        "RETURN [u.name, o.amount]",
    )
    assert rows == [["Abigail", 10], ["Fred", 5], ["Abigail", 7]]


def test_join_preserves_outer_then_inner_order(db):
    rows = run(db, "FOR u IN users FOR o IN orders FILTER o.user == u._key RETURN o._key")
    assert rows == ["o1", "o3", "o2"]


def test_left_join_with_subquery(db):
    rows = run(
        db,
        "FOR u IN users LET total = SUM(FOR o IN orders FILTER o.user == u._key RETURN o.amount) "
        "RETURN [u._key, total]",
    )
    assert rows == [["u1", 17], ["u2", 5], ["u3", 0], ["u4", 0], ["u5", 0]]


def test_semi_join_with_in(db):
    rows = run(
        db,
        "LET buyers = (FOR o IN orders RETURN o.user) FOR u IN users FILTER u._key IN buyers RETURN u.name",
    )
    assert rows == ["Abigail", "Fred"]


def test_subquery_with_limit_and_sort(db):
    rows = run(db, "RETURN (FOR u IN users SORT u.age DESC LIMIT 1 RETURN u.name)[0]")
    assert rows == ["John"]


def test_correlated_subquery_runs_per_row(db):
    rows = run(db, "FOR x IN 1..3 LET s = (FOR y IN 1..x RETURN y) RETURN LENGTH(s)")
    assert rows == [1, 2, 3]


def test_first_of_empty_subquery_is_null(db):
    assert run(db, "RETURN FIRST(FOR u IN users FILTER u.age > 100 RETURN u)") == [None]


# --------------------------------------------------------------------------- arithmetic and casts


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 'a'", 1),
        ("1 + '99'", 100),
        ("1 + null", 1),
        ("null + 1", 1),
        ("3 + []", 3),
        ("24 + [2]", 26),
        ("24 + [2, 4]", 24),
        ("25 - null", 25),
        ("17 - true", 16),
        ("23 * {}", 0),
        ("5 * [7]", 35),
        ("24 / '12'", 2),
        ("1 - 'a'", 1),
        ("'a' - 1", -1),
        ("-'1.5'", -1.5),
        ("+'  1  '", 1),
        ("'10' * '3'", 30),
        ("true + true", 2),
        ("[' 5 '] * 2", 10),
        ("13.0 / 0.1", 130),
        ("23 % 7", 2),
        ("-7 % 3", -1),
        ("5.5 % 2", 1.5),
        ("1 / 4", 0.25),
        ("0.1 + 0.2", 0.1 + 0.2),
    ],
)
def test_arithmetic_with_implicit_casts(expression, expected):
    assert value(expression) == expected


def test_string_plus_string_is_not_concatenation():
    assert value("'foo' + 'bar'") == 0


@pytest.mark.parametrize("expression", ["1 / 0", "1 % 0", "0 / 0", "5 / null", "5 / 'x'", "5 / []"])
def test_division_by_zero_is_null_with_a_warning(expression):
    with make_db() as db:
        result = db.query(f"RETURN {expression}")
    assert list(result) == [None]
    assert [w["code"] for w in result.warnings] == [1562]


def test_warnings_are_per_query():
    with make_db() as db:
        first = db.query("RETURN 1 / 0")
        second = db.query("RETURN 1 / 1")
    assert len(first.warnings) == 1
    assert second.warnings == []


def test_each_failing_row_warns():
    with make_db() as db:
        result = db.query("FOR x IN [0, 1, 0] RETURN 1 / x")
    assert list(result) == [None, 1, None]
    assert [w["code"] for w in result.warnings] == [1562, 1562]


def test_arithmetic_overflow_is_null():
    with make_db() as db:
        result = db.query("RETURN 1e308 * 10")
    assert list(result) == [None]


def test_integer_results_stay_integers():
    assert type(value("2 * 3")) is int
    assert value("4 / 2") == 2


# --------------------------------------------------------------------------- value access


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("null.a", None),
        ("(1).a", None),
        ("'str'.a", None),
        ("true.a", None),
        ("[1, 2].a", None),
        ("{a: 1}.a.b", None),
        ("{a: [1, 2]}.a.b", None),
        ("null[0]", None),
        ("'abc'[0]", None),
        ("{a: 1}[0]", None),
        ("[1, 2, 3][-1]", 3),
        ("[1, 2, 3][-3]", 1),
        ("[1, 2, 3][-4]", None),
        ("[1, 2, 3][3]", None),
        ("[[1, 2], [3]][-1][-1]", 3),
        ("{a: {b: [10, 20]}}.a.b[-2]", 10),
    ],
)
def test_access_on_non_matching_values_is_null(expression, expected):
    assert value(expression) == expected


def test_attribute_access_on_documents(db):
    rows = run(db, "FOR u IN users FILTER u._key == 'u5' RETURN [u.city, u.name[0], u.city.x]")
    assert rows == [[None, None, None]]


# --------------------------------------------------------------------------- strings


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("'A' < 'a'", True),
        ("'a' < 'b'", True),
        ("'abc' < 'abd'", True),
        ("'ab' < 'abc'", True),
        ("'' < 'a'", True),
        ("'a' == 'A'", False),
        ("'10' < '9'", True),
        ("'Z' > 'A'", True),
    ],
)
def test_string_comparison(expression, expected):
    assert value(expression) is expected


def test_string_order_is_alphabetical_with_upper_case_first():
    # "string values are ordered using a localized comparison"; the server sets
    # ICU's UCOL_UPPER_FIRST, so A < a < B < b (arangodb/arangodb#19526)
    with make_db() as db:
        assert run(db, "FOR s IN ['b', 'B', 'a', 'A'] SORT s RETURN s") == ["A", "a", "B", "b"]


# --------------------------------------------------------------------------- bind parameters


def test_value_bind_parameters(db):
    rows = run(
        db,
        "FOR u IN users FILTER u.age == @age && u.city == @city RETURN u.name",
        age=36,
        city="Berlin",
    )
    assert rows == ["Abigail", "Mary"]


@pytest.mark.parametrize("bound", [None, True, 1, 1.5, "s", [1, [2]], {"a": {"b": None}}])
def test_bind_parameters_carry_any_json_value(bound):
    assert value("@v", v=bound) == bound


def test_collection_bind_parameter(db):
    assert len(run(db, "FOR d IN @@coll RETURN d", **{"@coll": "orders"})) == 4


def test_same_bind_parameter_used_twice(db):
    assert run(db, "RETURN [@x, @x + 1]", x=1) == [[1, 2]]


def test_missing_bind_parameter(db):
    assert query_error(db, "FOR u IN [1, 2] RETURN @value") == 1551
    assert query_error(db, "RETURN @value1 + @value2", value1=1) == 1551


def test_missing_collection_bind_parameter(db):
    assert query_error(db, "FOR d IN @@coll RETURN d") == 1551


def test_unused_bind_parameter(db):
    assert query_error(db, "FOR u IN [1, 2] RETURN 1", value=1) == 1552


def test_value_given_for_collection_parameter_name_is_unused(db):
    # "@coll" and "coll" are different parameters
    assert query_error(db, "FOR d IN @@coll RETURN d", coll="orders") in (1551, 1552)


def test_collection_bind_parameter_naming_missing_collection(db):
    assert query_error(db, "FOR d IN @@coll RETURN d", **{"@coll": "nope"}) == 1203


@pytest.mark.parametrize("bad", [1, None, ["users"], {"a": 1}])
def test_collection_bind_parameter_must_be_a_string(db, bad):
    assert query_error(db, "FOR d IN @@coll RETURN d", **{"@coll": bad}) == 1553


def test_bind_parameter_is_a_value_not_code(db):
    assert run(db, "RETURN @x", x="1 + 1") == ["1 + 1"]


def test_quoted_bind_parameter_is_a_string(db):
    assert run(db, "RETURN '@name'") == ["@name"]


def test_unknown_collection(db):
    assert query_error(db, "FOR d IN nope RETURN d") == 1203


def test_collection_used_as_expression_operand(db):
    assert error_num(db.query, "RETURN users + 1") == 1568
