"""INSERT / UPDATE / REPLACE / REMOVE / UPSERT, their OLD / NEW and options.

From ArangoDB 3.12's pages on the data-modification operations (and the
behaviours ArangoDB's own test suite pins for them).
"""

from __future__ import annotations

import pytest

from arangoml_meta.errors import ArangoMLMetaError

from .helpers import error_num, make_db, query_error, run, strip_system


@pytest.fixture
def db():
    with make_db(
        {
            "users": [
                {
                    "_key": "john",
                    "name": {"first": "John", "last": "Doe"},
                    "age": 30,
                    "tags": ["a"],
                },
                {"_key": "mary", "name": {"first": "Mary"}, "age": 25, "gone": None},
            ],
            "other": [{"_key": "john", "x": 1}],
        },
        {"edges": [{"_key": "e1", "_from": "users/john", "_to": "users/mary"}]},
    ) as database:
        yield database


def doc(db, key, collection="users"):
    return strip_system(db.get(collection, key))


# --------------------------------------------------------------------------- INSERT


def test_insert_returns_nothing_without_return(db):
    assert run(db, "INSERT {_key: 'new'} INTO users") == []
    assert db.get("users", "new") is not None


def test_insert_in_is_the_same_as_into(db):
    run(db, "INSERT {_key: 'x'} IN users")
    assert db.get("users", "x") is not None


def test_insert_new_has_system_attributes(db):
    (new,) = run(db, "INSERT {v: 1} INTO users RETURN NEW")
    assert new["_id"] == f"users/{new['_key']}"
    assert new["_rev"] and new["v"] == 1
    assert db.get("users", new["_key"]) == new


def test_insert_in_a_loop(db):
    keys = run(
        db, "FOR i IN 1..100 INSERT {value: i} INTO users LET inserted = NEW RETURN inserted._key"
    )
    assert len(set(keys)) == 100
    assert db.count("users") == 102


def test_insert_edge(db):
    (new,) = run(db, "INSERT {_from: 'users/mary', _to: 'users/john'} INTO edges RETURN NEW")
    assert (new["_from"], new["_to"]) == ("users/mary", "users/john")


@pytest.mark.parametrize("document", ["'foo'", "1", "null", "[{}]", "u.nope"])
def test_insert_needs_an_object(db, document):
    assert query_error(db, f"LET u = {{}} INSERT {document} INTO users") == 1227


def test_insert_duplicate_key(db):
    assert query_error(db, "INSERT {_key: 'john'} INTO users") == 1210


def test_old_is_not_defined_after_insert(db):
    # ArangoDB's test suite: "INSERT { } IN @@cn LET inserted = OLD RETURN inserted" -> 1203
    assert query_error(db, "INSERT {} IN users LET inserted = OLD RETURN inserted") == 1203


# --------------------------------------------------------------------------- overwriteMode


def test_overwrite_mode_conflict_is_the_default(db):
    assert (
        query_error(db, "INSERT {_key: 'john'} INTO users OPTIONS {overwriteMode: 'conflict'}")
        == 1210
    )
    assert doc(db, "john")["age"] == 30


def test_overwrite_mode_replace(db):
    (old, new) = run(
        db,
        "INSERT {_key: 'john', v: 1} INTO users OPTIONS {overwriteMode: 'replace'} RETURN [OLD, NEW]",
    )[0]
    assert old["age"] == 30
    assert strip_system(new) == {"v": 1}
    assert doc(db, "john") == {"v": 1}


def test_overwrite_true_means_replace(db):
    run(db, "INSERT {_key: 'john', v: 1} INTO users OPTIONS {overwrite: true}")
    assert doc(db, "john") == {"v": 1}


def test_overwrite_mode_update(db):
    run(
        db,
        "INSERT {_key: 'john', v: 1, name: {middle: 'Q'}} INTO users OPTIONS {overwriteMode: 'update'}",
    )
    assert doc(db, "john") == {
        "name": {"first": "John", "last": "Doe", "middle": "Q"},
        "age": 30,
        "tags": ["a"],
        "v": 1,
    }


