"""``arangoml-meta erase``: a data subject's erasure, with the work list it leaves (``erasure.py``)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import typer

from ..erasure import Erasure
from .artifacts import counted
from .core import examples, note, open_store_of
from .output import Format, FormatOption, emit_document, emit_rows

EPILOG = examples(
    'arangoml-meta erase datasets/customers-v1 --reason "GDPR request 2026-118" --dry-run',
    'arangoml-meta erase datasets/customers@latest --reason "GDPR request 2026-118"',
    'arangoml-meta erase datasets/customers-v1 --reason "ticket 42" --format json',
)
_WHY = {
    "erased": "artifact",
    "version": "other version",
    "copy": "derived document",
    "edge": "edge",
}
_ACTIONS = {
    "purge": ("location to purge", "locations to purge"),
    "retrain": ("model to retrain", "models to retrain"),
    "redeploy": ("deployment to redeploy", "deployments to redeploy"),
    "review": ("artifact to review", "artifacts to review"),
}


def erase(
    ctx: typer.Context,
    ref: Annotated[
        str,
        typer.Argument(
            metavar="REF", help="The artifact: id, TYPE/NAME@VERSION or TYPE/NAME@latest."
        ),
    ],
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            help="Why (e.g. the request's reference); kept in the erased documents and the "
            "audit log, so never personal data itself.",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would be erased, and the work list.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Erase the personal data the store holds of an artifact, keeping its lineage.

    Removes the fields its type marks personal (x-personal-data) from it, from the other
    versions of its name and from the artifacts derived from them that copy such a value;
    every document, id and lineage edge stays, each redacted one marked erased (when, by
    whom, why). One transaction, recorded in the audit log as "erase"; erasing again is a
    no-op. Prints the work list outside the store: every artifact downstream, with the
    storage locations to purge, the models to retrain and the deployments to redeploy.
    """
    erasure = open_store_of(ctx).erase(ref, reason=reason, dry_run=dry_run)
    if fmt in (Format.json, Format.jsonl):
        emit_document(erasure.to_dict(), fmt)
        return
    rows = [
        {
            "depth": item.depth,
            "id": item.id,
            "action": item.action,
            "locations": ", ".join(item.locations),
            "redacted": ", ".join(item.redacted),
        }
        for item in erasure.work
    ]
    emit_rows(rows, fmt, ["depth", "id", "action", "locations", "redacted"])
    for line in summary(erasure):
        note(line)


def summary(erasure: Erasure) -> list[str]:
    """What an erasure did and what it leaves to do, in a few lines."""
    if not erasure.changed:
        earlier = erasure.previous
        when = f" (erased {earlier['at']} by {earlier['by']})" if earlier else ""
        return [f"nothing left to erase in {erasure.start}{when}: nothing was written"]
    verb = "would redact" if erasure.dry_run else "redacted"
    kinds = Counter(r.why for r in erasure.redactions)
    what = ", ".join(counted(count, _WHY[why]) for why, count in kinds.items())
    lines = [f"{erasure.start}: {verb} {counted(len(erasure.redactions), 'document')} ({what})"]
    actions = Counter(item.action for item in erasure.work)
    todo = [
        f"{count} {_ACTIONS[action][count != 1]}"
        for action, count in actions.items()
        if action in _ACTIONS
    ]
    lines.append(
        f"work list: {', '.join(todo)}; {counted(erasure.runs, 'run')} downstream walked through"
    )
    if erasure.log_truncated is False:
        lines.append(
            "the write-ahead log could not be emptied yet (a reader was busy): a later "
            "checkpoint completes it"
        )
    return lines
