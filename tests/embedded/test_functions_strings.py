"""AQL string functions, checked against ArangoDB 3.12's documented semantics."""

from __future__ import annotations

import re

import pytest

from arangoml_meta.embedded.functions import REGISTRY
from arangoml_meta.errors import (
    ERROR_BAD_PARAMETER,
    ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH,
    ERROR_QUERY_INVALID_REGEX,
    BadParameterError,
    QueryError,
)

from .conftest import call_function as call
from .conftest import call_with_warnings


def warned(name: str, *args: object) -> tuple[object, list[int]]:
    """The result and the warning codes of one call."""
    result, warnings = call_with_warnings(name, *args)
    return result, [code for code, _ in warnings]


# --------------------------------------------------------------------------- CONCAT


def test_concat_joins_strings() -> None:
    assert call("CONCAT", "foo", "bar", "baz") == "foobarbaz"


def test_concat_prints_whole_doubles_without_fraction() -> None:
    assert call("CONCAT", "v", 2.0, "/", 1.5, "/", -0.25) == "v2/1.5/-0.25"


def test_concat_skips_null_arguments() -> None:
    assert call("CONCAT", "a", None, "b") == "ab"


def test_concat_prints_booleans_as_words() -> None:
    assert call("CONCAT", True, "-", False) == "true-false"


def test_concat_encodes_arrays_and_objects_as_json() -> None:
    assert call("CONCAT", "x", [1, 2.0], {"k": "v"}) == 'x[1,2]{"k":"v"}'


def test_concat_expands_a_single_array_argument() -> None:
    assert call("CONCAT", ["a", 1, None, True]) == "a1true"


def test_concat_json_encodes_arrays_inside_a_single_array() -> None:
    assert call("CONCAT", [[1], {"a": None}]) == '[1]{"a":null}'


# --------------------------------------------------------------------------- CONCAT_SEPARATOR


def test_concat_separator_joins_with_separator() -> None:
    assert call("CONCAT_SEPARATOR", "-", "a", 2, "c") == "a-2-c"


def test_concat_separator_skips_nulls_without_doubling_separator() -> None:
    assert call("CONCAT_SEPARATOR", ", ", "a", None, "b") == "a, b"


def test_concat_separator_expands_a_single_array() -> None:
    assert call("CONCAT_SEPARATOR", "|", ["a", None, 1.0]) == "a|1"


def test_concat_separator_json_encodes_arrays_among_several_values() -> None:
    assert call("CONCAT_SEPARATOR", "|", [1, 2], "x") == "[1,2]|x"


def test_concat_separator_casts_the_separator() -> None:
    assert call("CONCAT_SEPARATOR", 0, "a", "b") == "a0b"


# --------------------------------------------------------------------------- CHAR_LENGTH


def test_char_length_counts_characters_not_bytes() -> None:
    assert call("CHAR_LENGTH", "电脑坏了😀") == 5


def test_char_length_of_a_number_is_the_length_of_its_string() -> None:
    assert call("CHAR_LENGTH", -1.5) == 4


def test_char_length_of_booleans_and_null() -> None:
    assert [call("CHAR_LENGTH", v) for v in (True, False, None)] == [4, 5, 0]


def test_char_length_of_an_object_is_its_json_length() -> None:
    assert call("CHAR_LENGTH", {"a": [1, 2]}) == len('{"a":[1,2]}')


# --------------------------------------------------------------------------- CONTAINS


def test_contains_finds_substring() -> None:
    assert call("CONTAINS", "foobarbaz", "bar") is True


def test_contains_is_case_sensitive() -> None:
    assert call("CONTAINS", "foobarbaz", "BAR") is False


def test_contains_returns_character_position_when_asked() -> None:
    assert call("CONTAINS", "äöübar", "bar", True) == 3


def test_contains_returns_minus_one_when_absent_and_position_asked() -> None:
    assert call("CONTAINS", "foo", "x", True) == -1


