"""What a user can do wrong with a store location comes out as one error line with a number:
reading where there is no store (nothing is created), a damaged or foreign file, a read-only
store, a deep document, a bad database name, a URL that is not ArangoDB's."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import sqlite3
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from arangoml_meta.backends import Backend
from arangoml_meta.backends.embedded import STORE_FILE
from arangoml_meta.backends.http_failures import raised_by_driver
from arangoml_meta.cli import app
from arangoml_meta.errors import ArangoMLMetaError
from arangoml_meta.store import open_store

from .conftest import Cli, fails, succeeds

READ_COMMANDS = [
    ["store", "info"],
    ["types", "list"],
    ["types", "show", "datasets"],
    ["artifacts", "list", "datasets"],
    ["artifacts", "get", "datasets/iris@latest"],
    ["artifacts", "history", "datasets/iris"],
    ["runs", "list"],
    ["lineage", "up", "models/clf@latest"],
    ["query", "run", "compare_models", "--param", "metric=auc"],
    ["aql", "RETURN 1"],
]


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


@pytest.fixture(autouse=True)
def no_store_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ARANGOML_META_STORE", "ARANGOML_META_DATABASE", "ARANGOML_META_ACTOR"):
        monkeypatch.delenv(name, raising=False)


# --------------------------------------------------------------------------- no store there


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_read_command_where_there_is_no_store_says_so_and_creates_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    where = tmp_path / "nothing"
    fails(run("--store", str(where), *command), "[1228] no store at", str(where))
    assert not where.exists()


def test_a_read_command_in_a_directory_without_a_store_creates_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    fails(run("artifacts", "list", "datasets"), "[1228]", ".arangoml_meta")
    assert list(tmp_path.iterdir()) == []


def test_store_init_and_writing_commands_create_the_store(tmp_path: Path) -> None:
    succeeds(run("--store", str(tmp_path / "a"), "store", "init"))
    succeeds(run("--store", str(tmp_path / "b"), "artifacts", "add", "datasets", "iris", "rows=1"))
    # a writing query (that the datasets schema lets through: it removes what is not there)
    succeeds(
        run(
            "--store",
            str(tmp_path / "c"),
            "aql",
            "--write",
            "FOR d IN datasets REMOVE d IN datasets",
        )
    )
    for name in ("a", "b", "c"):
        assert (tmp_path / name / STORE_FILE).exists()
    assert "iris" in succeeds(run("--store", str(tmp_path / "b"), "artifacts", "list", "datasets"))


# --------------------------------------------------------------------------- bad files


def test_random_bytes_are_one_line(tmp_path: Path) -> None:
    (tmp_path / STORE_FILE).write_bytes(os.urandom(4096))
    fails(run("--store", str(tmp_path), "artifacts", "list", "datasets"), "[1100]", "not a store")


def test_a_damaged_store_is_one_line(tmp_path: Path) -> None:
    with open_store(str(tmp_path)) as store:
        for i in range(30):
            store.register("datasets", f"d{i}", rows=i, description="x" * 2000)
    data = (tmp_path / STORE_FILE).read_bytes()
    (tmp_path / STORE_FILE).write_bytes(data[: len(data) // 2])
    fails(run("--store", str(tmp_path), "artifacts", "list", "datasets"), "[1100]", "damaged")


def test_another_applications_database_is_refused_and_kept(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / STORE_FILE)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    fails(
        run("--store", str(tmp_path), "artifacts", "add", "datasets", "x"),
        "[1101]",
        "another application",
    )
    tables = sqlite3.connect(tmp_path / STORE_FILE).execute("SELECT name FROM sqlite_master")
    assert [name for (name,) in tables] == ["invoices"]


def test_a_file_uri_is_the_store_at_its_path(tmp_path: Path) -> None:
    uri = (tmp_path / "meta").as_uri()
    succeeds(run("--store", uri, "artifacts", "add", "datasets", "iris", "rows=3"))
    assert (tmp_path / "meta" / STORE_FILE).exists()
    fails(run("--store", uri + "?mode=ro", "store", "info"), "[10]", "file:")


# --------------------------------------------------------------------------- read-only


def test_read_only_reads_and_refuses_writes_with_1004(tmp_path: Path) -> None:
    succeeds(run("--store", str(tmp_path), "artifacts", "add", "datasets", "iris", "rows=3"))
    before = (tmp_path / STORE_FILE).read_bytes()
    listed = succeeds(run("--store", str(tmp_path), "--read-only", "artifacts", "list", "datasets"))
    assert "iris" in listed
    fails(
        run("--store", str(tmp_path), "--read-only", "artifacts", "add", "datasets", "more"),
        "[1004]",
        "read-only",
    )
    fails(
        run("--store", str(tmp_path), "--read-only", "aql", "--write", "INSERT {} INTO datasets"),
        "[1004]",
    )
    assert (tmp_path / STORE_FILE).read_bytes() == before


def test_read_only_where_there_is_no_store_creates_none(tmp_path: Path) -> None:
    fails(run("--store", str(tmp_path / "x"), "--read-only", "store", "init"), "[1228]")
    assert not (tmp_path / "x").exists()


# --------------------------------------------------------------------------- what users type


def test_return_collections_through_aql_lists_the_collections(tmp_path: Path) -> None:
    succeeds(run("--store", str(tmp_path), "store", "init"))
    rows = json.loads(
        succeeds(run("--store", str(tmp_path), "aql", "RETURN COLLECTIONS()", "--format", "json"))
    )
    names = [c["name"] for c in rows[0]]
    assert {"datasets", "runs", "inputs", "artifact_types"} <= set(names)
    assert names == sorted(names, key=str.lower)
    assert all(isinstance(c["_id"], str) for c in rows[0])


@pytest.mark.parametrize("depth", [101, 600, 2_000, 20_000])
def test_a_deeply_nested_document_is_one_line(tmp_path: Path, depth: int) -> None:
    value = "[" * depth + "]" * depth
    fails(
        run("--store", str(tmp_path), "artifacts", "add", "datasets", "deep", f"x={value}"),
        "[10]",
        "nested more than 100 levels deep",
    )
    if (tmp_path / STORE_FILE).exists():  # refused by the store, not by the argument parser
        assert "deep" not in succeeds(
            run("--store", str(tmp_path), "artifacts", "list", "datasets")
        )


@pytest.mark.parametrize("depth", [2_000, 20_000])
def test_a_deeply_nested_aql_expression_is_one_line(tmp_path: Path, depth: int) -> None:
    succeeds(run("--store", str(tmp_path), "store", "init"))
    query = "RETURN " + "(" * depth + "1" + ")" * depth
    line = fails(run("--store", str(tmp_path), "aql", query))
    assert "nested" in line and "[15" in line


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("1meta", "starts with a digit"),
        ("_meta", "starts with '_'"),
        (".meta", "starts with '.'"),
        ("team/meta", "'/'"),
        ("team:meta", "':'"),
        ("x" * 129, "more than 128"),
        ("meta ", "ends with a space"),
        ("cafe\u0301", "normal form C"),
        ("tab\there", "control character"),
    ],
)
def test_an_invalid_database_name_is_refused_before_connecting(name: str, rule: str) -> None:
    line = fails(
        run("--store", "http://127.0.0.1:9", "store", "info", env={"ARANGOML_META_DATABASE": name}),
        "[1208]",
        "ARANGOML_META_DATABASE",
    )
    assert rule in line


@pytest.mark.parametrize(
    "name", ["arangoml_meta", "_system", "Team-Meta_2", "métadonnées", "ml meta"]
)
def test_a_valid_database_name_gets_as_far_as_the_server(name: str) -> None:
    line = fails(
        run("--store", "http://127.0.0.1:9", "store", "info", env={"ARANGOML_META_DATABASE": name})
    )
    assert "[2001] cannot reach ArangoDB" in line


# --------------------------------------------------------------------------- not ArangoDB


class _NotArangoDB(http.server.BaseHTTPRequestHandler):
    """Answers every request 200 with a JSON body (or HTML) that is not ArangoDB's."""

    body = b'{"status": "ok", "service": "something else"}'
    content_type = "application/json"

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(200)
        self.send_header("content-type", self.content_type)
        self.send_header("content-length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _answer

    def log_message(self, *args: object) -> None:
        pass


class _LoginPage(_NotArangoDB):
    body = b"<html><body>Please log in</body></html>"
    content_type = "text/html"


def _serve(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def not_arangodb() -> Iterator[str]:
    """host:port of a plain-HTTP server answering 200 with JSON that is not ArangoDB's."""
    yield from _serve(_NotArangoDB)


@pytest.fixture
def login_page() -> Iterator[str]:
    yield from _serve(_LoginPage)


@pytest.mark.parametrize("command", [["store", "info"], ["store", "init"], ["aql", "RETURN 1"]])
def test_a_200_reply_that_is_not_arangodb_is_one_line(
    not_arangodb: str, command: list[str]
) -> None:
    fails(run("--store", f"http://{not_arangodb}", *command), "[600]", "not an ArangoDB reply")


def test_an_html_page_instead_of_arangodb_is_one_line(login_page: str) -> None:
    fails(run("--store", f"http://{login_page}", "store", "info"), "[600]", "not an ArangoDB")


def test_a_reply_that_is_not_arangodb_is_a_project_error_in_python(not_arangodb: str) -> None:
    with pytest.raises(ArangoMLMetaError) as err:
        open_store(f"http://{not_arangodb}")
    assert err.value.error_num == 600


def test_https_to_a_plain_http_port_is_one_line_without_warnings(
    not_arangodb: str, capfd: pytest.CaptureFixture[str]
) -> None:
    line = fails(run("--store", f"https://{not_arangodb}", "store", "info"), "[2001]", "TLS")
    assert "http://" in line
    with pytest.raises(ArangoMLMetaError, match="does not speak TLS"):
        open_store(f"https://{not_arangodb}")
    captured = capfd.readouterr()
    assert "urllib3" not in captured.err and "Retrying" not in captured.err


def test_only_errors_raised_inside_the_driver_count_as_its_replies() -> None:
    try:
        {}["result"]
    except KeyError as exc:
        assert not raised_by_driver(exc)  # ours: a bug, left to say so


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://localhost:99999", "out of range"),
        ("http://", "expected http(s)://HOST"),
        ("http://db:8529,https://other:port", "could not be cast"),
        ("http://root:s3cret-pw@db:x", "could not be cast"),
    ],
)
def test_a_malformed_arangodb_url_is_10_and_never_shows_a_password(url: str, reason: str) -> None:
    line = fails(run("--store", url, "store", "info"), "[10] invalid ArangoDB URL", reason)
    assert "s3cret-pw" not in line


