"""AQL array functions, from ArangoDB 3.12's documented semantics."""

from __future__ import annotations

import pytest

from arangoml_meta.embedded.functions import REGISTRY, lookup
from arangoml_meta.embedded.functions import arrays as module
from arangoml_meta.errors import QueryError

from .conftest import call_function, call_with_warnings

TYPE_MISMATCH = 1542
ARRAY_EXPECTED = 1563


MODULE_FUNCTIONS = {
    name for name, spec in REGISTRY.items() if spec.impl.__module__ == module.__name__
}


def warning_codes(name: str, *args: object) -> list[int]:
    return [code for code, _ in call_with_warnings(name, *args)[1]]


# --------------------------------------------------------------------------- registration


@pytest.mark.parametrize(
    ("alias", "target"),
    [
        ("COUNT", "LENGTH"),
        ("CONTAINS_ARRAY", "POSITION"),
        ("COUNT_UNIQUE", "COUNT_DISTINCT"),
    ],
)
def test_aliases_share_the_implementation(alias: str, target: str) -> None:
    assert lookup(alias) is lookup(target)


# --------------------------------------------------------------------------- FIRST / LAST / NTH


def test_first_returns_first_element() -> None:
    assert call_function("FIRST", [1, 2, 3]) == 1


def test_first_of_empty_array_is_null_without_warning() -> None:
    assert call_with_warnings("FIRST", []) == (None, [])


def test_first_of_non_array_is_null_with_array_expected_warning() -> None:
    result, warnings = call_with_warnings("FIRST", "abc")
    assert result is None
    assert warnings == [(ARRAY_EXPECTED, "in function 'FIRST()': array expected")]


def test_last_returns_last_element() -> None:
    assert call_function("LAST", [1, 2, 3, 4, 5]) == 5


def test_last_of_empty_array_is_null() -> None:
    assert call_function("LAST", []) is None


def test_last_of_null_warns() -> None:
    assert warning_codes("LAST", None) == [ARRAY_EXPECTED]


def test_nth_returns_element_at_position() -> None:
    assert call_function("NTH", ["foo", "bar", "baz"], 2) == "baz"


def test_nth_beyond_end_is_null() -> None:
    assert call_function("NTH", ["foo", "bar", "baz"], 3) is None


def test_nth_negative_position_is_null() -> None:
    assert call_function("NTH", ["foo", "bar", "baz"], -1) is None


def test_nth_casts_position_to_integer() -> None:
    assert call_function("NTH", ["a", "b", "c"], "1.9") == "b"


def test_nth_of_object_warns() -> None:
    assert warning_codes("NTH", {"a": 1}, 0) == [ARRAY_EXPECTED]


# --------------------------------------------------------------------------- POSITION


def test_position_reports_membership() -> None:
    assert call_function("POSITION", [2, 4, 6, 8], 4) is True


def test_position_reports_absence() -> None:
    assert call_function("POSITION", [2, 4, 6, 8], 5) is False


def test_position_returns_index_when_asked() -> None:
    assert call_function("POSITION", [2, 4, 6, 8], 4, True) == 1


def test_position_returns_minus_one_when_missing_and_index_asked() -> None:
    assert call_function("POSITION", [2, 4, 6, 8], 5, True) == -1


def test_position_compares_numbers_by_value() -> None:
    assert call_function("POSITION", [1.0, 2.0], 2, True) == 1


def test_position_does_not_equate_bool_and_number() -> None:
    assert call_function("POSITION", [True], 1) is False


def test_position_finds_objects_by_value() -> None:
    assert call_function("POSITION", [{"a": 1}, {"a": 2, "b": None}], {"a": 2}, True) == 1


def test_contains_array_on_non_array_warns() -> None:
    result, warnings = call_with_warnings("CONTAINS_ARRAY", "abc", "a")
    assert result is None
    assert warnings == [(ARRAY_EXPECTED, "in function 'POSITION()': array expected")]


# --------------------------------------------------------------------------- LENGTH


def test_length_of_array_counts_elements() -> None:
    assert call_function("LENGTH", [1, 2, 3, 4, 5, 6, 7]) == 7


def test_length_of_string_counts_characters_not_bytes() -> None:
    assert call_function("LENGTH", "电脑坏了") == 4


def test_length_of_emoji_is_one() -> None:
    assert call_function("LENGTH", "🥑") == 1


def test_length_of_object_counts_top_level_attributes() -> None:
    assert call_function("LENGTH", {"a": 1, "b": 2, "c": {"d": 3, "e": 4}}) == 3