def test_overwrite_mode_update_honours_merge_objects_and_keep_null(db):
    run(
        db,
        "INSERT {_key: 'john', name: {middle: 'Q'}, age: null} INTO users "
        "OPTIONS {overwriteMode: 'update', mergeObjects: false, keepNull: false}",
    )
    assert doc(db, "john") == {"name": {"middle": "Q"}, "tags": ["a"]}


def test_overwrite_mode_ignore_keeps_the_existing_document(db):
    before = db.get("users", "john")
    run(db, "INSERT {_key: 'john', v: 1} INTO users OPTIONS {overwriteMode: 'ignore'}")
    assert db.get("users", "john") == before


def test_overwrite_mode_ignore_inserts_missing_documents(db):
    rows = run(
        db, "INSERT {_key: 'new', v: 1} INTO users OPTIONS {overwriteMode: 'ignore'} RETURN NEW.v"
    )
    assert rows == [1]


def test_overwrite_mode_ignore_new_is_null_for_existing_document(db):
    # "In case the document already existed, RETURN NEW will return null."
    rows = run(
        db, "INSERT {_key: 'john', v: 1} INTO users OPTIONS {overwriteMode: 'ignore'} RETURN NEW"
    )
    assert rows == [None]


def test_overwrite_mode_only_applies_with_a_key(db):
    run(db, "INSERT {v: 1} INTO users OPTIONS {overwriteMode: 'replace'}")
    assert db.count("users") == 3


# --------------------------------------------------------------------------- UPDATE


def test_update_merges_attributes(db):
    (old, new) = run(db, "UPDATE 'john' WITH {age: 31, city: 'Rome'} IN users RETURN [OLD, NEW]")[0]
    assert old["age"] == 30
    assert strip_system(new) == {
        "name": {"first": "John", "last": "Doe"},
        "age": 31,
        "tags": ["a"],
        "city": "Rome",
    }
    assert new["_rev"] != old["_rev"]


@pytest.mark.parametrize(
    "query",
    [
        "UPDATE {_key: 'john', age: 31} IN users",
        "UPDATE 'john' WITH {age: 31} IN users",
        "UPDATE {_key: 'john'} WITH {age: 31} IN users",
        "FOR u IN users FILTER u._key == 'john' UPDATE u WITH {age: 31} IN users",
        "FOR u IN users FILTER u._key == 'john' UPDATE u._key WITH {age: u.age + 1} IN users",
    ],
)
def test_update_syntaxes_are_equivalent(db, query):
    run(db, query)
    assert doc(db, "john")["age"] == 31


def test_update_target_collection_is_independent_of_the_loop(db):
    run(db, "FOR u IN users FILTER u._key == 'john' UPDATE u WITH {y: 2} IN other")
    assert doc(db, "john", "other") == {"x": 1, "y": 2}
    assert "y" not in doc(db, "john")


def test_update_merges_nested_objects_by_default(db):
    run(db, "UPDATE 'john' WITH {name: {middle: 'Q', last: 'Roe'}} IN users")
    assert doc(db, "john")["name"] == {"first": "John", "last": "Roe", "middle": "Q"}


def test_update_merge_objects_false_replaces_sub_objects(db):
    run(db, "UPDATE 'john' WITH {name: {middle: 'Q'}} IN users OPTIONS {mergeObjects: false}")
    assert doc(db, "john")["name"] == {"middle": "Q"}


def test_update_replaces_arrays(db):
    run(db, "UPDATE 'john' WITH {tags: ['b']} IN users")
    assert doc(db, "john")["tags"] == ["b"]


def test_update_keeps_null_by_default(db):
    run(db, "UPDATE 'john' WITH {age: null} IN users")
    assert doc(db, "john")["age"] is None
    assert "age" in doc(db, "john")


def test_update_keep_null_false_removes_attributes(db):
    run(db, "UPDATE 'john' WITH {age: null, foobar: true} IN users OPTIONS {keepNull: false}")
    assert doc(db, "john") == {
        "name": {"first": "John", "last": "Doe"},
        "tags": ["a"],
        "foobar": True,
    }


