"""``arangoml-meta link``: a provenance link between two artifacts, from the shell."""

from __future__ import annotations

from typing import Annotated

import typer

from ..errors import BadParameterError
from .core import assignments, examples, open_store_of
from .output import Format, FormatOption, emit_document

EPILOG = examples(
    "arangoml-meta link datasets/iris-sample@latest datasets/iris@latest --relation subset_of",
    "arangoml-meta link models/iris-clf-v2 deployments/iris-api-v1 --relation deployed_as "
    "approved_by=alice",
    "arangoml-meta link datasets/a-v1 datasets/b-v1 --relation merged_into --allow-cycle",
)


def link(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            metavar="FROM", help="The artifact derived from: id, TYPE/NAME@VERSION or @latest."
        ),
    ],
    target: Annotated[
        str, typer.Argument(metavar="TO", help="The artifact derived (the way data flows).")
    ],
    relation: Annotated[
        str,
        typer.Option(
            "--relation",
            metavar="RELATION",
            help="How TO derives from FROM: subset_of, deployed_as, monitors, ...",
        ),
    ],
    attributes: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="FIELD=VALUE",
            help="More fields of the link; a VALUE is read as JSON when it is JSON, else text.",
            show_default=False,
        ),
    ] = None,
    allow_cycle: Annotated[
        bool,
        typer.Option(
            "--allow-cycle",
            help="Link even when FROM is TO or downstream of TO (a cycle in the lineage).",
        ),
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Link two artifacts: TO was derived from FROM without a recorded run.

    Refused when FROM is TO, or when FROM is downstream of TO already (the link would
    close a cycle in the lineage), unless --allow-cycle.
    """
    fields = assignments(attributes, "FIELD=VALUE", typed=True)
    taken = sorted(set(fields) & {"source", "target", "relation", "allow_cycle"})
    if taken:
        raise BadParameterError(f"FIELD=VALUE: {taken} name the link itself; use the options")
    edge = open_store_of(ctx).link(source, target, relation, allow_cycle=allow_cycle, **fields)
    emit_document(edge, fmt)