def test_length_of_integer_counts_digits() -> None:
    assert call_function("LENGTH", 1234) == 4


def test_length_of_negative_decimal_counts_sign_and_point() -> None:
    assert call_function("LENGTH", -1.5) == 4


def test_length_of_small_decimal_counts_leading_zero() -> None:
    assert call_function("LENGTH", 0.001) == 5


def test_length_of_huge_number_counts_exponent_form() -> None:
    assert call_function("LENGTH", 1e21) == 5


def test_length_of_true_is_one() -> None:
    assert call_function("LENGTH", True) == 1


def test_length_of_false_is_zero() -> None:
    assert call_function("LENGTH", False) == 0


def test_length_of_null_is_zero() -> None:
    assert call_with_warnings("LENGTH", None) == (0, [])


def test_count_measures_like_length() -> None:
    assert call_function("COUNT", [None, None]) == 2


# --------------------------------------------------------------------------- REVERSE


def test_reverse_array() -> None:
    assert call_function("REVERSE", [2, 4, 6, 8, 10]) == [10, 8, 6, 4, 2]


def test_reverse_string() -> None:
    assert call_function("REVERSE", "foobar") == "raboof"


def test_reverse_does_not_modify_its_argument() -> None:
    value = [1, 2, 3]
    call_function("REVERSE", value)
    assert value == [1, 2, 3]


def test_reverse_of_number_warns() -> None:
    assert call_with_warnings("REVERSE", 12)[0] is None
    assert warning_codes("REVERSE", 12) == [ARRAY_EXPECTED]


# --------------------------------------------------------------------------- SLICE


def test_slice_start_and_length() -> None:
    assert call_function("SLICE", [1, 2, 3, 4, 5], 1, 2) == [2, 3]


def test_slice_without_length_runs_to_end() -> None:
    assert call_function("SLICE", [1, 2, 3, 4, 5], 3) == [4, 5]


def test_slice_null_length_runs_to_end() -> None:
    assert call_function("SLICE", [1, 2, 3, 4, 5], 3, None) == [4, 5]


def test_slice_negative_length_is_exclusive_end_from_back() -> None:
    assert call_function("SLICE", [1, 2, 3, 4, 5], 1, -1) == [2, 3, 4]


def test_slice_negative_start_counts_from_end() -> None:
    assert call_function("SLICE", [1, 2, 3, 4, 5], -3, 2) == [3, 4]


def test_slice_start_far_before_begin_clamps_to_zero() -> None:
    assert call_function("SLICE", [1, 2, 3], -10, 2) == [1, 2]


def test_slice_start_beyond_end_is_empty() -> None:
    assert call_function("SLICE", [1, 2, 3], 5) == []


def test_slice_of_non_array_warns_type_mismatch() -> None:
    result, warnings = call_with_warnings("SLICE", "abc", 0)
    assert result is None
    assert warnings == [(TYPE_MISMATCH, "invalid argument type in call to function 'SLICE()'")]


# --------------------------------------------------------------------------- FLATTEN


def test_flatten_one_level_by_default() -> None:
    value = [1, 2, [3, 4], 5, [6, 7], [8, [9, 10]]]
    assert call_function("FLATTEN", value) == [1, 2, 3, 4, 5, 6, 7, 8, [9, 10]]


def test_flatten_to_given_depth() -> None:
    value = [1, 2, [3, 4], 5, [6, 7], [8, [9, 10]]]
    assert call_function("FLATTEN", value, 2) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]


def test_flatten_depth_below_one_means_one() -> None:
    assert call_function("FLATTEN", [[1, [2]]], 0) == [1, [2]]


def test_flatten_handles_very_deep_nesting() -> None:
    deep: list[object] = [1]
    for _ in range(5000):
        deep = [deep]
    assert call_function("FLATTEN", deep, 10000) == [1]


def test_flatten_of_non_array_warns() -> None:
    assert warning_codes("FLATTEN", "x") == [ARRAY_EXPECTED]


# --------------------------------------------------------------------------- PUSH / APPEND / UNSHIFT


def test_push_appends_value() -> None:
    assert call_function("PUSH", [1, 2, 3], 4) == [1, 2, 3, 4]


def test_push_unique_skips_present_value_but_keeps_existing_duplicates() -> None:
    assert call_function("PUSH", [1, 2, 2, 3], 2, True) == [1, 2, 2, 3]


def test_push_array_value_is_one_element() -> None:
    assert call_function("PUSH", [1], [2, 3]) == [1, [2, 3]]


def test_push_onto_null_makes_array() -> None:
    assert call_function("PUSH", None, 1) == [1]


