"""AQL numeric and bit functions, from ArangoDB 3.12's documented semantics."""

from __future__ import annotations

import math

import pytest

from arangoml_meta.embedded.functions import REGISTRY, lookup
from arangoml_meta.embedded.functions import numeric as module

from .conftest import call_function, call_with_warnings

NUMBER_OUT_OF_RANGE = 1504
TYPE_MISMATCH = 1542
ARITHMETIC = 1561
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
        ("AVG", "AVERAGE"),
        ("STDDEV", "STDDEV_POPULATION"),
        ("VARIANCE", "VARIANCE_POPULATION"),
    ],
)
def test_aliases_share_the_implementation(alias: str, target: str) -> None:
    assert lookup(alias) is lookup(target)


def test_rand_is_not_deterministic() -> None:
    spec = lookup("RAND")
    assert spec is not None
    assert spec.deterministic is False


def test_in_range_takes_exactly_five_arguments() -> None:
    spec = lookup("IN_RANGE")
    assert spec is not None
    assert (spec.min_args, spec.max_args) == (5, 5)


# --------------------------------------------------------------------------- math


def test_abs_of_negative() -> None:
    assert call_function("ABS", -5) == 5


def test_abs_keeps_fraction() -> None:
    assert call_function("ABS", 3.5) == 3.5


def test_abs_casts_numeric_string() -> None:
    assert call_function("ABS", "-2") == 2


def test_abs_of_non_numeric_string_is_zero() -> None:
    assert call_with_warnings("ABS", "foo") == (0, [])


def test_acos_in_range() -> None:
    assert call_function("ACOS", -1) == math.pi


def test_acos_out_of_range_is_null() -> None:
    assert call_function("ACOS", 2) is None


def test_asin_out_of_range_is_null() -> None:
    assert call_function("ASIN", 2) is None


def test_atan() -> None:
    assert call_function("ATAN", 10) == 1.4711276743037347


def test_atan2_of_zeros_is_zero() -> None:
    assert call_function("ATAN2", 0, 0) == 0


def test_atan2_uses_quadrant() -> None:
    assert call_function("ATAN2", -10, 20) == -0.4636476090008061


def test_ceil_of_negative_half() -> None:
    assert call_function("CEIL", -2.5) == -2


def test_ceil_returns_integer() -> None:
    assert call_function("CEIL", 2.49) == 3


def test_floor_of_negative_half() -> None:
    assert call_function("FLOOR", -2.5) == -3


def test_round_half_up() -> None:
    assert call_function("ROUND", 2.5) == 3


def test_round_negative_half_rounds_toward_positive_infinity() -> None:
    assert call_function("ROUND", -2.5) == -2


def test_round_below_half() -> None:
    assert call_function("ROUND", -2.51) == -3


def test_cos() -> None:
    assert call_function("COS", 1) == 0.5403023058681398


def test_sin_of_zero() -> None:
    assert call_function("SIN", 0) == 0


def test_tan() -> None:
    assert call_function("TAN", 5) == -3.380515006246586


def test_degrees() -> None:
    assert call_function("DEGREES", math.pi) == 180


def test_radians() -> None:
    assert call_function("RADIANS", 180) == math.pi


def test_exp() -> None:
    assert call_function("EXP", 1) == math.e


def test_exp_overflow_is_null() -> None:
    assert call_function("EXP", 1000) is None


def test_exp2() -> None:
    assert call_function("EXP2", 16) == 65536


def test_log_of_e_is_one() -> None:
    assert call_function("LOG", math.e) == 1


def test_log_of_zero_is_null() -> None:
    assert call_function("LOG", 0) is None


def test_log_of_negative_is_null() -> None:
    assert call_function("LOG", -1) is None


def test_log2() -> None:
    assert call_function("LOG2", 1024) == 10


def test_log10() -> None:
    assert call_function("LOG10", 10000) == 4