def test_update_keep_null_false_removes_sub_attributes(db):
    run(db, "UPDATE 'john' WITH {name: {last: null}} IN users OPTIONS {keepNull: false}")
    assert doc(db, "john")["name"] == {"first": "John"}


def test_keep_null_false_does_not_touch_objects_inside_arrays(db):
    run(db, "UPDATE 'john' WITH {list: [{nested: null}]} IN users OPTIONS {keepNull: false}")
    assert doc(db, "john")["list"] == [{"nested": None}]


def test_keep_null_false_keeps_previously_stored_nulls(db):
    run(db, "UPDATE 'mary' WITH {age: 26} IN users OPTIONS {keepNull: false}")
    assert doc(db, "mary")["gone"] is None


def test_update_cannot_change_system_attributes(db):
    old = db.get("users", "john")
    (new,) = run(db, "UPDATE 'john' WITH {_key: 'x', _id: 'x/y', _rev: 'r'} IN users RETURN NEW")
    assert (new["_key"], new["_id"]) == ("john", "users/john")
    assert new["_rev"] not in (old["_rev"], "r")


def test_update_can_change_edge_endpoints(db):
    (new,) = run(db, "UPDATE 'e1' WITH {_to: 'users/john'} IN edges RETURN NEW")
    assert (new["_from"], new["_to"]) == ("users/john", "users/john")


def test_update_to_invalid_edge_endpoint(db):
    assert query_error(db, "UPDATE 'e1' WITH {_to: 'nonsense'} IN edges") == 1233


def test_update_counter_from_missing_attribute(db):
    run(
        db,
        "FOR u IN users UPDATE u WITH {karma: u.karma + 1, hobbies: PUSH(u.hobbies, 'swimming')} IN users",
    )
    assert [(d["karma"], d["hobbies"]) for d in run(db, "FOR u IN users RETURN u")] == [
        (1, ["swimming"]),
        (1, ["swimming"]),
    ]


def test_update_missing_document(db):
    assert query_error(db, "UPDATE 'nope' WITH {a: 1} IN users") == 1202


def test_update_without_key(db):
    assert query_error(db, "UPDATE {name: 'Jon'} IN users") == 1226


@pytest.mark.parametrize(
    "query", ["UPDATE 'john' WITH 5 IN users", "FOR u IN users UPDATE u.foobar IN users"]
)
def test_update_needs_objects(db, query):
    assert query_error(db, query) == 1227


def test_update_sees_previous_updates_of_the_same_query(db):
    rows = run(db, "FOR i IN 1..3 UPDATE 'john' WITH {age: i} IN users RETURN [OLD.age, NEW.age]")
    assert rows == [[30, 1], [1, 2], [2, 3]]


# --------------------------------------------------------------------------- REPLACE


def test_replace_replaces_the_whole_document(db):
    (old, new) = run(db, "REPLACE 'john' WITH {only: true} IN users RETURN [OLD, NEW]")[0]
    assert old["age"] == 30
    assert strip_system(new) == {"only": True}
    assert (new["_key"], new["_id"]) == ("john", "users/john")
    assert doc(db, "john") == {"only": True}


def test_replace_with_key_in_document(db):
    run(db, "REPLACE {_key: 'john', v: 2} IN users")
    assert doc(db, "john") == {"v": 2}


def test_replace_keeps_null_values(db):
    run(db, "REPLACE 'john' WITH {v: null} IN users")
    assert doc(db, "john") == {"v": None}


@pytest.mark.parametrize(
    "query",
    [
        "UPDATE 'users/john' WITH {z: 1} IN users",
        "REPLACE 'users/john' WITH {z: 1} IN users",
        "UPDATE {_id: 'users/john'} WITH {z: 1} IN users",
        "REPLACE {_id: 'users/john', z: 1} IN users",
    ],
)
def test_update_and_replace_do_not_take_document_ids(db, query):
    # "You cannot define the document to update using an _id attribute, nor pass a
    #  document identifier as a string (like "users/john")."
    before = db.get("users", "john")
    with pytest.raises(ArangoMLMetaError):
        db.query(query)
    assert db.get("users", "john") == before


