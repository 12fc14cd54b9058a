"""``arangoml-meta serve``: share one embedded store over ArangoDB's HTTP API."""

from __future__ import annotations

import ipaddress
import logging
import socket
from pathlib import Path
from typing import Annotated

import typer

from .core import examples

# clients connect as to ArangoDB (python-arango, arangosh, curl); a single-node team mode
EPILOG = examples(
    "arangoml-meta serve --store ./team-store --port 8529",
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
            help="accept superuser JWTs signed with this secret (ArangoDB's --server.jwt-secret)",
        ),
    ] = None,
    idle_timeout: Annotated[
        float,
        typer.Option(
            "--transaction-idle-timeout",
            help="seconds a stream transaction may sit idle before it is aborted",
        ),
    ] = 60.0,
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
        jwt_secret=jwt_secret,
        transaction_idle_timeout=idle_timeout,
    )
    try:
        listener = socket.create_server((host, port), reuse_port=False)
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