def test_push_onto_string_warns_type_mismatch() -> None:
    assert warning_codes("PUSH", "abc", 1) == [TYPE_MISMATCH]


def test_append_array_elements() -> None:
    assert call_function("APPEND", [1, 2, 3], [5, 6, 9]) == [1, 2, 3, 5, 6, 9]


def test_append_unique_removes_duplicates() -> None:
    assert call_function("APPEND", [1, 2, 3], [3, 4, 5, 2, 9], True) == [1, 2, 3, 4, 5, 9]


def test_append_unique_also_dedupes_first_array() -> None:
    assert call_function("APPEND", [1, 1], [2], True) == [1, 2]


def test_append_single_value() -> None:
    assert call_function("APPEND", [1, 2], 3) == [1, 2, 3]


def test_append_null_returns_first_argument_unchanged() -> None:
    assert call_function("APPEND", [1, 1], None, True) == [1, 1]


def test_append_to_null_returns_second_argument() -> None:
    assert call_function("APPEND", None, [1, 2]) == [1, 2]


def test_append_to_number_warns() -> None:
    assert warning_codes("APPEND", 5, [1]) == [TYPE_MISMATCH]


def test_unshift_prepends_value() -> None:
    assert call_function("UNSHIFT", [1, 2, 3], 4) == [4, 1, 2, 3]


def test_unshift_unique_skips_present_value() -> None:
    assert call_function("UNSHIFT", [1, 2, 3], 2, True) == [1, 2, 3]


def test_unshift_onto_null_makes_array() -> None:
    assert call_function("UNSHIFT", None, 1) == [1]


def test_unshift_onto_object_warns() -> None:
    assert warning_codes("UNSHIFT", {}, 1) == [TYPE_MISMATCH]


# --------------------------------------------------------------------------- POP / SHIFT


def test_pop_removes_last_element() -> None:
    assert call_function("POP", [1, 2, 3, 4]) == [1, 2, 3]


def test_pop_of_single_element_is_empty() -> None:
    assert call_function("POP", [1]) == []


def test_pop_of_empty_is_empty() -> None:
    assert call_function("POP", []) == []


def test_pop_of_null_is_null_without_warning() -> None:
    assert call_with_warnings("POP", None) == (None, [])


def test_pop_of_string_warns() -> None:
    assert warning_codes("POP", "ab") == [TYPE_MISMATCH]


def test_shift_removes_first_element() -> None:
    assert call_function("SHIFT", [1, 2, 3, 4]) == [2, 3, 4]


def test_shift_of_single_element_is_empty() -> None:
    assert call_function("SHIFT", [1]) == []


def test_shift_of_null_is_null() -> None:
    assert call_with_warnings("SHIFT", None) == (None, [])


def test_shift_of_number_warns() -> None:
    assert warning_codes("SHIFT", 1) == [TYPE_MISMATCH]


# --------------------------------------------------------------------------- REMOVE_*


def test_remove_value_removes_all_occurrences() -> None:
    assert call_function("REMOVE_VALUE", ["a", "b", "b", "a", "c"], "a") == ["b", "b", "c"]


def test_remove_value_respects_limit() -> None:
    assert call_function("REMOVE_VALUE", ["a", "b", "b", "a", "c"], "a", 1) == ["b", "b", "a", "c"]


def test_remove_value_limit_zero_removes_nothing() -> None:
    assert call_function("REMOVE_VALUE", ["a", "a"], "a", 0) == ["a", "a"]


def test_remove_value_null_limit_removes_all() -> None:
    assert call_function("REMOVE_VALUE", ["a", "a"], "a", None) == []


def test_remove_value_from_null_is_empty_array() -> None:
    assert call_function("REMOVE_VALUE", None, "a") == []


def test_remove_value_from_string_warns() -> None:
    assert warning_codes("REMOVE_VALUE", "abc", "a") == [TYPE_MISMATCH]


def test_remove_values_removes_every_listed_value() -> None:
    value = ["a", "a", "b", "c", "d", "e", "f"]
    assert call_function("REMOVE_VALUES", value, ["a", "f", "d"]) == ["b", "c", "e"]


def test_remove_values_null_values_returns_array() -> None:
    assert call_function("REMOVE_VALUES", [1, 2], None) == [1, 2]


def test_remove_values_from_null_is_empty_array() -> None:
    assert call_function("REMOVE_VALUES", None, [1]) == []


def test_remove_values_with_non_array_values_warns() -> None:
    assert warning_codes("REMOVE_VALUES", [1, 2], 1) == [TYPE_MISMATCH]