def test_contains_with_empty_search_is_false() -> None:
    assert call("CONTAINS", "foo", "") is False


def test_contains_casts_numbers_to_strings() -> None:
    assert call("CONTAINS", 12345, 34) is True


# --------------------------------------------------------------------------- LOWER / UPPER


def test_lower_converts_letters() -> None:
    assert call("LOWER", "AVOcado ÄÖÜ") == "avocado äöü"


def test_upper_converts_letters_with_full_case_mapping() -> None:
    assert call("UPPER", "straße") == "STRASSE"


def test_upper_casts_non_strings() -> None:
    assert call("UPPER", [True]) == "[TRUE]"


# --------------------------------------------------------------------------- TRIM family


def test_trim_strips_default_whitespace_both_sides() -> None:
    assert call("TRIM", " \t\r\nfoo bar \n") == "foo bar"


def test_trim_does_not_strip_other_unicode_whitespace() -> None:
    assert call("TRIM", "\u00a0foo\x0b") == "\u00a0foo\x0b"


def test_trim_with_characters() -> None:
    assert call("TRIM", "--==[foo]==--", "-=") == "[foo]"


def test_trim_type_one_strips_start_only() -> None:
    assert call("TRIM", "  foo  ", 1) == "foo  "


def test_trim_type_two_strips_end_only() -> None:
    assert call("TRIM", "  foo  ", 2) == "  foo"


def test_trim_out_of_range_type_strips_both_sides() -> None:
    assert call("TRIM", "  foo  ", 7) == "foo"


def test_ltrim_strips_start() -> None:
    assert call("LTRIM", "  foo  ") == "foo  "


def test_ltrim_casts_characters_argument_to_string() -> None:
    assert call("LTRIM", "1121a1", 12) == "a1"


def test_rtrim_strips_end_with_characters() -> None:
    assert call("RTRIM", "foo-bar]==--", "-=]") == "foo-bar"


def test_rtrim_with_empty_characters_keeps_string() -> None:
    assert call("RTRIM", "foo  ", "") == "foo  "


# --------------------------------------------------------------------------- LEFT / RIGHT / SUBSTRING


def test_left_takes_leading_characters() -> None:
    assert call("LEFT", "äbcdef", 3) == "äbc"


def test_left_with_negative_count_is_empty() -> None:
    assert call("LEFT", "foo", -1) == ""


def test_right_takes_trailing_characters() -> None:
    assert call("RIGHT", "abc😀", 2) == "c😀"


def test_right_with_count_beyond_length_returns_whole_string() -> None:
    assert call("RIGHT", "foo", 10) == "foo"


def test_right_with_negative_count_is_empty() -> None:
    assert call("RIGHT", "foo", -2) == ""


def test_substring_from_offset() -> None:
    assert call("SUBSTRING", "Holy Guacamole!", 5) == "Guacamole!"


def test_substring_with_length() -> None:
    assert call("SUBSTRING", "Holy Guacamole!", 0, 4) == "Holy"


def test_substring_negative_offset_counts_from_end() -> None:
    assert call("SUBSTRING", "Holy Guacamole!", -3, 2) == "le"


def test_substring_negative_offset_beyond_start_clamps_to_start() -> None:
    assert call("SUBSTRING", "abc", -10, 2) == "ab"


def test_substring_negative_length_is_empty() -> None:
    assert call("SUBSTRING", "abc", 1, -1) == ""


def test_substring_offset_beyond_end_is_empty() -> None:
    assert call("SUBSTRING", "abc", 5) == ""


def test_substring_counts_multibyte_characters() -> None:
    assert call("SUBSTRING", "电脑坏了", 1, 2) == "脑坏"


def test_substring_casts_numeric_string_arguments() -> None:
    assert call("SUBSTRING", "abcdef", "2", "3") == "cde"


# --------------------------------------------------------------------------- SUBSTRING_BYTES