def test_log10_of_zero_is_null() -> None:
    assert call_function("LOG10", 0) is None


def test_sqrt() -> None:
    assert call_function("SQRT", 9) == 3


def test_sqrt_of_negative_is_null() -> None:
    assert call_function("SQRT", -1) is None


def test_pow() -> None:
    assert call_function("POW", 2, 4) == 16


def test_pow_negative_exponent() -> None:
    assert call_function("POW", 5, -1) == 0.2


def test_pow_of_zero_to_negative_is_null() -> None:
    assert call_function("POW", 0, -1) is None


def test_pow_fractional_root_of_negative_is_null() -> None:
    assert call_function("POW", -8, 1 / 3) is None


def test_pow_overflow_is_null() -> None:
    assert call_function("POW", 10, 400) is None


def test_pi() -> None:
    assert call_function("PI") == 3.141592653589793


def test_rand_is_between_zero_and_one() -> None:
    value = call_function("RAND")
    assert 0 <= value < 1


# --------------------------------------------------------------------------- MIN / MAX


def test_min_ignores_null() -> None:
    assert call_function("MIN", [5, 9, -2, None, 1]) == -2


def test_min_of_nulls_is_null() -> None:
    assert call_function("MIN", [None, None]) is None


def test_min_of_empty_is_null() -> None:
    assert call_function("MIN", []) is None


def test_min_uses_type_order() -> None:
    assert call_function("MIN", ["foo", True, [], False, {}, 9999, -9999, None]) is False


def test_max_uses_type_order() -> None:
    value = ["foo", True, [], False, {}, {"zzz": 15}, {"zzz": 2}, 9999]
    assert call_function("MAX", value) == {"zzz": 15}


def test_max_ignores_null() -> None:
    assert call_function("MAX", [None, -1]) == -1


def test_max_of_nulls_is_null() -> None:
    assert call_function("MAX", [None, None]) is None


def test_max_of_non_array_warns() -> None:
    assert warning_codes("MAX", 5) == [ARRAY_EXPECTED]


# --------------------------------------------------------------------------- SUM / PRODUCT / AVERAGE


def test_sum() -> None:
    assert call_function("SUM", [1, 2, 3, 4]) == 10


def test_sum_ignores_null() -> None:
    assert call_function("SUM", [None, -5, 6]) == 1


def test_sum_of_empty_is_zero() -> None:
    assert call_function("SUM", []) == 0


def test_sum_of_nulls_is_zero() -> None:
    assert call_function("SUM", [None, None]) == 0


def test_sum_with_non_number_is_null_without_warning() -> None:
    assert call_with_warnings("SUM", [1, "2"]) == (None, [])


def test_sum_adds_as_doubles() -> None:
    assert call_function("SUM", [0.1, 0.2]) == 0.30000000000000004


def test_sum_of_non_array_warns() -> None:
    assert warning_codes("SUM", 1) == [ARRAY_EXPECTED]


def test_product() -> None:
    assert call_function("PRODUCT", [1, 2, 3, 4]) == 24


def test_product_ignores_null() -> None:
    assert call_function("PRODUCT", [None, -5, 6]) == -30


def test_product_of_empty_is_one() -> None:
    assert call_function("PRODUCT", []) == 1


def test_average() -> None:
    assert call_function("AVERAGE", [5, 2, 9, 2]) == 4.5


def test_average_ignores_null() -> None:
    assert call_function("AVG", [None, 1, 3]) == 2


def test_average_of_empty_is_null() -> None:
    assert call_function("AVERAGE", []) is None


def test_average_of_nulls_is_null() -> None:
    assert call_function("AVERAGE", [None]) is None


def test_average_with_string_is_null_with_warning() -> None:
    result, warnings = call_with_warnings("AVERAGE", ["-42.5foo"])
    assert result is None
    assert [code for code, _ in warnings] == [ARRAY_EXPECTED]


