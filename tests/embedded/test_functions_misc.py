"""Miscellaneous functions, from ArangoDB 3.12's "Miscellaneous functions" page."""

from __future__ import annotations

import time
from typing import Any

import pytest

from arangoml_meta.embedded.functions import NullContext, lookup
from arangoml_meta.embedded.functions.misc import (
    ERROR_QUERY_FUNCTION_NOT_FOUND,
    ERROR_QUERY_USER_ASSERT,
    ERROR_QUERY_USER_WARN,
    minhash_signature,
    xxh64,
)
from arangoml_meta.errors import (
    ERROR_ARANGO_DATA_SOURCE_NOT_FOUND,
    ERROR_BAD_PARAMETER,
    ERROR_QUERY_FAIL_CALLED,
    ERROR_QUERY_FUNCTION_ARGUMENT_NUMBER_MISMATCH,
    ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH,
    ERROR_QUERY_FUNCTION_NAME_UNKNOWN,
    ArangoMLMetaError,
    CollectionNotFoundError,
    QueryError,
)

from .conftest import call_function, call_with_warnings


class FakeDatabase(NullContext):
    """A context with two small collections."""

    def __init__(self) -> None:
        super().__init__()
        self.data = {
            "persons": {
                k: {"_key": k, "_id": f"persons/{k}", "name": k.title()} for k in ("alice", "bob")
            },
            "Places": {},
        }

    def document(self, collection: str | None, key_or_id: str) -> Any:
        return self.data.get(collection or "", {}).get(key_or_id)

    def collection_count(self, name: str) -> int:
        if name not in self.data:
            raise CollectionNotFoundError(f"collection or view not found: {name}")
        return len(self.data[name])

    def collections(self) -> list[tuple[str, str]]:
        return [("17", "persons"), ("12", "Places")]

    def current_user(self) -> str | None:
        return "root"

    def current_database(self) -> str:
        return "metadata"


def call_db(name: str, *args: Any) -> Any:
    spec = lookup(name)
    assert spec is not None
    return spec.impl(FakeDatabase(), *args)


def raised(name: str, *args: Any) -> ArangoMLMetaError:
    with pytest.raises(ArangoMLMetaError) as info:
        call_db(name, *args)
    return info.value


ALICE = {"_key": "alice", "_id": "persons/alice", "name": "Alice"}
BOB = {"_key": "bob", "_id": "persons/bob", "name": "Bob"}


# --------------------------------------------------------------------------- control flow


def test_not_null_returns_first_non_null():
    assert call_function("NOT_NULL", None, None, 0, 1) == 0


def test_not_null_of_only_nulls_is_null():
    assert call_function("NOT_NULL", None, None) is None


def test_first_list_returns_first_array():
    assert call_function("FIRST_LIST", "a", {"b": 1}, [2], [3]) == [2]


def test_first_list_without_array_is_null():
    assert call_function("FIRST_LIST", "a", 1) is None


def test_first_document_returns_first_object():
    assert call_function("FIRST_DOCUMENT", [1], None, {"a": 1}) == {"a": 1}


def test_first_document_without_object_is_null():
    assert call_function("FIRST_DOCUMENT", [1]) is None


@pytest.mark.parametrize("name", ["PASSTHRU", "NOOPT", "NOEVAL"])
def test_passthrough_functions_return_their_argument(name):
    assert call_function(name, {"a": [1]}) == {"a": [1]}


def test_noopt_is_not_deterministic():
    assert lookup("NOOPT").deterministic is False


# --------------------------------------------------------------------------- FAIL / ASSERT / WARN


def test_fail_raises_1569_with_reason():
    with pytest.raises(QueryError) as info:
        call_function("FAIL", "boom")
    assert (info.value.error_num, info.value.message) == (ERROR_QUERY_FAIL_CALLED, "boom")


def test_fail_without_reason():
    with pytest.raises(QueryError) as info:
        call_function("FAIL")
    assert (info.value.error_num, info.value.message) == (ERROR_QUERY_FAIL_CALLED, "FAIL() called")


def test_fail_with_non_string_reason():
    with pytest.raises(QueryError) as info:
        call_function("FAIL", 42)
    assert info.value.message == "FAIL() called"


def test_assert_true_returns_true():
    assert call_function("ASSERT", 1 > 0, "never") is True


def test_assert_false_raises_with_message():
    with pytest.raises(QueryError) as info:
        call_function("ASSERT", False, "i is not greater 0")
    assert (info.value.error_num, info.value.message) == (
        ERROR_QUERY_USER_ASSERT,
        "i is not greater 0",
    )