@pytest.mark.parametrize("target", ["missing.aql", "."])
def test_an_unreadable_query_file_is_10(tmp_path: Path, target: str) -> None:
    fails(
        run("--store", str(tmp_path), "aql", f"@{tmp_path / target}"),
        "[10]",
        str(tmp_path / target).rstrip("/."),
    )


def test_read_only_is_refused_for_arangodb_which_has_no_such_connection() -> None:
    fails(run("--store", "http://127.0.0.1:9", "--read-only", "store", "info"), "[10]", "read-only")


@pytest.mark.parametrize("command", [["store", "info"], ["artifacts", "list", "datasets"]])
def test_a_read_command_on_a_database_without_a_store_makes_none_on_any_backend(
    cli: Cli, backend: Backend, command: list[str]
) -> None:
    fails(cli(*command), "[1228] no store at")
    assert not backend.has_collection("store_info")
    succeeds(cli("store", "init"))
    assert backend.has_collection("store_info")


@pytest.fixture
def tls_not_arangodb(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """host:port of an https server (self-signed certificate) that is not ArangoDB, and the
    certificate's file."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate to serve https with")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    subject = ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    files = ["-keyout", str(key), "-out", str(cert)]
    subprocess.run(["openssl", *request, *subject, *files], check=True, capture_output=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotArangoDB)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", cert
    finally:
        server.shutdown()
        server.server_close()


def test_an_untrusted_certificate_is_one_line_naming_the_ca_setting(
    tls_not_arangodb: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    where, cert = tls_not_arangodb
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    fails(run("--store", f"https://{where}", "store", "info"), "[2001]", "REQUESTS_CA_BUNDLE")
    trusted = run(
        "--store", f"https://{where}", "store", "info", env={"REQUESTS_CA_BUNDLE": str(cert)}
    )
    fails(trusted, "[600]", "not an ArangoDB reply")  # TLS fine now: the next problem shows