# --------------------------------------------------------------------------- statistics


def test_median_odd_count() -> None:
    assert call_function("MEDIAN", [1, 2, 3]) == 2


def test_median_even_count_averages_middle() -> None:
    assert call_function("MEDIAN", [4, 2, 3, 1]) == 2.5


def test_median_ignores_null() -> None:
    assert call_function("MEDIAN", [None, 7]) == 7


def test_median_of_empty_is_null() -> None:
    assert call_function("MEDIAN", []) is None


def test_median_with_string_warns_arithmetic() -> None:
    assert warning_codes("MEDIAN", [1, "a"]) == [ARITHMETIC]


def test_percentile_rank() -> None:
    assert call_function("PERCENTILE", [1, 2, 3, 4], 50) == 2


def test_percentile_interpolation() -> None:
    assert call_function("PERCENTILE", [1, 2, 3, 4], 50, "interpolation") == 2.5


def test_percentile_hundred_is_maximum() -> None:
    assert call_function("PERCENTILE", [4, 1, 3], 100) == 4


def test_percentile_of_single_value() -> None:
    assert call_function("PERCENTILE", [7], 10) == 7


def test_percentile_zero_is_invalid() -> None:
    assert warning_codes("PERCENTILE", [1, 2], 0) == [TYPE_MISMATCH]


def test_percentile_unknown_method_is_invalid() -> None:
    assert warning_codes("PERCENTILE", [1, 2], 50, "median") == [TYPE_MISMATCH]


def test_percentile_low_interpolation_is_null() -> None:
    assert call_function("PERCENTILE", [1, 2, 3], 10, "interpolation") is None


def test_variance_population() -> None:
    assert call_function("VARIANCE_POPULATION", [1, 3, 6, 5, 2]) == 3.4400000000000004


def test_variance_sample() -> None:
    assert call_function("VARIANCE_SAMPLE", [1, 3, 6, 5, 2]) == 4.300000000000001


def test_variance_sample_of_one_value_is_null() -> None:
    assert call_function("VARIANCE_SAMPLE", [-42.5]) is None


def test_variance_population_of_one_value_is_zero() -> None:
    assert call_function("VARIANCE", [3]) == 0


def test_variance_of_empty_is_null() -> None:
    assert call_function("VARIANCE_POPULATION", []) is None


def test_variance_ignores_null() -> None:
    assert call_function("VARIANCE_SAMPLE", [19, None, 23]) == 8


def test_variance_with_string_warns_arithmetic() -> None:
    result, warnings = call_with_warnings("VARIANCE_SAMPLE", [1, "2"])
    assert result is None
    assert warnings == [(ARITHMETIC, "in function 'VARIANCE_SAMPLE()': invalid arithmetic value")]


def test_stddev_population() -> None:
    assert call_function("STDDEV_POPULATION", [1, 3, 6, 5, 2]) == 1.854723699099141


def test_stddev_sample() -> None:
    assert call_function("STDDEV_SAMPLE", [1, 3, 6, 5, 2]) == 2.0736441353327724


def test_stddev_of_two_values() -> None:
    assert call_function("STDDEV", [19, 23]) == 2


def test_stddev_of_non_array_warns() -> None:
    assert warning_codes("STDDEV_SAMPLE", None) == [ARRAY_EXPECTED]


# --------------------------------------------------------------------------- vectors


def test_cosine_similarity_of_orthogonal_vectors() -> None:
    assert call_function("COSINE_SIMILARITY", [0, 1], [1, 0]) == 0


def test_cosine_similarity_of_opposite_vectors() -> None:
    assert call_function("COSINE_SIMILARITY", [-1, 0], [1, 0]) == -1


def test_cosine_similarity_matrix_returns_array() -> None:
    result = call_function(
        "COSINE_SIMILARITY", [[0, 1, 0, 1], [1, 0, 0, 1], [1, 1, 1, 0], [0, 0, 0, 1]], [1, 1, 1, 1]
    )
    assert result == pytest.approx(
        [0.7071067811865475, 0.7071067811865475, 0.8660254037844387, 0.5]
    )