def test_replace_missing_document(db):
    assert query_error(db, "REPLACE 'nope' WITH {} IN users") == 1202


# --------------------------------------------------------------------------- REMOVE


@pytest.mark.parametrize(
    "target",
    ["'john'", "{_key: 'john'}", "DOCUMENT('users/john')", "{_key: 'john', other: 1}"],
)
def test_remove_by_key_or_document(db, target):
    (old,) = run(db, f"LET t = {target} REMOVE t IN users RETURN OLD")
    assert old["_key"] == "john" and old["age"] == 30
    assert db.get("users", "john") is None


def test_remove_in_loop(db):
    assert run(db, "FOR u IN users REMOVE u IN users") == []
    assert db.count("users") == 0


def test_remove_missing_document(db):
    assert query_error(db, "REMOVE 'nope' IN users") == 1202


def test_remove_without_key(db):
    assert query_error(db, "REMOVE {} IN users") == 1226


def test_remove_needs_key_or_object(db):
    assert query_error(db, "FOR u IN users REMOVE u.foobar IN users") == 1227


def test_new_is_not_defined_after_remove(db):
    # ArangoDB's test suite: "REMOVE 'abc' IN @@cn LET removed = NEW RETURN removed" -> 1203
    assert query_error(db, "REMOVE 'john' IN users LET removed = NEW RETURN removed") == 1203


# --------------------------------------------------------------------------- UPSERT


def test_upsert_inserts_when_nothing_matches(db):
    (row,) = run(
        db,
        "UPSERT {name: 'superuser'} INSERT {name: 'superuser', logins: 1} UPDATE {logins: OLD.logins + 1} "
        "IN users RETURN {doc: NEW, type: OLD ? 'update' : 'insert'}",
    )
    assert row["type"] == "insert"
    assert strip_system(row["doc"]) == {"name": "superuser", "logins": 1}


def test_upsert_updates_the_match_with_old(db):
    query = (
        "UPSERT {name: 'superuser'} INSERT {name: 'superuser', logins: 1} UPDATE {logins: OLD.logins + 1} "
        "IN users RETURN [OLD.logins, NEW.logins]"
    )
    assert run(db, query) == [[None, 1]]
    assert run(db, query) == [[1, 2]]
    assert run(db, query) == [[2, 3]]
    assert db.count("users") == 3


def test_upsert_in_a_loop_sees_its_own_writes(db):
    query = "FOR i IN 1..3 UPSERT {k: 'x'} INSERT {k: 'x', n: 1} UPDATE {n: OLD.n + 1} IN users RETURN NEW.n"
    assert run(db, query) == [1, 2, 3]


def test_upsert_matches_nested_example(db):
    rows = run(
        db, "UPSERT {name: {first: 'John'}} INSERT {} UPDATE {hit: true} IN users RETURN NEW._key"
    )
    assert rows == ["john"]


def test_upsert_example_values_compare_exactly(db):
    run(db, "UPSERT {age: '30'} INSERT {age: '30', new: true} UPDATE {hit: true} IN users")
    assert db.count("users") == 3
    assert "hit" not in doc(db, "john")


def test_upsert_replace(db):
    run(db, "UPSERT {age: 30} INSERT {} REPLACE {only: 1} IN users")
    assert doc(db, "john") == {"only": 1}


def test_upsert_filter_syntax(db):
    rows = run(
        db,
        "UPSERT FILTER CURRENT.age < 28 AND STARTS_WITH(CURRENT.name.first, 'M') "
        "INSERT {} UPDATE {young: true} IN users RETURN NEW._key",
    )
    assert rows == ["mary"]


def test_upsert_filter_without_match_inserts(db):
    rows = run(
        db,
        "UPSERT FILTER CURRENT.age > 99 INSERT {old: true} UPDATE {} IN users RETURN [OLD, NEW.old]",
    )
    assert rows == [[None, True]]