def test_substring_bytes_from_byte_offset() -> None:
    assert call("SUBSTRING_BYTES", "aäb", 3) == "b"


def test_substring_bytes_with_length_covering_a_multibyte_character() -> None:
    assert call("SUBSTRING_BYTES", "aäb", 1, 2) == "ä"


def test_substring_bytes_inside_a_character_is_null_with_warning() -> None:
    assert warned("SUBSTRING_BYTES", "aäb", 2) == (None, [ERROR_BAD_PARAMETER])


def test_substring_bytes_negative_offset_counts_from_end() -> None:
    assert call("SUBSTRING_BYTES", "abcdef", -2) == "ef"


def test_substring_bytes_widens_by_characters() -> None:
    assert call("SUBSTRING_BYTES", "xyäzw", 2, 2, 1, 2) == "yäzw"


def test_substring_bytes_right_defaults_to_left() -> None:
    assert call("SUBSTRING_BYTES", "abcde", 2, 1, 1) == "bcd"


def test_substring_bytes_of_non_string_is_null_with_warning() -> None:
    assert warned("SUBSTRING_BYTES", 123, 0) == (None, [ERROR_BAD_PARAMETER])


# --------------------------------------------------------------------------- FIND_FIRST / FIND_LAST


def test_find_first_position() -> None:
    assert call("FIND_FIRST", "foobarbaz", "ba") == 3


def test_find_first_from_start() -> None:
    assert call("FIND_FIRST", "foobarbaz", "ba", 4) == 6


def test_find_first_match_must_end_before_end_position() -> None:
    assert call("FIND_FIRST", "foobarbaz", "bar", 0, 4) == -1


def test_find_first_not_found() -> None:
    assert call("FIND_FIRST", "foo", "x") == -1


def test_find_first_empty_search_returns_start() -> None:
    assert call("FIND_FIRST", "foo", "", 2) == 2


def test_find_first_negative_start_is_minus_one() -> None:
    assert call("FIND_FIRST", "foo", "o", -1) == -1


def test_find_first_counts_characters() -> None:
    assert call("FIND_FIRST", "ääx", "x") == 2


def test_find_last_position() -> None:
    assert call("FIND_LAST", "foobarbaz", "ba") == 6


def test_find_last_within_end() -> None:
    assert call("FIND_LAST", "foobarbaz", "ba", 0, 5) == 3


def test_find_last_empty_search_returns_length() -> None:
    assert call("FIND_LAST", "foo", "") == 3


def test_find_last_empty_search_with_end_returns_end_plus_one() -> None:
    assert call("FIND_LAST", "foobar", "", 0, 2) == 3


# --------------------------------------------------------------------------- STARTS_WITH


def test_starts_with_prefix() -> None:
    assert call("STARTS_WITH", "foobar", "foo") is True


def test_starts_with_other_prefix_is_false() -> None:
    assert call("STARTS_WITH", "foobar", "bar") is False


def test_starts_with_any_prefix_of_array() -> None:
    assert call("STARTS_WITH", "foobar", ["x", "fo"]) is True


def test_starts_with_min_match_count() -> None:
    assert call("STARTS_WITH", "foobar", ["f", "fo", "x"], 3) is False


def test_starts_with_non_string_text_is_null_with_warning() -> None:
    assert warned("STARTS_WITH", 123, "1") == (None, [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH])


def test_starts_with_non_string_prefix_is_null_with_warning() -> None:
    assert warned("STARTS_WITH", "foo", ["x", 1]) == (
        None,
        [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH],
    )


# --------------------------------------------------------------------------- SUBSTITUTE


def test_substitute_replaces_all_occurrences() -> None:
    assert call("SUBSTITUTE", "a-b-c", "-", "+") == "a+b+c"


def test_substitute_arrays_pairwise() -> None:
    assert call("SUBSTITUTE", "the fox", ["the", "fox"], ["a", "dog"]) == "a dog"