def test_cosine_similarity_of_zero_vector_warns_arithmetic() -> None:
    assert warning_codes("COSINE_SIMILARITY", [0, 0], [1, 1]) == [ARITHMETIC]


def test_cosine_similarity_length_mismatch_warns() -> None:
    assert warning_codes("COSINE_SIMILARITY", [1, 2], [1]) == [TYPE_MISMATCH]


def test_l1_distance() -> None:
    assert call_function("L1_DISTANCE", [-1, -1], [2, 2]) == 6


def test_l1_distance_matrix_second_argument() -> None:
    assert call_function("L1_DISTANCE", [1, 1, 1], [[1, 2, 3], [-1, -2, -3]]) == [3, 9]


def test_l2_distance() -> None:
    assert call_function("L2_DISTANCE", [1, 1], [5, 2]) == 4.1231056256176606


def test_l2_distance_of_empty_vectors_warns() -> None:
    assert warning_codes("L2_DISTANCE", [], []) == [TYPE_MISMATCH]


def test_l2_distance_with_string_element_warns() -> None:
    assert warning_codes("L2_DISTANCE", [1, "2"], [1, 2]) == [TYPE_MISMATCH]


# --------------------------------------------------------------------------- decay


def test_decay_gauss_within_offset_is_one() -> None:
    assert call_function("DECAY_GAUSS", 41, 40, 5, 5, 0.5) == 1


def test_decay_gauss_array() -> None:
    assert call_function("DECAY_GAUSS", [20, 41], 40, 5, 5, 0.5) == [0.0019531250000000017, 1]


def test_decay_exp() -> None:
    assert call_function("DECAY_EXP", 2, 0, 10, 0, 0.2) == 0.7247796636776955


def test_decay_linear() -> None:
    assert call_function("DECAY_LINEAR", 9.8, 0, 10, 0, 0.2) == 0.21599999999999994


def test_decay_linear_array() -> None:
    assert call_function("DECAY_LINEAR", [5, 6, 7], 0, 10, 0, 0.2) == pytest.approx(
        [0.6, 0.52, 0.44]
    )


def test_decay_with_decay_of_one_is_out_of_range() -> None:
    result, warnings = call_with_warnings("DECAY_EXP", 1, 0, 10, 0, 1)
    assert result is None
    assert warnings == [(NUMBER_OUT_OF_RANGE, "in function 'DECAY_EXP()': number out of range")]


def test_decay_with_zero_scale_is_out_of_range() -> None:
    assert warning_codes("DECAY_GAUSS", 1, 0, 0, 0, 0.5) == [NUMBER_OUT_OF_RANGE]


def test_decay_with_string_parameter_warns_type_mismatch() -> None:
    assert warning_codes("DECAY_LINEAR", 1, "0", 10, 0, 0.5) == [TYPE_MISMATCH]


def test_decay_with_string_in_array_warns_type_mismatch() -> None:
    assert warning_codes("DECAY_LINEAR", [1, "2"], 0, 10, 0, 0.5) == [TYPE_MISMATCH]


# --------------------------------------------------------------------------- RANGE / IN_RANGE


def test_range_of_integers() -> None:
    assert call_function("RANGE", 1, 4) == [1, 2, 3, 4]


def test_range_truncates_bounds_without_step() -> None:
    assert call_function("RANGE", 1.5, 2.5) == [1, 2]


def test_range_runs_downward_without_step() -> None:
    assert call_function("RANGE", 3, 1) == [3, 2, 1]


def test_range_with_step() -> None:
    assert call_function("RANGE", 1, 4, 2) == [1, 3]


def test_range_with_step_includes_stop() -> None:
    assert call_function("RANGE", 1, 4, 3) == [1, 4]


