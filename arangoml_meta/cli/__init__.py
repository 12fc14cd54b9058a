"""The ``arangoml-meta`` command line: one sub-command group per noun, each a thin layer over the API.

``app`` is the typer application (``arangoml-meta`` is :func:`main`); the
global options (``--store``, ``--actor``) live in its callback. Every command
prints a table by default and ``--format json | jsonl | csv`` for machines;
every error is one line on stderr and a non-zero exit code (see ``core``).
The reference in ``docs/cli.md`` is generated from the help texts by
``python -m arangoml_meta.cli.docs``.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from .. import __version__
from . import (
    access,
    artifacts,
    audit,
    demo,
    erase,
    lineage,
    links,
    query,
    retention,
    runs,
    serve,
    store,
    types,
)
from .core import ActorOption, CliGroup, CliState, ReadOnlyOption, StoreOption, examples

PROG = "arangoml-meta"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"{PROG} {__version__}")
        raise typer.Exit()


app = typer.Typer(
    name=PROG,
    cls=CliGroup,
    help="Metadata of ML pipelines — artifacts, runs, lineage, stored queries — on ArangoDB "
    "or an embedded store.",
    epilog=examples(
        "arangoml-meta demo",
        "arangoml-meta store info",
        "arangoml-meta artifacts add datasets iris rows=150 location=s3://lake/iris.csv",
        "arangoml-meta lineage up models/iris-clf@latest",
        "arangoml-meta query run model_provenance --param model=models/iris-clf-v1",
        "ARANGOML_META_STORE=http://localhost:8529 arangoml-meta store info",
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    store_location: StoreOption = None,
    actor: ActorOption = None,
    read_only: ReadOnlyOption = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Metadata of ML pipelines on ArangoDB or an embedded store."""
    source = ctx.get_parameter_source("store_location")
    given = source is not None and source.name == "COMMANDLINE"
    ctx.obj = CliState(
        location=store_location, actor=actor, location_given=given, read_only=read_only
    )


app.add_typer(store.app)
app.add_typer(types.app)
app.add_typer(artifacts.app)
app.add_typer(runs.app)
app.add_typer(lineage.app)
app.add_typer(query.app)
app.add_typer(audit.app)
app.add_typer(retention.app)
app.add_typer(access.app)
app.command("link", epilog=links.EPILOG)(links.link)
app.command("aql", epilog=query.AQL_EPILOG)(query.aql)
app.command("erase", epilog=erase.EPILOG)(erase.erase)
app.command("demo", epilog=demo.EPILOG)(demo.run_demo)
app.command("serve", epilog=serve.EPILOG)(serve.serve)


def main() -> None:
    """The ``arangoml-meta`` console script."""
    # Errors reach the user as one line (core.run_guarded). python-arango calls
    # logging.debug() on the root logger, which configures it and so prints every library
    # warning (urllib3's retries) from then on: a handler on the root prevents that.
    logging.getLogger().addHandler(logging.NullHandler())
    app()


__all__ = ["app", "main"]