def test_substitute_removes_searches_without_replacement() -> None:
    assert call("SUBSTITUTE", "a b c", ["a", "b"], ["x"]) == "x  c"


def test_substitute_without_replacement_removes_matches() -> None:
    assert call("SUBSTITUTE", "banana", "a") == "bnn"


def test_substitute_array_search_with_string_replacement() -> None:
    assert call("SUBSTITUTE", "a b c", ["a", "c"], "z") == "z b z"


def test_substitute_limit_caps_replacements() -> None:
    assert call("SUBSTITUTE", "aaaa", "a", "b", 2) == "bbaa"


def test_substitute_mapping_object() -> None:
    assert call("SUBSTITUTE", "red green", {"red": "blue", "green": None}) == "blue "


def test_substitute_mapping_object_with_limit() -> None:
    assert call("SUBSTITUTE", "a a a", {"a": "b"}, 1) == "b a a"


def test_substitute_earliest_match_wins() -> None:
    assert call("SUBSTITUTE", "abcd", ["cd", "bc"], ["1", "2"]) == "a2d"


def test_substitute_non_string_search_is_null_with_warning() -> None:
    assert warned("SUBSTITUTE", "abc", 1, "x") == (
        None,
        [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH],
    )


def test_substitute_invalid_replacement_type_is_null_with_warning() -> None:
    assert warned("SUBSTITUTE", "abc", "a", 1) == (
        None,
        [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH],
    )


# --------------------------------------------------------------------------- hashes and encodings


def test_md5_of_empty_string() -> None:
    assert call("MD5", "") == "d41d8cd98f00b204e9800998ecf8427e"


def test_md5_of_null_hashes_the_empty_string() -> None:
    assert call("MD5", None) == call("MD5", "")


def test_sha1_hex_digest() -> None:
    assert call("SHA1", "abc") == "a9993e364706816aba3e25717850c26c9cd0d89d"