def test_range_with_fractional_step() -> None:
    assert call_function("RANGE", -0.75, 1.1, 0.5) == [-0.75, -0.25, 0.25, 0.75]


def test_range_keeps_fractional_bounds_with_step() -> None:
    assert call_function("RANGE", 1.5, 2.5, 1) == [1.5, 2.5]


def test_range_downward_with_negative_step() -> None:
    assert call_function("RANGE", 3, 1, -1) == [3, 2, 1]


def test_range_null_step_means_integer_range() -> None:
    assert call_function("RANGE", 1, 3, None) == [1, 2, 3]


def test_range_zero_step_warns() -> None:
    assert warning_codes("RANGE", 1, 3, 0) == [TYPE_MISMATCH]


def test_range_step_against_direction_warns() -> None:
    assert warning_codes("RANGE", 1, 3, -1) == [TYPE_MISMATCH]


def test_range_too_large_is_null_with_warning() -> None:
    result, warnings = call_with_warnings("RANGE", 0, 10**12)
    assert result is None
    assert [code for code, _ in warnings] == [NUMBER_OUT_OF_RANGE]


def test_range_with_tiny_step_is_null_with_warning() -> None:
    assert call_with_warnings("RANGE", 0, 1, 1e-12)[0] is None


def test_range_without_progress_is_null_with_warning() -> None:
    assert call_with_warnings("RANGE", 1e16, 1e16 + 4, 1)[0] is None


def test_in_range_inclusive() -> None:
    assert call_function("IN_RANGE", 4, 3, 5, True, True) is True


def test_in_range_exclusive_lower_bound() -> None:
    assert call_function("IN_RANGE", 3, 3, 5, False, True) is False


def test_in_range_exclusive_upper_bound() -> None:
    assert call_function("IN_RANGE", 5, 3, 5, True, False) is False


def test_in_range_compares_strings() -> None:
    assert call_function("IN_RANGE", "fox grape", "fo", "fp", True, False) is True


def test_in_range_uses_type_order() -> None:
    assert call_function("IN_RANGE", "a", 1, [], True, True) is True


def test_in_range_non_bool_flag_warns() -> None:
    assert warning_codes("IN_RANGE", 4, 3, 5, 1, True) == [TYPE_MISMATCH]


# --------------------------------------------------------------------------- bit functions


def test_bit_and_of_array() -> None:
    assert call_function("BIT_AND", [3, 7, 63]) == 3


def test_bit_and_ignores_null() -> None:
    assert call_function("BIT_AND", [255, 127, None, 63]) == 63


def test_bit_and_of_two_numbers() -> None:
    assert call_function("BIT_AND", 127, 255) == 127


def test_bit_and_of_string_warns() -> None:
    result, warnings = call_with_warnings("BIT_AND", "foo")
    assert result is None
    assert warnings == [(TYPE_MISMATCH, "invalid argument type in call to function 'BIT_AND()'")]


def test_bit_and_out_of_range_element_warns() -> None:
    assert warning_codes("BIT_AND", [1, 4294967296]) == [TYPE_MISMATCH]


def test_bit_and_negative_element_warns() -> None:
    assert warning_codes("BIT_AND", [-1]) == [TYPE_MISMATCH]


def test_bit_and_of_empty_array_is_null_without_warning() -> None:
    assert call_with_warnings("BIT_AND", []) == (None, [])


def test_bit_or_of_array() -> None:
    assert call_function("BIT_OR", [1, 4, 8, 16]) == 29


def test_bit_or_of_two_numbers() -> None:
    assert call_function("BIT_OR", 255, 127) == 255


def test_bit_xor_of_array() -> None:
    assert call_function("BIT_XOR", [3, 7, 63]) == 59


def test_bit_xor_of_two_numbers() -> None:
    assert call_function("BIT_XOR", 255, 257) == 510