def test_remove_nth_removes_position() -> None:
    assert call_function("REMOVE_NTH", ["a", "b", "c", "d", "e"], 1) == ["a", "c", "d", "e"]


def test_remove_nth_negative_position_counts_from_end() -> None:
    assert call_function("REMOVE_NTH", ["a", "b", "c", "d", "e"], -2) == ["a", "b", "c", "e"]


def test_remove_nth_out_of_bounds_returns_array_unchanged() -> None:
    assert call_function("REMOVE_NTH", ["a", "b"], 2) == ["a", "b"]


def test_remove_nth_negative_out_of_bounds_returns_array_unchanged() -> None:
    assert call_function("REMOVE_NTH", ["a", "b"], -3) == ["a", "b"]


def test_remove_nth_from_null_is_empty_array() -> None:
    assert call_function("REMOVE_NTH", None, 0) == []


def test_remove_nth_from_string_warns() -> None:
    assert warning_codes("REMOVE_NTH", "ab", 0) == [TYPE_MISMATCH]


# --------------------------------------------------------------------------- REPLACE_NTH


def test_replace_nth_replaces_position() -> None:
    assert call_function("REPLACE_NTH", ["a", "b", "c"], 1, "z") == ["a", "z", "c"]


def test_replace_nth_at_length_appends() -> None:
    assert call_function("REPLACE_NTH", ["a", "b", "c"], 3, "z") == ["a", "b", "c", "z"]


def test_replace_nth_beyond_length_pads() -> None:
    result = call_function("REPLACE_NTH", ["a", "b", "c"], 6, "z", "y")
    assert result == ["a", "b", "c", "y", "y", "y", "z"]


def test_replace_nth_negative_position_counts_from_end() -> None:
    assert call_function("REPLACE_NTH", ["a", "b", "c"], -1, "z") == ["a", "b", "z"]


def test_replace_nth_negative_out_of_bounds_replaces_first() -> None:
    assert call_function("REPLACE_NTH", ["a", "b", "c"], -9, "z") == ["z", "b", "c"]


def test_replace_nth_beyond_length_without_padding_fails_query() -> None:
    with pytest.raises(QueryError) as info:
        call_function("REPLACE_NTH", ["a", "b", "c"], 6, "z")
    assert info.value.error_num == TYPE_MISMATCH


def test_replace_nth_null_position_fails_query() -> None:
    with pytest.raises(QueryError):
        call_function("REPLACE_NTH", ["a"], None, "z")


def test_replace_nth_on_non_array_warns() -> None:
    assert warning_codes("REPLACE_NTH", "abc", 0, "z") == [TYPE_MISMATCH]


# --------------------------------------------------------------------------- INTERLEAVE


def test_interleave_round_robin() -> None:
    assert call_function("INTERLEAVE", [1, 1, 1], [2, 2, 2], [3, 3, 3]) == [1, 2, 3] * 3


def test_interleave_uneven_lengths() -> None:
    assert call_function("INTERLEAVE", [1], [2, 2], [3, 3, 3]) == [1, 2, 3, 2, 3, 3]


def test_interleave_with_non_array_warns() -> None:
    assert warning_codes("INTERLEAVE", [1], "a") == [ARRAY_EXPECTED]


# --------------------------------------------------------------------------- set operations


def test_union_keeps_duplicates() -> None:
    assert call_function("UNION", [1, 2, 3], [1, 2]) == [1, 2, 3, 1, 2]


def test_union_with_non_array_warns_type_mismatch() -> None:
    assert warning_codes("UNION", [1], None) == [TYPE_MISMATCH]


def test_union_distinct_removes_duplicates() -> None:
    assert sorted(call_function("UNION_DISTINCT", [1, 2, 3], [1, 2])) == [1, 2, 3]


def test_union_distinct_treats_int_and_float_as_equal() -> None:
    assert call_function("UNION_DISTINCT", [1], [1.0]) == [1]


def test_intersection_keeps_common_elements() -> None:
    result = call_function("INTERSECTION", [1, 2, 3, 4, 5], [2, 3, 4, 5, 6], [3, 4, 5, 6, 7])
    assert sorted(result) == [3, 4, 5]


def test_intersection_of_disjoint_arrays_is_empty() -> None:
    assert call_function("INTERSECTION", [2, 4, 6], [8, 10, 12], [14, 16, 18]) == []


def test_intersection_removes_duplicates() -> None:
    assert call_function("INTERSECTION", [1, 1, 2], [1, 1]) == [1]