def test_assert_with_non_string_message_is_null_with_warning():
    result, warnings = call_with_warnings("ASSERT", False, 1)
    assert (result, warnings[0][0]) == (None, ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH)


def test_warn_false_returns_false_and_warns():
    assert call_with_warnings("WARN", 0, "i is not smaller 2") == (
        False,
        [(ERROR_QUERY_USER_WARN, "i is not smaller 2")],
    )


def test_warn_true_returns_true_silently():
    assert call_with_warnings("WARN", "x", "unused") == (True, [])


# --------------------------------------------------------------------------- DOCUMENT


def test_document_by_id():
    assert call_db("DOCUMENT", "persons/alice") == ALICE


def test_document_by_collection_and_key():
    assert call_db("DOCUMENT", "persons", "alice") == ALICE


def test_document_by_collection_and_id():
    assert call_db("DOCUMENT", "persons", "persons/bob") == BOB


def test_document_by_array_of_ids():
    assert call_db("DOCUMENT", ["persons/alice", "persons/bob"]) == [ALICE, BOB]


def test_document_by_collection_and_keys():
    assert call_db("DOCUMENT", "persons", ["alice", "persons/bob"]) == [ALICE, BOB]


def test_document_missing_is_null():
    assert call_db("DOCUMENT", "persons/carol") is None


def test_document_missing_are_left_out_of_arrays():
    assert call_db("DOCUMENT", ["persons/carol", "persons/bob", 7]) == [BOB]


def test_document_id_of_other_collection_is_null():
    assert call_db("DOCUMENT", "Places", "persons/alice") is None


def test_document_id_of_other_collection_is_left_out_of_arrays():
    assert call_db("DOCUMENT", "Places", ["persons/alice"]) == []


def test_document_key_without_collection_is_null():
    assert call_db("DOCUMENT", "alice") is None


def test_document_of_unknown_collection_is_null():
    assert call_db("DOCUMENT", "nowhere/alice") is None


def test_document_with_non_string_collection_is_null_with_warning():
    result, warnings = call_with_warnings("DOCUMENT", 1, "alice")
    assert (result, warnings[0][0]) == (None, ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH)


def test_document_with_invalid_id_type_is_null():
    assert call_db("DOCUMENT", {"_id": "persons/alice"}) is None


# --------------------------------------------------------------------------- database


def test_check_document_accepts_objects():
    assert call_function("CHECK_DOCUMENT", {"a": 1}) is True


def test_check_document_rejects_non_objects():
    assert call_function("CHECK_DOCUMENT", [{"a": 1}]) is False


def test_collection_count():
    assert call_db("COLLECTION_COUNT", "persons") == 2


def test_collection_count_of_missing_collection_raises_1203():
    assert raised("COLLECTION_COUNT", "nowhere").error_num == ERROR_ARANGO_DATA_SOURCE_NOT_FOUND


def test_collection_count_of_non_string_raises_1542():
    assert raised("COLLECTION_COUNT", 1).error_num == ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH


def test_collections_are_sorted_by_name():
    assert call_db("COLLECTIONS") == [
        {"_id": "17", "name": "persons"},
        {"_id": "12", "name": "Places"},
    ]


def test_current_user():
    assert call_db("CURRENT_USER") == "root"


def test_current_user_without_authentication_is_null():
    assert call_function("CURRENT_USER") is None


def test_current_database():
    assert call_db("CURRENT_DATABASE") == "metadata"


def test_version():
    assert call_function("VERSION") == "3.12.0"


def test_shard_id_on_a_single_server_is_the_collection_name():
    assert call_db("SHARD_ID", "persons", {"_key": "alice"}) == "persons"


def test_shard_id_of_missing_collection_raises_1203():
    assert raised("SHARD_ID", "nowhere", {}).error_num == ERROR_ARANGO_DATA_SOURCE_NOT_FOUND


def test_shard_id_with_non_object_keys_raises_bad_parameter():
    assert raised("SHARD_ID", "persons", "alice").error_num == ERROR_BAD_PARAMETER


def test_decode_rev():
    assert call_function("DECODE_REV", "_YU0HOEG---") == {
        "date": "2019-03-11T16:15:05.314Z",
        "count": 0,
    }


@pytest.mark.parametrize("value", [None, 12, "", "not a rev!", "_YU0HOEG-----"])
def test_decode_rev_of_invalid_revision_is_null_with_warning(value):
    result, warnings = call_with_warnings("DECODE_REV", value)
    assert (result, warnings[0][0]) == (None, ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH)


# --------------------------------------------------------------------------- SLEEP


def test_sleep_returns_null():
    start = time.monotonic()
    assert call_function("SLEEP", 0.02) is None
    assert time.monotonic() - start >= 0.015