def test_sha256_hex_digest() -> None:
    assert (
        call("SHA256", "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_sha512_hex_digest_length() -> None:
    assert call("SHA512", "abc").startswith("ddaf35a193617aba") and len(call("SHA512", "x")) == 128


def test_hashes_cast_numbers_like_concat() -> None:
    assert call("SHA1", 2.0) == call("SHA1", "2")


def test_crc32_is_castagnoli_in_upper_case_hex() -> None:
    assert call("CRC32", "123456789") == "E3069283"


def test_crc32_has_no_leading_zeros() -> None:
    assert call("CRC32", "") == "0"


def test_fnv64_of_empty_string_is_offset_basis() -> None:
    assert call("FNV64", "") == "CBF29CE484222325"


def test_fnv64_is_fnv1a() -> None:
    assert call("FNV64", "a") == "AF63DC4C8601EC8C"


def test_to_base64_encodes_utf8() -> None:
    assert call("TO_BASE64", "ä") == "w6Q="


def test_to_hex_encodes_utf8_bytes() -> None:
    assert call("TO_HEX", "aü") == "61c3bc"


def test_encode_uri_component_keeps_unreserved_characters() -> None:
    assert call("ENCODE_URI_COMPONENT", "a-_.!~*'()") == "a-_.!~*'()"


def test_encode_uri_component_escapes_utf8_and_reserved() -> None:
    assert call("ENCODE_URI_COMPONENT", "ä /?") == "%C3%A4%20%2F%3F"


# --------------------------------------------------------------------------- TO_CHAR / SOUNDEX


def test_to_char_from_code_point() -> None:
    assert call("TO_CHAR", 0x1F600) == "😀"


def test_to_char_truncates_fractions() -> None:
    assert call("TO_CHAR", 65.9) == "A"


def test_to_char_negative_is_null_with_warning() -> None:
    assert warned("TO_CHAR", -1) == (None, [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH])


def test_to_char_non_number_is_null_with_warning() -> None:
    assert warned("TO_CHAR", "65") == (None, [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH])


def test_soundex_codes() -> None:
    assert [call("SOUNDEX", w) for w in ("Robert", "Rupert", "Tymczak")] == ["R163", "R163", "T522"]


def test_soundex_pads_short_codes() -> None:
    assert call("SOUNDEX", "a") == "A000"


def test_soundex_skips_leading_non_letters() -> None:
    assert call("SOUNDEX", "  1example") == "E251"


def test_soundex_without_letters_is_empty() -> None:
    assert call("SOUNDEX", "123") == ""


# --------------------------------------------------------------------------- IPv4


def test_is_ipv4_accepts_dotted_quad() -> None:
    assert call("IS_IPV4", "192.168.0.1") is True


@pytest.mark.parametrize(
    "value", ["01.2.3.4", "256.1.1.1", "1.2.3", "1.2.3.4.5", " 1.2.3.4", 16909060]
)
def test_is_ipv4_rejects_invalid_addresses(value: object) -> None:
    assert call("IS_IPV4", value) is False


def test_ipv4_to_number() -> None:
    assert call("IPV4_TO_NUMBER", "1.2.3.4") == 16909060


def test_ipv4_to_number_invalid_is_null_with_warning() -> None:
    assert warned("IPV4_TO_NUMBER", "1.2.3.999") == (
        None,
        [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH],
    )


def test_ipv4_from_number() -> None:
    assert call("IPV4_FROM_NUMBER", 4294967295) == "255.255.255.255"


def test_ipv4_from_number_out_of_range_is_null_with_warning() -> None:
    assert warned("IPV4_FROM_NUMBER", 4294967296) == (
        None,
        [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH],
    )


def test_ipv4_from_number_non_number_is_null_with_warning() -> None:
    assert warned("IPV4_FROM_NUMBER", "1") == (None, [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH])


# --------------------------------------------------------------------------- JSON


def test_json_parse_object() -> None:
    assert call("JSON_PARSE", '{"a": [1, true, null, "x"]}') == {"a": [1, True, None, "x"]}


def test_json_parse_scalar_string() -> None:
    assert call("JSON_PARSE", '"abc"') == "abc"


def test_json_parse_invalid_is_null_with_warning() -> None:
    assert warned("JSON_PARSE", "{a: 1}") == (None, [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH])


def test_json_parse_rejects_nan() -> None:
    assert warned("JSON_PARSE", "NaN") == (None, [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH])


def test_json_parse_non_string_is_null_with_warning() -> None:
    assert warned("JSON_PARSE", 123) == (None, [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH])


def test_json_stringify_prints_whole_doubles_as_integers() -> None:
    assert call("JSON_STRINGIFY", [1.0, 0.5, 'a"b']) == '[1,0.5,"a\\"b"]'


def test_json_stringify_null() -> None:
    assert call("JSON_STRINGIFY", None) == "null"


# --------------------------------------------------------------------------- REPEAT / RANDOM_TOKEN / UUID


def test_repeat_with_separator() -> None:
    assert call("REPEAT", "ab", 3, ", ") == "ab, ab, ab"


def test_repeat_casts_value() -> None:
    assert call("REPEAT", 5, 3) == "555"


def test_repeat_zero_times_is_empty() -> None:
    assert call("REPEAT", "x", 0) == ""


def test_repeat_negative_count_is_null_with_warning() -> None:
    assert warned("REPEAT", "x", -1) == (None, [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH])


def test_repeat_beyond_16mb_is_null_with_warning() -> None:
    result, codes = warned("REPEAT", "abcd", 10**9)
    assert result is None and len(codes) == 1


def test_random_token_length_and_alphabet() -> None:
    assert re.fullmatch(r"[A-Za-z0-9]{40}", call("RANDOM_TOKEN", 40))


def test_random_token_zero_length_is_empty() -> None:
    assert call("RANDOM_TOKEN", 0) == ""


def test_random_token_out_of_range_fails_the_query() -> None:
    with pytest.raises(QueryError):
        call("RANDOM_TOKEN", 65537)


def test_uuid_format() -> None:
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", call("UUID")
    )


def test_uuid_values_differ() -> None:
    assert call("UUID") != call("UUID")


def test_random_functions_are_not_deterministic() -> None:
    assert [REGISTRY[n].deterministic for n in ("UUID", "RANDOM_TOKEN", "MD5")] == [
        False,
        False,
        True,
    ]


# --------------------------------------------------------------------------- distances


def test_levenshtein_distance() -> None:
    assert call("LEVENSHTEIN_DISTANCE", "kitten", "sitting") == 3


def test_levenshtein_distance_to_empty_string() -> None:
    assert call("LEVENSHTEIN_DISTANCE", "", "abc") == 3


def test_levenshtein_distance_counts_a_transposition_once() -> None:
    assert call("LEVENSHTEIN_DISTANCE", "ab", "ba") == 1


def test_levenshtein_distance_counts_characters() -> None:
    assert call("LEVENSHTEIN_DISTANCE", "äö", "ao") == 2


def test_ngram_similarity_identical_strings() -> None:
    assert call("NGRAM_SIMILARITY", "quick", "quick", 2) == 1


def test_ngram_similarity_divides_by_target_ngrams() -> None:
    assert call("NGRAM_SIMILARITY", "abcd", "abce", 2) == pytest.approx(2 / 3)


def test_ngram_positional_similarity_counts_partial_ngrams() -> None:
    assert call("NGRAM_POSITIONAL_SIMILARITY", "abcd", "abce", 2) == pytest.approx(5 / 6)


def test_ngram_similarity_invalid_size_is_null_with_warning() -> None:
    assert warned("NGRAM_SIMILARITY", "a", "a", 0) == (None, [ERROR_BAD_PARAMETER])


def test_ngram_similarity_non_string_is_null_with_warning() -> None:
    assert warned("NGRAM_POSITIONAL_SIMILARITY", 1, "a", 2) == (
        None,
        [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH],
    )


# --------------------------------------------------------------------------- LIKE


def test_like_underscore_matches_one_character() -> None:
    assert [call("LIKE", t, "ca_t") for t in ("cart", "caat", "cat")] == [True, True, False]


def test_like_percent_matches_any_run() -> None:
    assert call("LIKE", "carrot", "ca%t") is True


def test_like_must_match_whole_text() -> None:
    assert call("LIKE", "foo bar baz", "bar") is False


def test_like_escaped_wildcards_are_literal() -> None:
    assert [call("LIKE", t, "100\\%") for t in ("100%", "1000")] == [True, False]


def test_like_case_insensitive_flag() -> None:
    assert call("LIKE", "FoO", "foo", True) is True


def test_like_regex_characters_are_literal() -> None:
    assert [call("LIKE", t, "a.c(") for t in ("a.c(", "abc(")] == [True, False]


def test_like_wildcards_span_newlines() -> None:
    assert call("LIKE", "a\nb", "a%") is True


def test_like_escaped_backslash_is_literal() -> None:
    assert call("LIKE", "a\\b", "a\\\\b") is True


# --------------------------------------------------------------------------- REGEX_TEST


def test_regex_test_finds_match_anywhere() -> None:
    assert call("REGEX_TEST", "the quick brown fox", "q.*k") is True


def test_regex_test_case_insensitive() -> None:
    assert call("REGEX_TEST", "FOX", "fox", True) is True


def test_regex_test_invalid_regex_is_null_with_warning() -> None:
    assert warned("REGEX_TEST", "abc", "(") == (None, [ERROR_QUERY_INVALID_REGEX])


def test_regex_test_dot_does_not_match_line_terminators() -> None:
    assert [call("REGEX_TEST", t, "^a.b$") for t in ("a\nb", "a\rb", "a\u2028b")] == [False] * 3


def test_regex_test_dollar_matches_before_final_line_break() -> None:
    assert call("REGEX_TEST", "abc\n", "c$") is True


def test_regex_test_unicode_property() -> None:
    assert call("REGEX_TEST", "Äb", "^\\p{Lu}\\p{Ll}$") is True


def test_regex_test_hex_escape_with_braces() -> None:
    assert call("REGEX_TEST", "😀", "\\x{1F600}") is True


def test_regex_test_named_group_back_reference() -> None:
    assert call("REGEX_TEST", "abab", "^(?<x>ab)\\k<x>$") is True


def test_regex_test_mid_pattern_flag_applies_to_rest_of_group() -> None:
    assert [call("REGEX_TEST", t, "^a(?i)b$") for t in ("aB", "AB")] == [True, False]


def test_regex_test_set_difference() -> None:
    assert [call("REGEX_TEST", t, "^[[a-z]--[aeiou]]$") for t in ("b", "a")] == [True, False]


def test_regex_test_quoted_literal() -> None:
    assert call("REGEX_TEST", "a+b", "^\\Qa+b\\E$") is True


def test_regex_test_posix_class() -> None:
    assert call("REGEX_TEST", "x7", "^[[:alpha:]][[:digit:]]$") is True


# --------------------------------------------------------------------------- REGEX_MATCHES / SPLIT / REPLACE


def test_regex_matches_returns_match_and_groups() -> None:
    assert call("REGEX_MATCHES", "john@doe.com", "(\\w+)@(\\w+)") == ["john@doe", "john", "doe"]


def test_regex_matches_unmatched_group_is_empty_string() -> None:
    assert call("REGEX_MATCHES", "b", "(a)?b") == ["b", ""]


def test_regex_matches_without_match_is_null() -> None:
    assert warned("REGEX_MATCHES", "abc", "x") == (None, [])


def test_regex_split_at_matches() -> None:
    assert call("REGEX_SPLIT", "a1b22c", "\\d+") == ["a", "b", "c"]


def test_regex_split_keeps_captured_groups() -> None:
    assert call("REGEX_SPLIT", "a-b", "(-)") == ["a", "-", "b"]


def test_regex_split_limit() -> None:
    assert call("REGEX_SPLIT", "a,b,c,d", ",", False, 2) == ["a", "b"]


def test_regex_split_case_insensitive() -> None:
    assert call("REGEX_SPLIT", "aXbxc", "x", True) == ["a", "b", "c"]


def test_regex_split_empty_regex_splits_characters() -> None:
    assert call("REGEX_SPLIT", "äbc", "") == ["ä", "b", "c"]


def test_regex_split_trailing_delimiter_keeps_empty_field() -> None:
    assert call("REGEX_SPLIT", "a,", ",") == ["a", ""]


def test_regex_split_negative_limit_is_null() -> None:
    assert warned("REGEX_SPLIT", "a,b", ",", False, -1) == (None, [])


def test_regex_replace_all_matches() -> None:
    assert call("REGEX_REPLACE", "An Avocado", "a", "_") == "An Avoc_do"


def test_regex_replace_case_insensitive() -> None:
    assert call("REGEX_REPLACE", "An Avocado", "a", "_", True) == "_n _voc_do"


def test_regex_replace_group_references() -> None:
    assert call("REGEX_REPLACE", "John Smith", "(\\w+) (\\w+)", "$2, $1") == "Smith, John"


def test_regex_replace_named_group_reference() -> None:
    assert call("REGEX_REPLACE", "abc", "(?<m>b)", "[${m}]") == "a[b]c"


def test_regex_replace_escaped_dollar_is_literal() -> None:
    assert call("REGEX_REPLACE", "a.b", "\\.", "\\$") == "a$b"


def test_regex_replace_invalid_group_reference_is_null_with_warning() -> None:
    assert warned("REGEX_REPLACE", "abc", "b", "$x") == (None, [ERROR_QUERY_INVALID_REGEX])


# --------------------------------------------------------------------------- SPLIT


def test_split_by_separator() -> None:
    assert call("SPLIT", "foo-bar-baz", "-") == ["foo", "bar", "baz"]


def test_split_with_limit() -> None:
    assert call("SPLIT", "foo-bar-baz", "-", 2) == ["foo", "bar"]


def test_split_by_any_of_several_separators() -> None:
    assert call("SPLIT", "a, b & c", [", ", " & "]) == ["a", "b", "c"]


def test_split_separator_is_literal_not_regex() -> None:
    assert call("SPLIT", "a.b", ".") == ["a", "b"]


def test_split_empty_separator_splits_characters() -> None:
    assert call("SPLIT", "a😀b", "") == ["a", "😀", "b"]


def test_split_without_separator_wraps_value() -> None:
    assert call("SPLIT", 42) == [42]


def test_split_empty_string_gives_one_empty_string() -> None:
    assert call("SPLIT", "", ",") == [""]


def test_split_zero_limit_is_empty_array() -> None:
    assert call("SPLIT", "a,b", ",", 0) == []


def test_split_negative_limit_is_null() -> None:
    assert warned("SPLIT", "a,b", ",", -1) == (None, [])


def test_split_non_numeric_limit_is_null_with_warning() -> None:
    assert warned("SPLIT", "a,b", ",", "1") == (None, [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH])


def test_split_object_separator_is_null_with_warning() -> None:
    assert warned("SPLIT", "a,b", {}) == (None, [ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH])


# --------------------------------------------------------------------------- TOKENS


def test_tokens_text_en_lowercases_and_splits_words() -> None:
    assert call("TOKENS", "Quick, brown FOX!", "text_en") == ["quick", "brown", "fox"]


def test_tokens_text_en_stems_words() -> None:
    assert call("TOKENS", "running dogs", "text_en") == ["run", "dog"]


def test_tokens_text_de_removes_accents_and_stems() -> None:
    assert call("TOKENS", "Häuser Städte", "text_de") == ["haus", "stadt"]


def test_tokens_keeps_decimal_numbers_together() -> None:
    assert call("TOKENS", "pi is 3.14", "text_fr") == ["pi", "is", "3.14"]


def test_tokens_defaults_to_identity() -> None:
    assert call("TOKENS", "Foo Bar") == ["Foo Bar"]


def test_tokens_accepts_database_prefixed_analyzer_name() -> None:
    assert call("TOKENS", "Foo", "_system::text_sv") == ["foo"]


def test_tokens_keeps_array_nesting() -> None:
    assert call("TOKENS", ["a b", ["c"]], "text_en") == [["a", "b"], [["c"]]]


def test_tokens_empty_array_yields_empty_array() -> None:
    assert call("TOKENS", [], "text_en") == [[]]


def test_tokens_booleans_and_null_are_encoded_terms() -> None:
    assert call("TOKENS", [True, False, None], "identity") == [["/w=="], ["AA=="], [""]]


def test_tokens_numbers_give_four_encoded_terms() -> None:
    assert call("TOKENS", 1, "identity") == ["oL/wAAAAAAAA", "sL/wAAAAAA==", "wL/wAAA=", "0L/w"]


def test_tokens_unknown_analyzer_fails_the_query() -> None:
    with pytest.raises(BadParameterError):
        call("TOKENS", "x", "no_such_analyzer")


def test_tokens_object_input_fails_the_query() -> None:
    with pytest.raises(BadParameterError):
        call("TOKENS", {"a": 1}, "text_en")


# --------------------------------------------------------------------------- registry


def test_array_and_object_family_functions_are_not_registered_here() -> None:
    from arangoml_meta.embedded.functions import strings

    names = ("LENGTH", "REVERSE", "COUNT", "TRANSLATE")
    assert not [
        n for n in names if n in REGISTRY and REGISTRY[n].impl.__module__ == strings.__name__
    ]
