"""``arangoml-meta audit``: verify the audit log, print its head, list and export its records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..audit import verify as verify_log
from ..audit.reading import RecordFilter, records
from ..audit.reading import head as log_head
from ..errors import ERROR_BAD_PARAMETER, BadParameterError
from ..migrations import audit_setting
from ..store import MetadataStore
from .core import error_line, examples, open_store_of, sub_app
from .output import Format, FormatOption, emit_document, emit_rows, to_json, write_json_lines

app = sub_app("audit", "Check the tamper-evident audit log and read its records.")

EXIT_BROKEN = 1

SinceOption = Annotated[
    str | None, typer.Option("--since", help="Only records at or after this date or time (ISO).")
]
UntilOption = Annotated[
    str | None, typer.Option("--until", help="Only records before this date or time (ISO).")
]
ActorFilter = Annotated[str | None, typer.Option("--by", help="Only what this actor did.")]
OpOption = Annotated[
    str | None,
    typer.Option("--op", help="Only this operation (create, update, delete, link, erase, ...)."),
]
TargetOption = Annotated[
    str | None,
    typer.Option("--target", help="Only this document id, or TYPE/NAME for all its versions."),
]


def _require_log(store: MetadataStore) -> None:
    if not audit_setting(store.raw_backend):
        raise BadParameterError(
            f"the store at {store.backend.location} keeps no audit log (it was made with "
            "audit off): begin one with open_store(..., audit=True)",
            ERROR_BAD_PARAMETER,
        )


@app.command(
    "verify",
    epilog=examples(
        "arangoml-meta audit verify",
        "arangoml-meta audit verify --anchor 3f2a...c9 --format json",
    ),
)
def verify(
    ctx: typer.Context,
    anchor: Annotated[
        str | None,
        typer.Option(
            "--anchor",
            help="A head hash kept outside the store (`audit head`): the chain must hold it.",
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Walk the hash chain and check every stored document against its last audited digest.

    Reports the first broken place (an edited, deleted, inserted or reordered record, a
    document changed, added or removed around the library) and exits 1 if anything fails.
    """
    store = open_store_of(ctx, reading=True)
    _require_log(store)
    report = verify_log(store.backend, anchor=anchor)
    if fmt is not Format.table:
        emit_document(report.as_dict(), fmt)
    elif report.ok:
        anchored = " and holds the anchor" if report.anchored else ""
        typer.echo(
            f"audit log verified: {report.records} records, {report.documents} documents "
            f"match{anchored}; head {report.head_seq} {report.head_hash}"
        )
    else:
        first = report.first
        assert first is not None
        typer.echo(f"audit log does NOT verify: first broken at {first}")
        emit_rows([vars(p) for p in report.problems], fmt)
        counted = ", ".join(f"{n} {kind}" for kind, n in sorted(report.counts.items()))
        total = sum(report.counts.values())
        typer.echo(f"{total} {'problem' if total == 1 else 'problems'} ({counted})")
    if not report.ok:
        first = report.first
        error_line(f"the audit log does not verify (first broken at {first})")
        raise typer.Exit(EXIT_BROKEN)


@app.command(
    "head",
    epilog=examples("arangoml-meta audit head", "arangoml-meta audit head --format json"),
)
def head(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """Print the last record's sequence number and hash: keep it outside the store (a
    ticket, a signed commit) and check later with `audit verify --anchor HASH`."""
    store = open_store_of(ctx, reading=True)
    _require_log(store)
    last = log_head(store.backend)
    described = (
        {"seq": 0, "hash": None, "at": None}
        if last is None
        else {"seq": last["seq"], "hash": last["hash"], "at": last["at"]}
    )
    if fmt is Format.table:
        typer.echo(f"{described['seq']} {described['hash']} {described['at']}")
    else:
        emit_document(described, fmt)


@app.command(
    "log",
    epilog=examples(
        "arangoml-meta audit log --since 2026-01-01 --by alice",
        "arangoml-meta audit log --target datasets/customers --format json",
        "arangoml-meta audit log --op erase --limit 20",
    ),
)
def log(
    ctx: typer.Context,
    since: SinceOption = None,
    until: UntilOption = None,
    actor: ActorFilter = None,
    op: OpOption = None,
    target: TargetOption = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="At most this many records.")] = 100,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many first.")] = 0,
    fmt: FormatOption = Format.table,
) -> None:
    """List audit records, oldest first: who did what to which document, and when."""
    store = open_store_of(ctx, reading=True)
    _require_log(store)
    which = RecordFilter(since, until, actor, op, target)
    rows = list(records(store.backend, which, offset=offset, limit=limit))
    if fmt is Format.table:
        shown = ["seq", "at", "actor", "op", "target", "version", "detail"]
        rows = [{name: row.get(name) for name in shown} for row in rows]
    emit_rows(rows, fmt)


@app.command(
    "export",
    epilog=examples(
        "arangoml-meta audit export > audit.jsonl",
        "arangoml-meta audit export --since 2026-01-01 --output q1.jsonl",
    ),
)
def export(
    ctx: typer.Context,
    since: SinceOption = None,
    until: UntilOption = None,
    actor: ActorFilter = None,
    op: OpOption = None,
    target: TargetOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
    ] = None,
) -> None:
    """Write the records as JSON lines, every field included, oldest first (for archiving
    or checking with other tools: each record's hash is SHA-256 over the JSON array of its
    fields, see the README)."""
    store = open_store_of(ctx, reading=True)
    _require_log(store)
    rows = records(store.backend, RecordFilter(since, until, actor, op, target))
    ctx.call_on_close(rows.close)  # before the store closes, should the reader stop early
    if output is None:
        write_json_lines(rows)
        return
    written = 0
    try:
        with output.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(to_json(row, indent=None) + "\n")
                written += 1
    except OSError as exc:
        error_line(f"cannot write {output}: {exc.strerror}")
        raise typer.Exit(EXIT_BROKEN) from exc
    typer.echo(f"{written} records written to {output}")
