"""Document and object functions, from ArangoDB 3.12's "Document and object functions" page."""

from __future__ import annotations

import pytest

from arangoml_meta.embedded.functions.objects import std_string_hash, unordered_key_order
from arangoml_meta.errors import ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH

from .conftest import call_function, call_with_warnings

NESTED = {"foo": {"bar": {"foo": 1, "baz": 2}, "baz": 3}, "baz": 4}


def _warns_invalid(name, *args):
    result, warnings = call_with_warnings(name, *args)
    return result is None and [code for code, _ in warnings] == [
        ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH
    ]


# --------------------------------------------------------------------------- ATTRIBUTES / VALUES / ENTRIES


def test_attributes_returns_names_in_the_servers_hash_set_order():
    doc = {"foo": "bar", "_key": "123", "_custom": "yes"}
    assert call_function("ATTRIBUTES", doc) == ["_custom", "_key", "foo"]


def test_attributes_can_remove_system_attributes():
    doc = {"foo": "bar", "_key": "123", "_custom": "yes"}
    assert call_function("ATTRIBUTES", doc, True) == ["foo"]


def test_attributes_can_sort():
    doc = {"foo": 1, "_key": "123", "bar": 2, "_custom": "yes"}
    assert call_function("ATTRIBUTES", doc, False, True) == ["_custom", "_key", "bar", "foo"]


def test_attributes_of_empty_object_is_empty():
    assert call_function("ATTRIBUTES", {}) == []


def test_attributes_of_non_object_is_null_with_warning():
    assert _warns_invalid("ATTRIBUTES", [1, 2])


def test_keys_is_an_alias_of_attributes():
    assert call_function("KEYS", {"a": 1}, False, True) == ["a"]


def test_unordered_key_order_keeps_every_key_once():
    keys = [f"attr{i}" for i in range(100)]
    assert sorted(unordered_key_order(keys)) == sorted(keys)


def test_std_string_hash_matches_libstdcxx():
    assert std_string_hash("foo") == 9631199822919835226


def test_values_keeps_attribute_order():
    assert call_function("VALUES", {"_id": "users/jane", "name": "Jane", "age": 35}) == [
        "users/jane",
        "Jane",
        35,
    ]


def test_values_can_remove_system_attributes():
    assert call_function("VALUES", {"_id": "users/jane", "name": "Jane", "age": 35}, True) == [
        "Jane",
        35,
    ]


def test_values_of_non_object_is_null_with_warning():
    assert _warns_invalid("VALUES", "abc")


def test_entries_gives_key_value_pairs():
    assert call_function("ENTRIES", {"foo": "bar", "number": 123}) == [
        ["foo", "bar"],
        ["number", 123],
    ]


def test_entries_of_non_object_is_null_with_warning():
    assert _warns_invalid("ENTRIES", None)


# --------------------------------------------------------------------------- HAS / VALUE


def test_has_finds_attribute_with_null_value():
    assert call_function("HAS", {"name": None}, "name") is True


def test_has_is_false_for_missing_attribute():
    assert call_function("HAS", {"name": "Jane"}, "age") is False


def test_has_casts_the_name_to_string():
    assert call_function("HAS", {"1": True}, 1) is True


def test_has_on_non_object_is_false_without_warning():
    assert call_with_warnings("HAS", "name", "name") == (False, [])


def test_value_follows_attribute_path():
    assert call_function("VALUE", {"foo": {"bar": "baz"}}, ["foo", "bar"]) == "baz"


def test_value_follows_array_indexes():
    obj = {"foo": [{"bar": "baz"}, {"bar": {"inner": True}}]}
    assert call_function("VALUE", obj, ["foo", 1, "bar"]) == {"inner": True}


def test_value_of_missing_path_is_null_without_warning():
    assert call_with_warnings("VALUE", {"foo": [1]}, ["foo", 3]) == (None, [])


def test_value_of_empty_path_is_null():
    assert call_function("VALUE", {"foo": 1}, []) is None


def test_value_with_non_array_path_is_null_with_warning():
    assert _warns_invalid("VALUE", {"foo": 1}, "foo")


def test_value_of_non_object_is_null_with_warning():
    assert _warns_invalid("VALUE", [1], [0])


# --------------------------------------------------------------------------- KEEP / UNSET


def test_keep_keeps_top_level_attribute_with_its_subtree():
    assert call_function("KEEP", NESTED, "foo") == {"foo": {"bar": {"foo": 1, "baz": 2}, "baz": 3}}


def test_keep_missing_attribute_gives_empty_object():
    assert call_function("KEEP", NESTED, "bar") == {}


