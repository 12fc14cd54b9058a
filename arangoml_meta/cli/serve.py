"""``arangoml-meta serve``: share one embedded store over ArangoDB's HTTP API."""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
from pathlib import Path
from typing import Annotated

import typer

from .core import examples

# clients connect as to ArangoDB (python-arango, arangosh, curl); a single-node team mode
EPILOG = examples(
    "arangoml-meta serve --store ./team-store --port 8529",
    "ARANGO_ROOT_PASSWORD=s3cret arangoml-meta serve --store ./team-store --host 0.0.0.0",
    "arangoml-meta serve --store ./team-store --root-password-file ./root.pw "
    "--jwt-secret-file ./jwt.secret",
    "ARANGOML_META_STORE=http://127.0.0.1:8529 arangoml-meta artifacts list",
    "arangoml-meta serve --store ./scratch --no-auth",
)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _jwt_secret(given: str | None, file: Path | None) -> str | None:
    from ..errors import ArangoMLMetaError
    from ..server.tokens import check_secret, read_secret_file

    if given is not None and file is not None:
        raise typer.BadParameter(
            "give --jwt-secret or --jwt-secret-file, not both", param_hint="--jwt-secret-file"
        )
    try:
        if file is not None:
            return read_secret_file(file)
        return check_secret(given, "--jwt-secret") if given is not None else None
    except ArangoMLMetaError as exc:
        raise typer.BadParameter(exc.message, param_hint="--jwt-secret") from None


def _root_password(file: Path | None) -> str:
    """The root password: the file's first line (without its line end), else the
    environment's ARANGO_ROOT_PASSWORD (as ArangoDB's Docker image takes it), else empty."""
    if file is None:
        return os.environ.get("ARANGO_ROOT_PASSWORD", "")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise typer.BadParameter(
            f"cannot read {file}: {reason}", param_hint="--root-password-file"
        ) from None
    return text.splitlines()[0] if text else ""


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket whose connections send small writes at once (TCP_NODELAY).

    asyncio sets TCP_NODELAY only on sockets made with ``IPPROTO_TCP``; without it a
    response's headers and body, written apart, wait for the client's delayed ACK (~40 ms
    a request on Linux)."""
    info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    family, kind, proto, _, address = info[0]
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        listener.bind(address)
        listener.listen(2048)
    except OSError:
        listener.close()
        raise
    return listener


def serve(
    store: Annotated[
        Path,
        typer.Option(
            "--store",
            envvar="ARANGOML_META_STORE_PATH",
            help="the embedded store to serve (created when there is none)",
        ),
    ] = Path("./arangoml-meta-store"),
    host: Annotated[str, typer.Option("--host", help="the address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="the TCP port to listen on")] = 8529,
    no_auth: Annotated[
        bool,
        typer.Option("--no-auth", help="accept every request as root (only on a loopback address)"),
    ] = False,
    jwt_secret: Annotated[
        str | None,
        typer.Option(
            "--jwt-secret",
            envvar="ARANGOML_META_JWT_SECRET",
            help="sign JWTs with this secret and accept superuser JWTs signed with it "
            "(ArangoDB's --server.jwt-secret); without it the server makes a secret of its "
            "own in the store directory",
        ),
    ] = None,
    jwt_secret_file: Annotated[
        Path | None,
        typer.Option(
            "--jwt-secret-file",
            help="read the JWT secret from this file (ArangoDB's --server.jwt-secret-keyfile)",
        ),
    ] = None,
    root_password_file: Annotated[
        Path | None,
        typer.Option(
            "--root-password-file",
            help="the password of user root, read from this file when the store's users are "
            "made (first start); else $ARANGO_ROOT_PASSWORD, else empty",
        ),
    ] = None,
    idle_timeout: Annotated[
        float,
        typer.Option(
            "--transaction-idle-timeout",
            help="seconds a stream transaction may sit idle before it is aborted",
        ),
    ] = 60.0,
    js_time_limit: Annotated[
        float,
        typer.Option(
            "--js-time-limit",
            min=0.1,
            help="seconds a JavaScript transaction's action may run before it is stopped",
        ),
    ] = 30.0,
    js_memory_limit: Annotated[
        int,
        typer.Option(
            "--js-memory-limit",
            min=1,
            help="MiB of JavaScript heap a JavaScript transaction's action may hold",
        ),
    ] = 64,
) -> None:
    """Serve a store over ArangoDB's HTTP API (the subset python-arango uses)."""
    import uvicorn

    from ..server.app import Server, create_app
    from ..server.state import ServerConfig

    if no_auth and not _is_loopback(host):
        raise typer.BadParameter(
            "--no-auth is allowed on a loopback address only", param_hint="--no-auth"
        )
    config = ServerConfig(
        store=store,
        host=host,
        port=port,
        auth=not no_auth,
        jwt_secret=_jwt_secret(jwt_secret, jwt_secret_file),
        root_password=_root_password(root_password_file),
        transaction_idle_timeout=idle_timeout,
        js_time_limit=js_time_limit,
        js_memory_limit=js_memory_limit << 20,
    )
    try:
        listener = _listen(host, port)
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}", param_hint="--host/--port"
        ) from None
    server = Server(config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    uvicorn_config = uvicorn.Config(
        create_app(server), log_level="info", timeout_graceful_shutdown=10, server_header=False
    )
    uvicorn.Server(uvicorn_config).run(sockets=[listener])
