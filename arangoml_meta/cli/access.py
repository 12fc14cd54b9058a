"""``arangoml-meta access``: ArangoDB users' grants on the store, each change audited."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import access
from .core import examples, note, open_store_of, sub_app
from .output import Format, FormatOption, emit_document, emit_rows

app = sub_app(
    "access",
    "Access: grant, revoke and list ArangoDB users' levels on the store (not on an "
    "embedded store, whose access is its files' permissions).",
)

UserArgument = Annotated[str, typer.Argument(metavar="USER", help="An ArangoDB user's name.")]
CollectionOption = Annotated[
    str | None,
    typer.Option(
        "--collection",
        metavar="NAME",
        help="A collection (a type, e.g. models; * for every one) instead of the whole database.",
        show_default=False,
    ),
]
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        metavar="NAME",
        help="The database (* for every one; default: the store's).",
        show_default=False,
    ),
]


@app.command(
    "grant",
    epilog=examples(
        "arangoml-meta access grant alice ro",
        "arangoml-meta access grant ci rw --collection runs",
        "arangoml-meta access grant auditor ro --database '*'",
    ),
)
def grant(
    ctx: typer.Context,
    user: UserArgument,
    level: Annotated[
        str,
        typer.Argument(
            metavar="LEVEL", help="rw (read and write), ro (read only) or none (no access)."
        ),
    ],
    collection: CollectionOption = None,
    database: DatabaseOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Give USER a level on the store's database or one of its collections; the change is
    recorded in the audit log (grant, with the level before)."""
    detail = access.grant(
        open_store_of(ctx), user, access.check_level(level), database=database,
        collection=collection,
    )  # fmt: skip
    emit_document({"user": user, **detail}, fmt)


@app.command(
    "revoke",
    epilog=examples(
        "arangoml-meta access revoke alice",
        "arangoml-meta access revoke ci --collection runs",
    ),
)
def revoke(
    ctx: typer.Context,
    user: UserArgument,
    collection: CollectionOption = None,
    database: DatabaseOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Remove USER's grant on the store's database or one of its collections (the level then
    follows from wider grants); the change is recorded in the audit log (revoke)."""
    detail = access.revoke(open_store_of(ctx), user, database=database, collection=collection)
    emit_document({"user": user, **detail}, fmt)


@app.command(
    "list",
    epilog=examples(
        "arangoml-meta access list",
        "arangoml-meta access list alice --format json",
        "arangoml-meta access list --database '*'",
    ),
)
def list_grants(
    ctx: typer.Context,
    user: Annotated[
        str | None,
        typer.Argument(metavar="[USER]", help="Only this user.", show_default=False),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            metavar="NAME",
            help="Grants bearing on this database (its own, *'s and _system's); * shows "
            "every database (default: the store's).",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List the levels configured for each user (or USER) that bear on the store's database:
    its own and its collections', every database's (*) and _system's (an administrator's);
    collection empty for a database's own level."""
    rows = [
        g.as_row() for g in access.access_list(open_store_of(ctx, reading=True), user, database)
    ]
    emit_rows(rows, fmt, ["user", "database", "collection", "level"])
    if not rows and fmt is Format.table:
        note("no grants" + (f" for {user}" if user else ""))


@app.command(
    "sync",
    epilog=examples("arangoml-meta access sync --dry-run", "arangoml-meta access sync"),
)
def sync(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list what would be recorded.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Record in the audit log the grants bearing on the store's database as the server has
    them now, where the log says otherwise: changes made around arangoml-meta (the web
    interface, arangosh) or before its log began, recorded as seen now (observed)."""
    changes = access.sync(open_store_of(ctx), dry_run=dry_run)
    columns = ["user", "op", "database", "collection", "level", "previous"]
    emit_rows(changes, fmt, columns)
    if fmt is Format.table:
        verb = "would record" if dry_run else "recorded"
        note(f"{verb} {len(changes)} change{'' if len(changes) == 1 else 's'} of access")