def test_keep_accepts_an_array_of_names():
    assert call_function("KEEP", NESTED, ["foo", "baz"]) == NESTED


def test_keep_of_non_object_is_null_with_warning():
    assert _warns_invalid("KEEP", "doc", "foo")


def test_keep_warns_about_non_string_names_in_arrays_but_keeps_the_rest():
    result, warnings = call_with_warnings("KEEP", {"a": 1, "b": 2}, ["a", 1])
    assert (result, len(warnings)) == ({"a": 1}, 1)


def test_keep_uses_numbers_as_attribute_names():
    assert call_function("KEEP", {"1": "one", "2": "two"}, 1) == {"1": "one"}


def test_keep_recursive_drops_nested_attributes_with_other_names():
    assert call_function("KEEP_RECURSIVE", NESTED, "foo") == {"foo": {}}


def test_keep_recursive_with_several_names():
    assert call_function("KEEP_RECURSIVE", NESTED, "foo", "baz") == {"baz": 4, "foo": {"baz": 3}}


def test_keep_recursive_with_array_of_names():
    assert call_function("KEEP_RECURSIVE", NESTED, ["foo", "baz"]) == {"baz": 4, "foo": {"baz": 3}}


def test_keep_recursive_does_not_descend_into_arrays():
    doc = {"a": [{"a": 1, "b": 2}]}
    assert call_function("KEEP_RECURSIVE", doc, "a") == doc


def test_unset_removes_top_level_attribute():
    assert call_function("UNSET", NESTED, "foo") == {"baz": 4}


def test_unset_of_missing_attribute_changes_nothing():
    assert call_function("UNSET", NESTED, "bar") == NESTED


def test_unset_with_array_of_names():
    assert call_function("UNSET", NESTED, ["foo", "bar"]) == {"baz": 4}


def test_unset_system_attributes():
    assert call_function("UNSET", {"_key": "k", "_id": "c/k", "v": 1}, "_key", "_id") == {"v": 1}


def test_unset_recursive_removes_nested_attributes():
    assert call_function("UNSET_RECURSIVE", NESTED, "baz") == {"foo": {"bar": {"foo": 1}}}


def test_unset_recursive_with_several_names():
    assert call_function("UNSET_RECURSIVE", NESTED, "foo", "baz") == {}


def test_unset_recursive_of_non_object_is_null_with_warning():
    assert _warns_invalid("UNSET_RECURSIVE", None, "foo")


def test_unset_does_not_change_its_argument():
    doc = {"a": {"b": 1}}
    call_function("UNSET_RECURSIVE", doc, "b")
    assert doc == {"a": {"b": 1}}


# --------------------------------------------------------------------------- MERGE


def test_merge_later_documents_win():
    assert call_function("MERGE", {"users": {"name": "Jane"}}, {"users": {"name": "Tom"}}) == {
        "users": {"name": "Tom"}
    }


def test_merge_single_array_argument():
    docs = [{"foo": "bar"}, {"quux": "quetzalcoatl", "ruled": True}, {"bar": "baz", "foo": "done"}]
    assert call_function("MERGE", docs) == {
        "foo": "done",
        "quux": "quetzalcoatl",
        "ruled": True,
        "bar": "baz",
    }


def test_merge_of_one_object_is_the_object():
    assert call_function("MERGE", {"a": 1}) == {"a": 1}


def test_merge_of_empty_array_is_empty_object():
    assert call_function("MERGE", []) == {}


def test_merge_keeps_null_values():
    assert call_function("MERGE", {"a": 1}, {"a": None}) == {"a": None}


def test_merge_with_non_object_is_null_with_warning():
    assert _warns_invalid("MERGE", {"a": 1}, [1])


def test_merge_array_with_non_object_is_null_with_warning():
    assert _warns_invalid("MERGE", [{"a": 1}, 2])


def test_merge_recursive_merges_sub_objects():
    left = {"user-1": {"name": "Jane", "livesIn": {"city": "LA"}}}
    right = {"user-1": {"age": 42, "livesIn": {"state": "CA"}}}
    assert call_function("MERGE_RECURSIVE", left, right) == {
        "user-1": {"name": "Jane", "livesIn": {"city": "LA", "state": "CA"}, "age": 42}
    }


def test_merge_recursive_array_form_overwrites_scalars():
    docs = [{"u": {"livesIn": {"city": "LA"}}}, {"u": {"livesIn": {"city": "NY"}}}]
    assert call_function("MERGE_RECURSIVE", docs) == {"u": {"livesIn": {"city": "NY"}}}


def test_merge_recursive_replaces_object_with_scalar():
    assert call_function("MERGE_RECURSIVE", {"a": {"b": 1}}, {"a": 2}) == {"a": 2}