def test_intersection_requires_presence_in_every_array() -> None:
    assert call_function("INTERSECTION", [1, 2], [3], [1, 2]) == []


def test_intersection_with_non_array_warns() -> None:
    assert warning_codes("INTERSECTION", [1], 1) == [ARRAY_EXPECTED]


def test_outersection_keeps_values_occurring_once() -> None:
    result = call_function("OUTERSECTION", [1, 2, 3], [2, 3, 4], [3, 4, 5])
    assert sorted(result) == [1, 5]


def test_outersection_counts_duplicates_within_one_array() -> None:
    assert call_function("OUTERSECTION", [1, 1], [2]) == [2]


def test_minus_removes_values_of_later_arrays() -> None:
    result = call_function("MINUS", [1, 2, 3, 4], [3, 4, 5, 6], [5, 6, 7, 8])
    assert sorted(result) == [1, 2]


def test_minus_removes_duplicates() -> None:
    assert call_function("MINUS", [1, 1, 2], [2]) == [1]


def test_minus_with_non_array_warns_type_mismatch() -> None:
    assert warning_codes("MINUS", [1], "x") == [TYPE_MISMATCH]


def test_jaccard_index() -> None:
    assert call_function("JACCARD", [1, 2, 3, 4], [3, 4, 5, 6]) == pytest.approx(1 / 3)


def test_jaccard_ignores_duplicates() -> None:
    assert call_function("JACCARD", [1, 1, 2, 2, 2, 3], [2, 2, 3, 4]) == 0.5


def test_jaccard_with_one_empty_array_is_zero() -> None:
    assert call_function("JACCARD", [1, 2, 3], []) == 0


def test_jaccard_of_two_empty_arrays_is_one() -> None:
    assert call_function("JACCARD", [], []) == 1


def test_jaccard_of_non_array_warns() -> None:
    assert warning_codes("JACCARD", [1], {}) == [ARRAY_EXPECTED]


# --------------------------------------------------------------------------- distinct and sorted


def test_count_distinct_counts_distinct_values() -> None:
    assert call_function("COUNT_DISTINCT", ["yes", "no", "yes", "sauron", "no", "yes"]) == 3


def test_count_distinct_counts_null_as_a_value() -> None:
    assert call_function("COUNT_DISTINCT", [None, None, 1]) == 2


def test_count_distinct_of_empty_array_is_zero() -> None:
    assert call_function("COUNT_DISTINCT", []) == 0


def test_count_distinct_of_non_array_warns() -> None:
    assert warning_codes("COUNT_UNIQUE", "abc") == [ARRAY_EXPECTED]


def test_unique_keeps_first_occurrences_in_order() -> None:
    assert call_function("UNIQUE", [3, 1, 3, 2, 1]) == [3, 1, 2]


def test_unique_compares_objects_by_value() -> None:
    assert call_function("UNIQUE", [{"a": 1, "b": 2}, {"b": 2, "a": 1}]) == [{"a": 1, "b": 2}]


def test_unique_keeps_null() -> None:
    assert call_function("UNIQUE", [None, None]) == [None]


def test_sorted_sorts_numbers() -> None:
    assert call_function("SORTED", [8, 4, 2, 10, 6]) == [2, 4, 6, 8, 10]


def test_sorted_uses_type_order() -> None:
    value = [{}, [], "a", 1, True, None]
    assert call_function("SORTED", value) == [None, True, 1, "a", [], {}]


def test_sorted_keeps_duplicates() -> None:
    assert call_function("SORTED", [2, 1, 2]) == [1, 2, 2]


def test_sorted_of_non_array_warns() -> None:
    assert warning_codes("SORTED", 3) == [ARRAY_EXPECTED]


def test_sorted_unique_sorts_and_dedupes() -> None:
    assert call_function("SORTED_UNIQUE", [8, 4, 2, 10, 6, 2, 8, 6, 4]) == [2, 4, 6, 8, 10]


def test_sorted_unique_treats_int_and_float_as_one() -> None:
    assert call_function("SORTED_UNIQUE", [1.0, 1]) == [1.0]


def test_sorted_unique_keeps_null() -> None:
    assert call_function("SORTED_UNIQUE", [1, None, None]) == [None, 1]


# --------------------------------------------------------------------------- robustness


def test_deeply_nested_values_give_null_and_a_warning() -> None:
    deep: list[object] = [1]
    for _ in range(100_000):
        deep = [deep]
    result, warnings = call_with_warnings("UNIQUE", [deep, deep])
    assert result is None
    assert [code for code, _ in warnings] == [TYPE_MISMATCH]
