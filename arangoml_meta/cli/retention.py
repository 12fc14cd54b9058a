"""``arangoml-meta retention``: the types' retention policies, and applying them."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .. import retention
from ..retention_policy import ACTIONS, RetentionPolicy, iso_period
from .artifacts import counted
from .core import examples, note, open_store_of, sub_app
from .output import Format, FormatOption, emit_rows

app = sub_app(
    "retention",
    "Retention: how long each type keeps its documents, and erasing or deleting what expired.",
)

TypeName = Annotated[str, typer.Argument(metavar="TYPE", help="A type's name, e.g. datasets.")]
COLUMNS = ["id", "status", "action", "created_at", "expired_at", "reason"]


@app.command(
    "list",
    epilog=examples("arangoml-meta retention list", "arangoml-meta retention list --format json"),
)
def list_policies(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """List the retention policy of every type that declares one: period and action."""
    rows = [
        {"type": name, "period": policy.period, "action": policy.action}
        for name, policy in retention.policies(open_store_of(ctx, reading=True)).items()
    ]
    emit_rows(rows, fmt, ["type", "period", "action"])
    if not rows and fmt is Format.table:
        note(
            "no type declares a retention policy; declare one with "
            "'arangoml-meta retention set TYPE PERIOD --action erase|delete'"
        )


@app.command(
    "set",
    epilog=examples(
        "arangoml-meta retention set datasets P365D --action erase",
        "arangoml-meta retention set runs 90d --action delete",
    ),
)
def set_policy(
    ctx: typer.Context,
    name: TypeName,
    period: Annotated[
        str,
        typer.Argument(
            metavar="PERIOD",
            help="How long documents are kept after created_at: an ISO 8601 duration "
            "(P365D, P1Y6M, P52W) or 365d, 52w, 7y, 48h.",
        ),
    ],
    action: Annotated[
        str,
        typer.Option(
            "--action",
            metavar="|".join(ACTIONS),
            help="erase (redact personal fields, keep the document and its lineage) or "
            "delete (remove the document).",
        ),
    ],
) -> None:
    """Declare a type's retention policy: its schema's next version, with x-retention set."""
    policy = RetentionPolicy(iso_period(period, "PERIOD"), action)
    evolution = retention.set_policy(open_store_of(ctx), name, policy)
    if evolution.changed:
        note(
            f"{name}: schema version {evolution.type.schema_version} keeps documents {policy.period}, then {action}s them"
        )
    else:
        note(f"{name} has this policy already; nothing changed")


@app.command("clear", epilog=examples("arangoml-meta retention clear datasets"))
def clear_policy(ctx: typer.Context, name: TypeName) -> None:
    """Drop a type's retention policy: its documents are kept until deleted by hand."""
    evolution = retention.set_policy(open_store_of(ctx), name, None)
    note(f"{name}: no retention policy" + ("" if evolution.changed else " (there was none)"))


@app.command(
    "apply",
    epilog=examples(
        "arangoml-meta retention apply --dry-run",
        "arangoml-meta retention apply",
        "arangoml-meta retention apply --now 2026-01-01 --type datasets --format json",
        "arangoml-meta retention apply --cascade --force",
    ),
)
def apply(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only report what would be erased or deleted.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Also erase or delete what is upstream of a live deployment (one whose "
            "status is active or pending), or is one; and erase a name's versions that have "
            "not expired along with one that has.",
        ),
    ] = False,
    cascade: Annotated[
        bool,
        typer.Option(
            "--cascade",
            help="A deletion takes everything derived from the document along, expired or "
            "not (without it, a document others derive from is kept).",
        ),
    ] = False,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            metavar="ISO",
            help="Judge as of this moment, e.g. 2026-01-01 (default: now).",
            show_default=False,
        ),
    ] = None,
    types: Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            metavar="TYPE",
            help="Only this type (repeat for more; default every type with a policy).",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Erase or delete, per each type's policy, what has expired (created_at plus the
    period before now), and report what was done, what was kept and why.

    Never touches what is upstream of a live deployment unless --force, nor a run still
    running. Each erasure and deletion is one transaction, recorded in the audit log.
    """
    report = retention.apply_retention(
        open_store_of(ctx),
        now=now,
        types=types or None,
        dry_run=dry_run,
        force=force,
        cascade=cascade,
    )
    emit_rows((_row(o) for o in report.outcomes), fmt, COLUMNS)
    done = report.done
    verb = "would be" if dry_run else "were"
    summary = (
        f"as of {report.now}: {counted(len(report.outcomes), 'expired document')}; "
        f"{len(done)} {verb} erased or deleted, {len(report.kept)} kept"
    )
    if report.erased_before:
        summary += f"; {report.erased_before} more hold nothing left to erase"
    note(summary)


def _row(outcome: retention.Outcome) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": outcome.id,
        "type": outcome.type,
        "status": outcome.status,
        "action": outcome.action,
        "created_at": outcome.created_at,
        "expired_at": outcome.expired_at,
        "reason": outcome.reason,
    }
    if outcome.removed:
        row["removed"] = outcome.removed
    if outcome.work is not None:  # an erasure: its redactions and downstream work list
        row["erasure"] = outcome.work.to_dict()
    return row