def test_bit_xor_two_numbers_with_one_invalid_warns() -> None:
    assert warning_codes("BIT_XOR", 1, None) == [TYPE_MISMATCH]


def test_bit_negate() -> None:
    assert call_function("BIT_NEGATE", 3, 4) == 12


def test_bit_negate_full_width() -> None:
    assert call_function("BIT_NEGATE", 446359921, 32) == 3848607374


def test_bit_negate_too_many_bits_warns() -> None:
    assert warning_codes("BIT_NEGATE", 0, 33) == [TYPE_MISMATCH]


def test_bit_test_set_bit() -> None:
    assert call_function("BIT_TEST", 7, 2) is True


def test_bit_test_unset_bit() -> None:
    assert call_function("BIT_TEST", 255, 8) is False


def test_bit_test_index_32_warns() -> None:
    assert warning_codes("BIT_TEST", 1, 32) == [TYPE_MISMATCH]


def test_bit_popcount() -> None:
    assert call_function("BIT_POPCOUNT", 69399252) == 12


def test_bit_popcount_of_string_warns() -> None:
    assert warning_codes("BIT_POPCOUNT", "foo") == [TYPE_MISMATCH]


def test_bit_shift_left_masks_to_width() -> None:
    assert call_function("BIT_SHIFT_LEFT", 878836, 16, 32) == 1760821248


def test_bit_shift_left_discards_overflow() -> None:
    assert call_function("BIT_SHIFT_LEFT", 255, 4, 8) == 240


def test_bit_shift_right() -> None:
    assert call_function("BIT_SHIFT_RIGHT", 65536, 13, 16) == 8


def test_bit_shift_right_width_too_large_warns() -> None:
    assert warning_codes("BIT_SHIFT_RIGHT", 1, 1, 33) == [TYPE_MISMATCH]


def test_bit_construct() -> None:
    assert call_function("BIT_CONSTRUCT", [0, 1, 10, 31]) == 2147484675


def test_bit_construct_of_empty_array_is_zero() -> None:
    assert call_function("BIT_CONSTRUCT", []) == 0


def test_bit_construct_position_32_warns() -> None:
    assert warning_codes("BIT_CONSTRUCT", [32]) == [TYPE_MISMATCH]


def test_bit_deconstruct() -> None:
    assert call_function("BIT_DECONSTRUCT", 2147484675) == [0, 1, 10, 31]


def test_bit_deconstruct_of_zero_is_empty() -> None:
    assert call_function("BIT_DECONSTRUCT", 0) == []


def test_bit_to_string_pads_to_width() -> None:
    assert call_function("BIT_TO_STRING", 7, 4) == "0111"


def test_bit_to_string_full_width() -> None:
    assert call_function("BIT_TO_STRING", 1048576, 32) == "00000000000100000000000000000000"


def test_bit_to_string_zero_width_is_empty() -> None:
    assert call_function("BIT_TO_STRING", 7, 0) == ""


def test_bit_from_string() -> None:
    assert call_function("BIT_FROM_STRING", "11010111011101") == 13789


def test_bit_from_string_with_leading_zeros() -> None:
    assert call_function("BIT_FROM_STRING", "000000000000010") == 2


def test_bit_from_string_rejects_other_characters() -> None:
    assert warning_codes("BIT_FROM_STRING", "0b101") == [TYPE_MISMATCH]


def test_bit_from_string_rejects_more_than_32_digits() -> None:
    assert warning_codes("BIT_FROM_STRING", "1" * 33) == [TYPE_MISMATCH]


# --------------------------------------------------------------------------- robustness


def test_deeply_nested_values_give_null_and_a_warning() -> None:
    deep: list[object] = [1]
    for _ in range(100_000):
        deep = [deep]
    result, warnings = call_with_warnings("MAX", [deep, deep])
    assert result is None
    assert [code for code, _ in warnings] == [TYPE_MISMATCH]
