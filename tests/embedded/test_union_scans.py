"""A FOR over a UNION of collection scans runs its FILTERs, SORT and LIMIT in each scan
(``union_scans.py``), and a FILTER's ``@p == null OR ...`` holds for every document when
``@p`` is null (``planner.py``).

Both may only make a query cheaper: every result must equal the one of the union
read whole, then filtered and sorted, for any data (missing attributes, nulls,
names that are not strings, ties in the sort), offset and shape of query.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from arangoml_meta.embedded import EmbeddedDatabase, executor, layout, planner
from arangoml_meta.errors import ArangoMLMetaError

from .helpers import make_db

UNION = "UNION((FOR x IN a RETURN x), (FOR y IN b RETURN y), (FOR z IN c RETURN z))"

SEARCH = f"""
LET needle = LOWER(@text)
FOR d IN {UNION}
  FILTER @text == null
    OR CONTAINS(LOWER(d.name), needle)
    OR LENGTH(d.tags[* FILTER CONTAINS(LOWER(CURRENT), needle)]) > 0
  FILTER @tag == null OR @tag IN d.tags
  SORT d._id
  LIMIT @offset, @count
  RETURN {{id: d._id, name: d.name, tags: d.tags}}
"""

SHAPES = [
    SEARCH,
    f"FOR d IN {UNION} SORT d.group, d._id DESC LIMIT @offset, @count RETURN d._id",
    f"FOR d IN {UNION} SORT d.group LIMIT @offset, @count RETURN d._id",  # ties
    f"FOR d IN {UNION} SORT d.name DESC LIMIT @offset, @count RETURN [d._id, d.name]",
    f"FOR d IN {UNION} FILTER d.group == 1 SORT d._key LIMIT @offset, @count RETURN d._id",
    f"FOR d IN {UNION} FILTER d.n > 3 RETURN d._id",
    f"FOR d IN {UNION} FILTER d.n > 3 LIMIT @offset, @count RETURN d._id",
    f"FOR d IN {UNION} SORT d._id LIMIT @count RETURN d",
    f"FOR d IN {UNION} SORT d.group LIMIT 2, 3 RETURN d._id",
    f"FOR o IN [1, 2] FOR d IN {UNION} FILTER d.group == o SORT d._id LIMIT 2 RETURN [o, d._id]",
]

NAMES = ["Churn model", "churn", None, 42, ["churn"], "CHURN-2", "other", True, "Ünïcode"]
TAGS = [["gdpr", "Churn"], [], None, ["x"], "gdpr", [1, None]]


def documents(prefix: str, count: int) -> list[dict[str, Any]]:
    docs = []
    for i in range(count):
        doc: dict[str, Any] = {"_key": f"{prefix}{i % 5}-{'Aa_'[i % 3]}{i}", "group": i % 3}
        if i % 4:
            doc["name"] = NAMES[i % len(NAMES)]
        if i % 5:
            doc["tags"] = TAGS[i % len(TAGS)]
        doc["n"] = i if i % 7 else None
        docs.append(doc)
    return docs


@contextlib.contextmanager
def union_read_whole() -> Iterator[None]:
    """Compile queries as written: the union read whole, and no conjunct known to hold."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(executor, "compile_union_scans", lambda *args: None)
        patch.setattr(planner, "_leading_disjunct", lambda node: None)
        yield


def outcome(db: EmbeddedDatabase, aql: str, bind: dict[str, Any]) -> Any:
    """The rows of ``aql`` (or the error number it fails with), compiled afresh."""
    db._cache.clear()
    try:
        return list(db.query(aql, bind))
    except ArangoMLMetaError as exc:
        return ("error", exc.error_num)


@pytest.fixture(scope="module")
def db() -> Iterator[EmbeddedDatabase]:
    data = {"a": documents("a", 40), "b": documents("B", 25), "c": []}
    with make_db(data) as database:
        yield database


@pytest.mark.parametrize("aql", SHAPES)
@pytest.mark.parametrize("text", [None, "churn", "ü", "nothing"])
@pytest.mark.parametrize("tag", [None, "gdpr"])
@pytest.mark.parametrize(("offset", "count"), [(0, 5), (3, 4), (0, 100), (0, 0), (60, 10)])
def test_the_union_of_scans_gives_what_the_whole_union_gives(
    db: EmbeddedDatabase, aql: str, text: Any, tag: Any, offset: int, count: int
) -> None:
    bind = {"text": text, "tag": tag, "offset": offset, "count": count}
    bind = {name: value for name, value in bind.items() if "@" + name in aql}
    with union_read_whole():
        expected = outcome(db, aql, bind)
    assert outcome(db, aql, bind) == expected


@pytest.mark.parametrize("bad", [-1, "x", None])
def test_a_bad_limit_fails_as_before(db: EmbeddedDatabase, bad: Any) -> None:
    aql = f"FOR d IN {UNION} SORT d._id LIMIT @offset, 2 RETURN d._id"
    with union_read_whole():
        expected = outcome(db, aql, {"offset": bad})
    assert expected[0] == "error"
    assert outcome(db, aql, {"offset": bad}) == expected


def test_counted_statistics_read_the_whole_union(db: EmbeddedDatabase) -> None:
    aql = f"FOR d IN {UNION} FILTER d.group == 1 SORT d._id LIMIT 3 RETURN d._id"
    with union_read_whole():
        expected = db.query(aql, options={"fullCount": True}, statistics=True)
    db._cache.clear()
    found = db.query(aql, options={"fullCount": True}, statistics=True)
    assert list(found) == list(expected)
    assert found.stats["scannedFull"] == expected.stats["scannedFull"] == 65


def test_each_scan_reads_only_the_first_rows_in_id_order() -> None:
    data = {"a": documents("a", 3000), "b": documents("b", 3000), "c": documents("c", 10)}
    decoded = []
    decode = layout.decode

    def counting(text: Any) -> Any:
        decoded.append(text)
        return decode(text)

    with make_db(data) as db, pytest.MonkeyPatch.context() as patch:
        patch.setattr(layout, "decode", counting)
        rows = list(db.query(SEARCH, {"text": None, "tag": None, "offset": 0, "count": 10}))
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    assert len(rows) == 10
    assert len(decoded) < 100  # not the 6,010 documents of the union


def test_a_condition_that_reads_the_document_first_is_checked_for_every_one() -> None:
    # `d.n / 0` warns for each document read: put first, it is not skipped
    aql = "FOR d IN a FILTER d.n / 0 == 1 OR @x == null RETURN d._key"
    with make_db({"a": documents("a", 4)}) as db:
        result = db.query(aql, {"x": None})
        assert len(result) == 4
        assert result.warnings  # division by zero
        assert not db.query(
            "FOR d IN a FILTER @x == null OR d.n / 0 == 1 RETURN 1", {"x": None}
        ).warnings