def test_upsert_empty_example_matches_any_document(db):
    run(db, "UPSERT {} INSERT {bar: 'baz'} UPDATE {bark: 'bart'} IN users")
    assert db.count("users") == 2
    assert run(db, "FOR u IN users FILTER u.bark == 'bart' RETURN u._key") in (["john"], ["mary"])


def test_upsert_on_empty_collection_inserts(db):
    db.truncate("other")
    run(db, "UPSERT {} INSERT {bar: 'baz'} UPDATE {bark: 'bart'} IN other")
    assert [strip_system(d) for d in run(db, "FOR d IN other RETURN d")] == [{"bar": "baz"}]


def test_upsert_update_keep_null(db):
    run(
        db,
        "UPSERT {_key: 'john'} INSERT {} UPDATE {age: null, foxx: null} IN users OPTIONS {keepNull: false}",
    )
    assert "age" not in doc(db, "john") and "foxx" not in doc(db, "john")
    run(db, "UPSERT {_key: 'mary'} INSERT {} UPDATE {age: null} IN users OPTIONS {keepNull: true}")
    assert doc(db, "mary")["age"] is None


def test_upsert_with_bind_parameter_example(db):
    rows = run(
        db, "UPSERT @what INSERT {} UPDATE {hit: true} IN users RETURN NEW._key", what={"age": 25}
    )
    assert rows == ["mary"]


@pytest.mark.parametrize(
    "query",
    [
        "UPSERT 'john' INSERT {} UPDATE {} IN users",
        "UPSERT {[CONCAT('a', 'ge')]: 30} INSERT {} UPDATE {} IN users",
    ],
)
def test_upsert_search_must_be_an_object_literal(db, query):
    assert query_error(db, query) == 1501


@pytest.mark.parametrize(
    "query",
    ["UPSERT {} INSERT 'foo' UPDATE {} INTO other", "UPSERT {} INSERT {} UPDATE null INTO users"],
)
def test_upsert_documents_must_be_objects(db, query):
    db.truncate("other")
    assert query_error(db, query) == 1227


# --------------------------------------------------------------------------- ignoreErrors


def test_ignore_errors_skips_failing_rows(db):
    run(
        db,
        "FOR k IN ['john', 'nope', 'mary'] UPDATE k WITH {seen: true} IN users "
        "OPTIONS {ignoreErrors: true}",
    )
    assert run(db, "FOR u IN users RETURN [u._key, u.seen]") == [["john", True], ["mary", True]]


def test_ignore_errors_on_insert_of_duplicates(db):
    run(
        db,
        "FOR k IN ['a', 'john', 'b'] INSERT {_key: k, n: 1} INTO users OPTIONS {ignoreErrors: true}",
    )
    assert run(db, "FOR u IN users RETURN [u._key, u.n]") == [
        ["john", None],
        ["mary", None],
        ["a", 1],
        ["b", 1],
    ]


def test_ignore_errors_on_remove(db):
    run(db, "FOR k IN ['nope', 'mary'] REMOVE k IN users OPTIONS {ignoreErrors: true}")
    assert run(db, "FOR u IN users RETURN u._key") == ["john"]


def test_options_may_use_bind_parameters(db):
    run(db, "FOR k IN ['nope', 'mary'] REMOVE k IN users OPTIONS {ignoreErrors: @ie}", ie=True)
    assert run(db, "FOR u IN users RETURN u._key") == ["john"]


def test_without_ignore_errors_the_first_error_aborts(db):
    assert query_error(db, "FOR k IN ['john', 'nope'] UPDATE k WITH {seen: true} IN users") == 1202
    assert "seen" not in doc(db, "john")


# --------------------------------------------------------------------------- ignoreRevs


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(
            "UPDATE {_key: 'john', _rev: 'wrong'} WITH {a: 1} IN users OPTIONS {ignoreRevs: false}",
        ),
        "UPDATE {_key: 'john', _rev: 'wrong', a: 1} IN users OPTIONS {ignoreRevs: false}",
        "REPLACE {_key: 'john', _rev: 'wrong', a: 1} IN users OPTIONS {ignoreRevs: false}",
        "REMOVE {_key: 'john', _rev: 'wrong'} IN users OPTIONS {ignoreRevs: false}",
    ],
)
def test_ignore_revs_false_with_wrong_rev_is_a_conflict(db, query):
    before = db.get("users", "john")
    assert query_error(db, query) == 1200
    assert db.get("users", "john") == before