# --------------------------------------------------------------------------- MATCHES


def test_matches_all_example_attributes():
    doc = {"name": "jane", "age": 27, "active": True}
    assert call_function("MATCHES", doc, {"age": 27, "active": True}) is True


def test_matches_returns_index_of_matching_example():
    examples = [{"test": 1, "foo": "bar"}, {"foo": 1}, {"test": 1}]
    assert call_function("MATCHES", {"test": 1}, examples, True) == 2


def test_matches_returns_minus_one_when_nothing_matches():
    assert call_function("MATCHES", {"test": 1}, [{"test": 2}], True) == -1


def test_matches_null_example_value_matches_missing_attribute():
    assert call_function("MATCHES", {"a": 1}, {"b": None}) is True


def test_matches_compares_numbers_by_value():
    assert call_function("MATCHES", {"a": 1}, {"a": 1.0}) is True


def test_matches_empty_example_matches_everything():
    assert call_function("MATCHES", {"a": 1}, {}) is True


def test_matches_skips_non_object_examples_with_warning():
    result, warnings = call_with_warnings("MATCHES", {"a": 1}, [5, {"a": 1}], True)
    assert (result, len(warnings)) == (1, 1)


def test_matches_non_object_document_is_false():
    assert call_function("MATCHES", "doc", {"a": 1}, True) is False


# --------------------------------------------------------------------------- TRANSLATE / ZIP


def test_translate_maps_value():
    assert call_function("TRANSLATE", "FR", {"US": "United States", "FR": "France"}) == "France"


def test_translate_returns_value_when_unmapped():
    assert call_function("TRANSLATE", 42, {"foo": "bar"}) == 42


def test_translate_returns_default_when_unmapped():
    assert call_function("TRANSLATE", 42, {"foo": "bar"}, "not found!") == "not found!"


def test_translate_casts_value_to_string():
    assert call_function("TRANSLATE", 42, {"42": True}) is True


def test_translate_returns_mapped_null():
    assert call_function("TRANSLATE", "a", {"a": None}, "default") is None


def test_translate_with_non_object_lookup_is_null_with_warning():
    assert _warns_invalid("TRANSLATE", "a", ["a"])


def test_zip_builds_object():
    assert call_function("ZIP", ["name", "active"], ["some user", True]) == {
        "name": "some user",
        "active": True,
    }


def test_zip_first_duplicate_key_wins():
    assert call_function("ZIP", ["a", "a"], [1, 2]) == {"a": 1}


def test_zip_stringifies_keys():
    assert call_function("ZIP", [1, None], ["x", "y"]) == {"1": "x", "": "y"}


def test_zip_with_different_lengths_is_null_with_warning():
    assert _warns_invalid("ZIP", ["a"], [1, 2])


# --------------------------------------------------------------------------- identifiers


def test_parse_identifier_of_string():
    assert call_function("PARSE_IDENTIFIER", "_users/my-user") == {
        "collection": "_users",
        "key": "my-user",
    }


def test_parse_identifier_of_document():
    doc = {"_id": "mycollection/mykey", "value": "some value"}
    assert call_function("PARSE_IDENTIFIER", doc) == {"collection": "mycollection", "key": "mykey"}


def test_parse_collection():
    assert call_function("PARSE_COLLECTION", "_users/my-user") == "_users"


def test_parse_key_of_document():
    assert call_function("PARSE_KEY", {"_id": "mycollection/mykey"}) == "mykey"


@pytest.mark.parametrize("value", ["no-slash", "a/b/c", 123, {"_key": "k"}, {"_id": 5}])
def test_parse_key_of_invalid_identifier_is_null_with_warning(value):
    assert _warns_invalid("PARSE_KEY", value)


def test_is_same_collection_with_id_string():
    assert call_function("IS_SAME_COLLECTION", "_users", "_users/my-user") is True


def test_is_same_collection_with_document():
    assert call_function("IS_SAME_COLLECTION", "_users", {"_id": "something/else"}) is False


def test_is_same_collection_accepts_a_bare_collection_name():
    assert call_function("IS_SAME_COLLECTION", "users", "users") is True


def test_is_same_collection_without_id_is_null_with_warning():
    assert _warns_invalid("IS_SAME_COLLECTION", "users", {"_key": "x"})


# --------------------------------------------------------------------------- robustness


def test_merge_recursive_of_absurdly_deep_objects_is_null_with_warning():
    deep: dict[str, object] = {}
    for _ in range(100_000):
        deep = {"a": deep}
    result, warnings = call_with_warnings("MERGE_RECURSIVE", deep, deep)
    assert (result, len(warnings)) == (None, 1)