def test_sleep_with_negative_duration_is_null_with_warning():
    result, warnings = call_with_warnings("SLEEP", -1)
    assert (result, warnings[0][0]) == (None, ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH)


# --------------------------------------------------------------------------- HASH / MINHASH


def test_xxh64_known_value():
    assert xxh64(b"", 0) == 0xEF46DB3751D8E999


def test_hash_is_a_52_bit_number():
    assert 0 <= call_function("HASH", "foo") < 2**52


def test_hash_is_stable_across_calls():
    assert call_function("HASH", [1, "a", {"b": None}]) == call_function(
        "HASH", [1, "a", {"b": None}]
    )


def test_hash_distinguishes_types():
    assert call_function("HASH", 1) != call_function("HASH", "1")


def test_hash_treats_integers_and_doubles_alike():
    assert call_function("HASH", 1) == call_function("HASH", 1.0)


def test_hash_ignores_attribute_order():
    assert call_function("HASH", {"a": 1, "b": 2}) == call_function("HASH", {"b": 2, "a": 1})


def test_hash_depends_on_array_order():
    assert call_function("HASH", [1, 2]) != call_function("HASH", [2, 1])


def test_minhash_matches_arangodb():
    assert call_function("MINHASH", ["foo", "bar", "baz"], 5) == [
        "OmvEOSfAYs8",
        "Jcz+LQgakgs",
        "YfBzyXaSXIA",
    ]


def test_minhash_ignores_duplicates():
    assert call_function("MINHASH", ["foo", "foo"], 5) == call_function("MINHASH", ["foo"], 5)


def test_minhash_keeps_the_smallest_hashes():
    assert sorted(minhash_signature([9, 3, 7, 1, 8, 3], 3)) == [1, 3, 7]


def test_minhash_signature_has_the_requested_size():
    assert len(call_function("MINHASH", list(range(50)), 10)) == 10


def test_minhash_of_non_array_is_null_with_warning():
    result, warnings = call_with_warnings("MINHASH", "foo", 5)
    assert (result, warnings[0][0]) == (None, ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH)


def test_minhash_with_zero_hashes_is_null_with_warning():
    result, warnings = call_with_warnings("MINHASH", ["foo"], 0)
    assert (result, len(warnings)) == (None, 1)


def test_minhash_error():
    assert call_function("MINHASH_ERROR", 400) == 0.05


def test_minhash_count():
    assert call_function("MINHASH_COUNT", 0.05) == 400


@pytest.mark.parametrize("value", [0, 1, -0.5, "0.1"])
def test_minhash_count_outside_zero_one_is_null_with_warning(value):
    result, warnings = call_with_warnings("MINHASH_COUNT", value)
    assert (result, len(warnings)) == (None, 1)


# --------------------------------------------------------------------------- CALL / APPLY


def test_call_invokes_function_by_name():
    assert call_function("CALL", "not_null", None, 3) == 3


def test_apply_passes_array_elements_as_arguments():
    assert call_function("APPLY", "FIRST_LIST", [1, [2]]) == [2]


def test_apply_without_arguments():
    assert call_function("APPLY", "version") == "3.12.0"


def test_apply_with_non_array_arguments_is_null_with_warning():
    result, warnings = call_with_warnings("APPLY", "VERSION", "x")
    assert (result, warnings[0][0]) == (None, ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH)


def test_call_of_unknown_function_raises_1540():
    assert raised("CALL", "NO_SUCH_FUNCTION").error_num == ERROR_QUERY_FUNCTION_NAME_UNKNOWN


def test_call_of_user_defined_function_is_refused():
    assert raised("CALL", "myfunctions::double", 2).error_num == ERROR_QUERY_FUNCTION_NOT_FOUND


def test_call_with_wrong_argument_count_raises_1541():
    assert raised("CALL", "PASSTHRU").error_num == ERROR_QUERY_FUNCTION_ARGUMENT_NUMBER_MISMATCH


def test_call_with_non_string_name_raises_1542():
    assert raised("CALL", 5).error_num == ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH


# --------------------------------------------------------------------------- robustness


def test_hash_of_absurdly_deep_value_is_null_with_warning():
    deep: list[object] = [1]
    for _ in range(100_000):
        deep = [deep]
    result, warnings = call_with_warnings("HASH", deep)
    assert (result, len(warnings)) == (None, 1)


def test_minhash_count_of_an_error_too_small_for_an_int64_size_is_null_with_warning():
    for error in (8.88e-231, 1e-10):
        result, warnings = call_with_warnings("MINHASH_COUNT", error)
        assert (result, len(warnings)) == (None, 1)