def test_ignore_revs_false_with_matching_rev(db):
    rev = db.get("users", "john")["_rev"]
    run(
        db,
        "UPDATE {_key: 'john', _rev: @rev} WITH {a: 1} IN users OPTIONS {ignoreRevs: false}",
        rev=rev,
    )
    assert doc(db, "john")["a"] == 1


def test_wrong_rev_is_ignored_by_default(db):
    run(db, "UPDATE {_key: 'john', _rev: 'wrong', a: 1} IN users")
    assert doc(db, "john")["a"] == 1


def test_ignore_revs_false_with_rev_from_a_stale_read(db):
    query = (
        "FOR u IN users FILTER u._key == 'john' "
        "UPDATE u WITH {n: 1} IN users OPTIONS {ignoreRevs: false} RETURN NEW.n"
    )
    assert run(db, query) == [1]
    stale = {"_key": "john", "_rev": "_stale_", "n": 2}
    assert (
        error_num(db.query, "UPDATE @d IN users OPTIONS {ignoreRevs: false}", {"d": stale}) == 1200
    )


# --------------------------------------------------------------------------- access after modification


@pytest.mark.parametrize(
    "query",
    [
        "INSERT {} INTO users FOR u IN users RETURN u",
        "INSERT {} INTO users RETURN (FOR u IN users RETURN u)",
        "INSERT {} INTO users RETURN DOCUMENT('users/john')",
        "UPSERT {} INSERT {} UPDATE {} INTO users RETURN DOCUMENT('foo')",
        "UPSERT {} INSERT {} UPDATE {} INTO users RETURN (FOR i IN users RETURN i)",
        "LET x = (INSERT {} INTO users) FOR u IN users RETURN u",
        "INSERT {_from: 'users/a', _to: 'users/b'} INTO edges FOR v IN 1 OUTBOUND 'users/john' edges RETURN v",
    ],
)
def test_reading_a_collection_after_modifying_it(db, query):
    assert query_error(db, query) == 1579


@pytest.mark.parametrize(
    "query",
    [
        "INSERT {v: 1} INTO users INSERT {v: 2} INTO users",
        "REMOVE 'john' IN users UPDATE 'mary' WITH {} IN users",
    ],
)
def test_only_one_modification_per_collection(db, query):
    # "Only a single INSERT statement per collection is allowed per AQL query"
    assert query_error(db, query) == 1579


def test_collection_operand_after_modification_is_access_after_modification(db):
    # ArangoDB's test suite: "REMOVE 'abc' IN @@cn LET removed1 = OLD RETURN @@cn" -> 1579
    assert query_error(db, "REMOVE 'john' IN users LET removed1 = OLD RETURN users") == 1579


def test_reading_before_modifying_is_allowed(db):
    run(db, "FOR u IN users INSERT {copy: u._key} INTO users")
    assert db.count("users") == 4


def test_modifying_two_collections_in_one_query(db):
    rows = run(
        db,
        "INSERT {value: 1} INTO users LET id1 = (UPDATE 'john' WITH {value: 2} IN other) RETURN NEW.value",
    )
    assert rows == [1]
    assert doc(db, "john", "other")["value"] == 2


def test_reading_another_collection_after_modification_is_allowed(db):
    rows = run(db, "INSERT {} INTO users FOR o IN other RETURN o._key")
    assert rows == ["john"]


def test_old_and_new_can_be_user_variable_names(db):
    run(
        db,
        "FOR OLD IN users FILTER OLD._key == 'john' LET NEW = OLD UPDATE NEW WITH {z: 1} IN users",
    )
    assert doc(db, "john")["z"] == 1


def test_failed_modification_raises_package_error(db):
    with pytest.raises(ArangoMLMetaError):
        db.query("REMOVE 'nope' IN users")
