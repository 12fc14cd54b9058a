"""``store.dump(dir)`` / ``store.restore(dir)``: arangodump's format, both ways, on every backend."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from arangoml_meta.dumps.files import data_file, structure_file
from arangoml_meta.errors import (
    ERROR_ARANGO_COLLECTION_TYPE_INVALID,
    ERROR_ARANGO_DOCUMENT_KEY_BAD,
    ERROR_ARANGO_DUPLICATE_NAME,
    ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE,
    ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED,
    ERROR_BAD_PARAMETER,
    ERROR_CANNOT_OVERWRITE_FILE,
    ERROR_FILE_NOT_FOUND,
    ERROR_HTTP_CORRUPTED_JSON,
    ERROR_NOT_IMPLEMENTED,
    ArangoMLMetaError,
    DumpError,
    error_for,
)
from arangoml_meta.store import MetadataStore, open_store

from .conftest import LineageGraph, register_tokenizers
from .pipeline import committed_steps, writing_pipeline


@pytest.fixture
def source(tmp_path: Path) -> MetadataStore:
    """An embedded store with some of everything: types (one registered), versions, a run
    with its environment, links, a deletion, values of every JSON kind."""
    store = open_store(str(tmp_path / "source"), actor="alice")
    register_tokenizers(store, tmp_path)
    raw = store.register("datasets", "raw", rows=10**15, tags=["ünïcode", "日本"])
    clean = store.register(
        "datasets", "raw", rows=9, stats={"mean": 0.1, "nested": [1, None, True]}
    )
    store.link(raw, clean, "subset_of")
    with store.run("train", inputs={"train": clean}, params={"lr": 1e-3}) as run:
        run.log_metric("loss", 0.25, step=1)
        model = run.register_output("models", "clf", framework="sklearn")
    store.link(model, store.register("deployments", "prod"), "deployed_as")
    store.register("tokenizers", "bpe", vocabulary=32000)
    store.delete(store.register("datasets", "scratch"))
    yield store
    store.close()


def dumped(store: MetadataStore, directory: Path) -> Path:
    store.dump(directory)
    return directory


def fresh(tmp_path: Path, name: str = "target") -> MetadataStore:
    return open_store(str(tmp_path / name))


def contents(store: MetadataStore) -> dict[str, Any]:
    """Everything a dump carries, as the store reads it back (embedded: in scan order)."""
    db = store.backend.db  # type: ignore[attr-defined]
    collections = sorted(c["name"] for c in db.collections())
    return {
        "documents": {
            name: store.query("FOR d IN @@c RETURN d", {"@c": name}) for name in collections
        },
        "indexes": {
            name: [{k: v for k, v in i.items() if k != "id"} for i in db.indexes(name)]
            for name in collections
        },
        "graphs": db.storage.graphs(),
        "kinds": {c["name"]: c["type"] for c in db.collections()},
    }


def files_of(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def counts(store: MetadataStore) -> dict[str, int]:
    return {**store.info()["counts"], "artifact_types": store.backend.count("artifact_types")}


# ---------------------------------------------------------------------- bad dumps


def test_a_missing_directory_is_error_14(tmp_path: Path) -> None:
    with fresh(tmp_path) as target, pytest.raises(DumpError, match="no dump directory") as caught:
        target.restore(tmp_path / "nowhere")
    assert caught.value.error_num == ERROR_FILE_NOT_FOUND


def test_a_directory_without_dump_json_is_not_a_dump(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with fresh(tmp_path) as target, pytest.raises(DumpError, match=r"dump\.json") as caught:
        target.restore(tmp_path / "empty")
    assert caught.value.error_num == ERROR_FILE_NOT_FOUND


@pytest.mark.parametrize(
    ("file", "content", "number", "message"),
    [
        ("dump.json", b'{"database": ', ERROR_HTTP_CORRUPTED_JSON, "not valid JSON"),
        ("dump.json", b"[1, 2]", ERROR_BAD_PARAMETER, "not a JSON object"),
        ("datasets.structure", b"{not json", ERROR_HTTP_CORRUPTED_JSON, "not valid JSON"),
        ("datasets.structure", b'{"parameters": []}', ERROR_BAD_PARAMETER, "wrong format"),
        (
            "datasets.structure",
            b'{"parameters": {"name": "models"}, "indexes": []}',
            ERROR_BAD_PARAMETER,
            "not the one its file name says",
        ),
        (
            "datasets.structure",
            b'{"parameters": {"name": "datasets", "type": 4}, "indexes": []}',
            ERROR_BAD_PARAMETER,
            "neither 2",
        ),
        (
            "datasets.structure",
            b'{"parameters": {"name": "datasets"}, "indexes": [{"type": "fulltext", "fields": ["p"]}]}',
            ERROR_NOT_IMPLEMENTED,
            "'fulltext' cannot be restored",
        ),
        (
            "datasets.structure",
            b'{"parameters": {"name": "datasets"}, "indexes": [{"type": "geo", "fields": ["a", "b", "c"]}]}',
            ERROR_BAD_PARAMETER,
            "a geo index: invalid number of index attributes",
        ),
        ("datasets.data", b'{"_key": "raw-v1", "name": "raw"}\n{"_key": "x", ', 600, ":2 is not"),
        ("datasets.data", b'{"_key": "a"}\n[1]\n', ERROR_BAD_PARAMETER, ":2 is not a JSON object"),
        ("datasets.data", b'{"_key": "a b"}\n', ERROR_ARANGO_DOCUMENT_KEY_BAD, ":1: illegal"),
        ("datasets.data", b'{"name": "no key"}\n', ERROR_ARANGO_DOCUMENT_KEY_BAD, ":1: illegal"),
        ("datasets.data", b'{"_key": "a"}\n{"_key": "a"}\n', ERROR_BAD_PARAMETER, "twice"),
        (
            "inputs.data",
            b'{"_key": "1", "_to": "runs/r"}\n',
            ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE,
            ":1: invalid edge",
        ),
        ("datasets.data", None, ERROR_FILE_NOT_FOUND, "no data file for collection datasets"),
        ("_graphs.data", b'{"_key": "lineage", "edgeDefinitions": 5}\n', 10, "edgeDefinitions"),
        (
            "_graphs.data",
            b'{"_key": "g", "edgeDefinitions": [{"collection": "datasets", "from": [], "to": []}]}\n',
            ERROR_BAD_PARAMETER,
            "not an edge collection",
        ),
    ],
)
def test_a_bad_file_is_a_clear_error_and_nothing_is_written(
    source: MetadataStore,
    tmp_path: Path,
    file: str,
    content: bytes | None,
    number: int,
    message: str,
) -> None:
    directory = dumped(source, tmp_path / "dump")
    name, _, kind = file.partition(".")
    path = directory / (
        "dump.json"
        if name == "dump"
        else (structure_file if kind == "structure" else data_file)(name)
    )
    if content is None:
        path.unlink()
    else:
        path.write_bytes(content)
    with fresh(tmp_path) as target:
        before = contents(target)
        with pytest.raises(ArangoMLMetaError, match=message) as caught:
            target.restore(directory)
        assert caught.value.error_num == number
        assert isinstance(caught.value, type(error_for(number, "")))  # the class of its number
        assert contents(target) == before


def test_velocypack_and_split_dumps_are_refused_with_what_to_do(
    source: MetadataStore, tmp_path: Path
) -> None:
    directory = dumped(source, tmp_path / "dump")
    info = json.loads((directory / "dump.json").read_text())
    (directory / "dump.json").write_text(json.dumps({**info, "useVPack": True}))
    with fresh(tmp_path) as target, pytest.raises(DumpError, match="use-vpack") as caught:
        target.restore(directory)
    assert caught.value.error_num == ERROR_NOT_IMPLEMENTED
    (directory / "dump.json").write_text(json.dumps(info))
    split = directory / data_file("datasets")
    split.rename(split.with_name(split.name.replace(".data.json", ".0.data.json")))
    with fresh(tmp_path) as target, pytest.raises(DumpError, match="split-files") as caught:
        target.restore(directory)
    assert caught.value.error_num == ERROR_NOT_IMPLEMENTED


def test_a_failure_while_writing_rolls_the_whole_restore_back(
    source: MetadataStore, tmp_path: Path
) -> None:
    """Two versions with one (name, version): the unique index refuses them only once the
    documents are written, and the one transaction of the embedded restore goes."""
    directory = dumped(source, tmp_path / "dump")
    path = directory / data_file("datasets")
    lines = path.read_bytes().splitlines()
    twin = json.loads(lines[0])
    twin["_key"] = "twin"
    path.write_bytes(b"\n".join([*lines, json.dumps(twin).encode()]) + b"\n")
    with fresh(tmp_path) as target:
        before = contents(target)
        with pytest.raises(ArangoMLMetaError) as caught:
            target.restore(directory)
        assert caught.value.error_num == ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED
        assert contents(target) == before


# ---------------------------------------------------------------------- refusals


def test_a_store_with_data_is_not_restored_into(source: MetadataStore, tmp_path: Path) -> None:
    directory = dumped(source, tmp_path / "dump")
    with fresh(tmp_path) as target:
        target.register("datasets", "mine")
        with pytest.raises(ArangoMLMetaError, match="--overwrite") as caught:
            target.restore(directory)
        assert caught.value.error_num == ERROR_ARANGO_DUPLICATE_NAME
        assert [d["name"] for d in target.find("datasets")] == ["mine"]


def test_a_store_with_a_registered_type_is_not_empty(source: MetadataStore, tmp_path: Path) -> None:
    directory = dumped(source, tmp_path / "dump")
    with fresh(tmp_path) as target:
        register_tokenizers(target, tmp_path)
        with pytest.raises(ArangoMLMetaError, match="registered types"):
            target.restore(directory)


def test_overwrite_replaces_the_dumped_collections(source: MetadataStore, tmp_path: Path) -> None:
    directory = dumped(source, tmp_path / "dump")
    with fresh(tmp_path) as target:
        target.register("datasets", "mine")
        target.restore(directory, overwrite=True)
        assert contents(target) == contents(source)


def test_a_collection_of_the_other_kind_is_error_1218(
    source: MetadataStore, tmp_path: Path
) -> None:
    directory = dumped(source, tmp_path / "dump")
    path = directory / structure_file("projects")
    structure = json.loads(path.read_text())
    structure["parameters"]["type"] = 3
    path.write_text(json.dumps(structure))
    with fresh(tmp_path) as target:
        before = contents(target)
        with pytest.raises(ArangoMLMetaError) as caught:
            target.restore(directory)
        assert caught.value.error_num == ERROR_ARANGO_COLLECTION_TYPE_INVALID
        assert contents(target) == before


def test_a_dump_into_a_directory_that_is_not_empty_is_refused(
    source: MetadataStore, tmp_path: Path
) -> None:
    (tmp_path / "dump").mkdir()
    (tmp_path / "dump" / "notes.txt").write_text("mine")
    with pytest.raises(DumpError, match="--overwrite") as caught:
        source.dump(tmp_path / "dump")
    assert caught.value.error_num == ERROR_CANNOT_OVERWRITE_FILE
    (tmp_path / "file").write_text("x")
    with pytest.raises(DumpError) as caught:
        source.dump(tmp_path / "file", overwrite=True)
    assert caught.value.error_num == ERROR_CANNOT_OVERWRITE_FILE
    assert sorted(p.name for p in (tmp_path / "dump").iterdir()) == ["notes.txt"]


def test_overwrite_replaces_the_dump_files_and_keeps_the_others(
    source: MetadataStore, tmp_path: Path
) -> None:
    directory = dumped(source, tmp_path / "dump")
    stale = directory / data_file("gone")
    stale.write_text("")
    (directory / "notes.txt").write_text("mine")
    source.register("datasets", "later")
    source.dump(directory, overwrite=True)
    assert not stale.exists() and (directory / "notes.txt").read_text() == "mine"
    (directory / "notes.txt").unlink()
    assert files_of(directory) == files_of(dumped(source, tmp_path / "again"))


# ---------------------------------------------------------------------- the format


def test_the_files_are_those_arangodump_writes(source: MetadataStore, tmp_path: Path) -> None:
    directory = dumped(source, tmp_path / "dump")
    md5 = hashlib.md5(b"inputs").hexdigest()
    structure = json.loads((directory / f"inputs_{md5}.structure.json").read_text())
    parameters = structure["parameters"]
    assert (parameters["name"], parameters["type"]) == ("inputs", 3)
    assert parameters["keyOptions"] == {
        "type": "traditional",
        "allowUserKeys": True,
        "lastValue": 1,
    }
    assert all(i["type"] == "persistent" for i in structure["indexes"])
    datasets = json.loads((directory / structure_file("datasets")).read_text())["parameters"]
    assert datasets["type"] == 2 and datasets["schema"]["level"] == "moderate"
    assert datasets["schema"]["rule"]["properties"]["name"]["type"] == "string"
    (edge,) = [json.loads(line) for line in (directory / f"inputs_{md5}.data.json").open()]
    assert set(edge) >= {"_key", "_id", "_rev", "_from", "_to"}
    info = json.loads((directory / "dump.json").read_text())
    assert (info["useEnvelope"], info["useVPack"]) == (False, False)
    (graph,) = [json.loads(line) for line in (directory / data_file("_graphs")).open()]
    assert graph["_key"] == "lineage" and graph["_id"] == "_graphs/lineage"
    assert {d["collection"] for d in graph["edgeDefinitions"]} == {
        "inputs",
        "outputs",
        "derivations",
    }


def test_compressed_plain_named_and_enveloped_files_are_read(
    source: MetadataStore, tmp_path: Path
) -> None:
    """What arangodump writes with --compress-output, older releases' NAME.data.json, and
    --envelope true."""
    directory = dumped(source, tmp_path / "dump")
    info = json.loads((directory / "dump.json").read_text())
    (directory / "dump.json").write_text(json.dumps({**info, "useEnvelope": True}))
    for path in directory.glob("*.data.json"):
        lines = [json.loads(line) for line in path.open()]
        path.write_text("".join(json.dumps({"type": 2300, "data": d}) + "\n" for d in lines))
    models = directory / data_file("models")
    with gzip.open(f"{models}.gz", "wb") as out:
        out.write(models.read_bytes())
    models.unlink()
    (directory / data_file("runs")).rename(directory / "runs.data.json")
    with fresh(tmp_path) as target:
        target.restore(directory)
        assert contents(target) == contents(source)


# ---------------------------------------------------------------------- round trips


def test_embedded_dump_restore_embedded_is_identical(source: MetadataStore, tmp_path: Path) -> None:
    """Every document (keys, revisions, order), every index, the graph, the key
    generators: the restored store dumps to the same bytes."""
    directory = dumped(source, tmp_path / "dump")
    with fresh(tmp_path) as target:
        report = target.restore(directory)
        assert report.counts == {
            name: len(docs) for name, docs in contents(source)["documents"].items()
        }
        assert report.graphs == ["lineage"]
        assert contents(target) == contents(source)
        assert files_of(dumped(target, tmp_path / "again")) == files_of(directory)


def test_geo_and_inverted_indexes_are_dumped_and_restored(
    source: MetadataStore, tmp_path: Path
) -> None:
    """A geo or an inverted index (an embedded one, or one a team added on ArangoDB) comes
    back, kept current by the restored documents."""
    db = source.backend.db  # type: ignore[attr-defined]
    db.ensure_geo_index("datasets", ["where"], geo_json=True, name="by_place")
    db.ensure_inverted_index("models", {"fields": [{"name": "name", "analyzer": "text_en"}]})
    source.register("datasets", "mapped", where=[2.35, 48.85])
    directory = dumped(source, tmp_path / "dump")
    structure = json.loads((directory / structure_file("datasets")).read_text())
    (geo,) = [i for i in structure["indexes"] if i["type"] == "geo"]
    assert (geo["fields"], geo["geoJson"], geo["name"]) == (["where"], True, "by_place")
    models = json.loads((directory / structure_file("models")).read_text())
    (inverted,) = [i for i in models["indexes"] if i["type"] == "inverted"]
    assert inverted["fields"][0]["analyzer"] == "text_en"
    with fresh(tmp_path) as target:
        target.restore(directory)
        assert contents(target) == contents(source)
        near = (
            "FOR d IN datasets FILTER GEO_DISTANCE(d.where, [2.3, 48.8]) < 10000 "
            "FILTER d.where != null RETURN d.name"  # no position: null, which is < 10000
        )
        assert target.query(near) == ["mapped"]


def test_a_restored_store_goes_on_where_the_dump_ended(
    source: MetadataStore, tmp_path: Path
) -> None:
    directory = dumped(source, tmp_path / "dump")
    with fresh(tmp_path) as target:
        target.restore(directory)
        assert target.register("datasets", "raw")["version"] == 3
        edge = target.link("datasets/raw-v1", "datasets/raw-v3", "subset_of")
        assert edge["_key"] not in {
            d["_key"] for d in source.query("FOR d IN derivations RETURN d")
        }
        assert target.register("tokenizers", "bpe", vocabulary=1)["version"] == 2
        assert {r["_id"] for r in target.downstream("datasets/raw-v2")} >= {"models/clf-v1"}


def test_a_store_of_any_backend_dumps_and_restores(
    lineage_graph: LineageGraph, tmp_path: Path
) -> None:
    """Dumped from each backend, restored into an embedded store."""
    store = lineage_graph.store
    report = store.dump(tmp_path / "dump")
    assert report.graphs == ["lineage"]
    with fresh(tmp_path) as target:
        target.restore(tmp_path / "dump", overwrite=store.backend.name != "embedded")
        assert counts(target) == counts(store)
        assert {r["_id"] for r in target.downstream("datasets/raw-v1")} == {
            r["_id"] for r in store.downstream("datasets/raw-v1")
        }


def test_an_embedded_dump_restores_into_every_backend(
    source: MetadataStore, store: MetadataStore, tmp_path: Path
) -> None:
    directory = dumped(source, tmp_path / "dump")
    store.restore(directory)
    assert counts(store) == counts(source)
    for name in ("datasets", "runs", "inputs", "derivations", "tokenizers"):
        mine = store.query("FOR d IN @@c SORT d._key RETURN UNSET(d, '_rev')", {"@c": name})
        theirs = source.query("FOR d IN @@c SORT d._key RETURN UNSET(d, '_rev')", {"@c": name})
        assert mine == theirs
    assert sorted(store.backend.graph_definitions("lineage"), key=str) == sorted(
        source.backend.graph_definitions("lineage"), key=str
    )
    assert store.register("datasets", "raw")["version"] == 3


def test_geo_and_inverted_indexes_restore_into_every_backend(
    source: MetadataStore, store: MetadataStore, tmp_path: Path
) -> None:
    db = source.backend.db  # type: ignore[attr-defined]
    db.ensure_geo_index("datasets", ["lat", "lon"])
    db.ensure_inverted_index("models", {"fields": ["name"]})
    store.restore(dumped(source, tmp_path / "dump"))

    def types(name: str) -> list[str]:
        backend: Any = store.backend
        if backend.name == "embedded":
            return [i["type"] for i in backend.db.indexes(name)]
        return [
            i["type"] for i in backend.api("get", "/_api/index", {"collection": name})["indexes"]
        ]

    assert "geo" in types("datasets") and "inverted" in types("models")


def test_a_dump_under_a_writing_pipeline_is_one_moment_of_the_store(tmp_path: Path) -> None:
    """A process commits steps without pause while the embedded store is dumped: the dump
    holds every step acknowledged before it began, each whole, without gaps."""
    path = str(tmp_path / "live")
    open_store(path).close()
    with writing_pipeline(path) as pipeline:
        before = pipeline.wait_for(200)
        with open_store(path) as live:
            live.dump(tmp_path / "dump")
        pipeline.wait_for(len(pipeline.acknowledged) + 50)
    with fresh(tmp_path) as target:
        target.restore(tmp_path / "dump")
        steps = committed_steps(target)
    assert steps[:before] == list(range(before))
