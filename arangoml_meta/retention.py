"""Applying retention policies: erase or delete what has been kept long enough.

A type may declare how long its documents are kept and what happens then
(``x-retention``, ``retention_policy.py``; in its schema file, or by
:func:`set_policy`). :func:`apply_retention` finds what has expired with the stored
query ``aql/past_retention.aql`` (one run per type with a policy, all judged at one
moment: ``created_at`` plus the period before now), the same answer an auditor gets,
and acts on each document:

- ``erase``: ``store.erase`` (personal fields redacted, document and lineage kept).
  An erasure redacts every version of the name (``erasure.py``), so it waits until
  the versions it would redact have expired too and are not kept (``force`` erases
  them at once); a document erased already, or holding nothing to erase, is counted,
  not listed.
- ``delete``: ``store.delete``. Without ``cascade`` a document goes only when
  everything derived from it goes too in this run (a chain of expired documents goes
  together, downstream first); one that something kept derives from is kept, saying
  what. With ``cascade`` it goes with everything downstream, expired or not.

Never touched, unless ``force``: what is upstream of a live deployment (a
``deployments`` document whose status is ``active`` or ``pending``, or such a
deployment itself): deleting or erasing the data a serving model came from is a
decision for a person. A run still running is never touched. ``dry_run`` reports
what would happen and writes nothing.

Each erasure or deletion is a transaction of its own, recorded in the audit log: the
erasures as ``erase`` records with the reason ``retention: TYPE keeps PERIOD``, the
deletions' writes labelled ``retention`` with the action, type and period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .environment import utc_now_iso
from .errors import BadParameterError, ConflictError, DocumentNotFoundError, TransactionError
from .queries import coerce_params, load_query, run_query
from .retention_policy import RetentionPolicy, policy_of, with_policy
from .type_admin import Evolution, evolve_type

if TYPE_CHECKING:
    from .erasure import Erasure
    from .store import MetadataStore

QUERY = "past_retention"
SHOWN = 3  # documents named in a reason
GONE = "gone already (deleted meanwhile, e.g. by another retention run)"


@dataclass(frozen=True)
class Outcome:
    """What happened to one expired document: ``done`` (erased or deleted; in a dry run,
    would be) or kept, with ``reason``; ``removed``: what its deletion took along."""

    id: str
    type: str
    created_at: str
    expired_at: str
    action: str  # the policy's: erase or delete
    done: bool
    dry_run: bool = False
    reason: str = ""
    removed: list[str] = field(default_factory=list)
    work: Erasure | None = None  # an erasure's result: redactions, downstream work list

    @property
    def status(self) -> str:
        """``erased``, ``deleted``, ``would erase``, ``would delete`` or ``kept``."""
        if not self.done:
            return "kept"
        return f"would {self.action}" if self.dry_run else f"{self.action}d"


@dataclass
class RetentionReport:
    """What :func:`apply_retention` did (or, for a dry run, would do), document by document."""

    now: str
    dry_run: bool
    force: bool
    cascade: bool
    outcomes: list[Outcome] = field(default_factory=list)
    # expired documents of erase policies erased already, or holding nothing to erase
    erased_before: int = 0

    @property
    def done(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.done]

    @property
    def kept(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.done]


def policies(store: MetadataStore) -> dict[str, RetentionPolicy]:
    """The retention policy of every type that declares one, by type name."""
    found = {t.name: policy_of(t.schema) for t in store.types()}
    return {name: policy for name, policy in sorted(found.items()) if policy is not None}


def set_policy(store: MetadataStore, type_name: str, policy: RetentionPolicy | None) -> Evolution:
    """Declare (None: drop) the retention policy of a registered type: its schema's next
    version, the same schema with ``x-retention`` changed (``types evolve``)."""
    current = store.type(type_name)
    return evolve_type(store, replace(current, schema=with_policy(current.schema, policy)))


def expired(
    store: MetadataStore, now: str | None = None, types: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """The rows of ``past_retention`` (what has expired at ``now``, default the present) of
    ``types`` (default every type with a policy; a type without one is refused, 10)."""
    declared = policies(store)
    names = list(declared) if types is None else list(dict.fromkeys(types))
    for name in names:
        store.type(name)  # an unknown type is 1203
        if name not in declared:
            raise BadParameterError(
                f"type {name!r} declares no retention policy; declare one with "
                f"'arangoml-meta retention set {name} PERIOD --action erase|delete' (or "
                '"x-retention": {"period": "P365D", "action": "erase"} in its schema file)'
            )
    moment = now or utc_now_iso()
    rows: list[dict[str, Any]] = []
    for name in names:  # one type a run: its collection read as itself, not in a union
        rows.extend(run_query(store, QUERY, {"now": moment, "types": [name]}))
    rows.sort(key=lambda row: (row["created_at"], row["id"]))
    return rows


def apply_retention(
    store: MetadataStore,
    *,
    now: str | None = None,
    types: Iterable[str] | None = None,
    dry_run: bool = False,
    force: bool = False,
    cascade: bool = False,
) -> RetentionReport:
    """Erase or delete what has expired at ``now`` (see the module docstring). Refused
    (:class:`TransactionError`) inside a transaction block: each erasure and deletion is
    a transaction of its own."""
    if store.step is not None or store.backend.transaction_open:
        raise TransactionError(
            "apply retention outside a transaction block (store.transaction()): each "
            "erasure and deletion it makes is a transaction of its own"
        )
    moment = _moment(store, now)
    report = RetentionReport(moment, dry_run, force, cascade)
    rows = expired(store, moment, types)
    to_erase, to_delete = [], []
    for row in rows:
        kept = _kept_by(row, force)
        if row["action"] == "erase" and row["erased"]:
            report.erased_before += 1
        elif kept:
            report.outcomes.append(_outcome(row, False, kept))
        elif row["action"] == "erase":
            to_erase.append(row)
        else:
            to_delete.append(row)
    expired_ids = {row["id"] for row in rows}
    kept_ids = {o.id for o in report.outcomes}
    report.outcomes.extend(_erase_all(store, report, to_erase, expired_ids, kept_ids))
    report.outcomes.extend(_delete_all(store, to_delete, dry_run, cascade))
    order = {row["id"]: index for index, row in enumerate(rows)}
    report.outcomes.sort(key=lambda o: order[o.id])
    return report


def _moment(store: MetadataStore, now: str | None) -> str:
    """``now`` as the stored timestamps write it (checked as the query's date parameter)."""
    if now is None:
        return utc_now_iso()
    return str(coerce_params(load_query(QUERY), {"now": now})["now"])


def _kept_by(row: dict[str, Any], force: bool) -> str:
    """Why the document must stay whatever ``force`` says, or (unless ``force``) why it
    stays; empty when it may go."""
    if row["running"]:
        return "a run still running"
    live = row["live_deployments"]
    if live and not force:
        if live == [row["id"]]:
            return "a live deployment itself (its status says it serves); --force to override"
        return f"upstream of live deployment {_named(live)}; --force to override"
    return ""


def _named(ids: list[str]) -> str:
    more = f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else ""
    return ", ".join(ids[:SHOWN]) + more


def _outcome(row: dict[str, Any], done: bool, reason: str = "", **extra: Any) -> Outcome:
    return Outcome(
        row["id"], row["type"], row["created_at"], row["expired_at"], row["action"], done,
        reason=reason, **extra,
    )  # fmt: skip


def _reason(row: dict[str, Any]) -> str:
    """The erasure's reason, as the audit log keeps it (no personal data)."""
    return f"retention: {row['type']} keeps {row['period']}"


def _erase_all(
    store: MetadataStore,
    report: RetentionReport,
    rows: list[dict[str, Any]],
    expired_ids: set[str],
    kept_ids: set[str],
) -> list[Outcome]:
    """Erase ``rows``, each planned first (a dry run of ``store.erase``): an erasure
    redacts every version of the name, so it waits (unless ``force``) until the versions
    it would redact have expired too and none of them is kept (upstream of a live
    deployment); what one erasure redacted is not erased again, and one that finds
    nothing to redact is counted in ``report.erased_before``."""
    dry_run, force = report.dry_run, report.force
    outcomes: list[Outcome] = []
    erased_with: dict[str, str] = {}  # redacted by the erasure of another expired document
    for row in rows:
        doc_id = row["id"]
        if doc_id in erased_with:
            outcomes.append(_outcome(row, True, f"with {erased_with[doc_id]}", dry_run=dry_run))
            continue
        try:
            result = store.erase(doc_id, reason=_reason(row), dry_run=True)
            versions = [r.document for r in result.redactions if r.why == "version"]
            early = [v for v in versions if v not in expired_ids]
            held = [v for v in versions if v in kept_ids]
            if (early or held) and not force:
                outcomes.append(_outcome(row, False, _versions_stay(early, held)))
                continue
            if not dry_run and result.changed:
                result = store.erase(doc_id, reason=_reason(row), dry_run=False)
        except DocumentNotFoundError:  # deleted since it was found
            outcomes.append(_outcome(row, True, GONE, dry_run=dry_run))
            continue
        except BadParameterError as exc:  # e.g. its type marks no field as personal
            outcomes.append(_outcome(row, False, exc.message))
            continue
        if not result.changed:  # nothing personal left in it (nor in its versions)
            report.erased_before += 1
            continue
        erased_with.update((r.document, doc_id) for r in result.redactions)
        outcomes.append(_outcome(row, True, dry_run=dry_run, work=result))
    return outcomes


def _versions_stay(early: list[str], held: list[str]) -> str:
    """Why an erasure waits: the versions of the name it would redact that must stay."""
    why = []
    if early:
        why.append(f"{_named(early)} {'has' if len(early) == 1 else 'have'} not expired")
    if held:
        why.append(f"{_named(held)} {'is' if len(held) == 1 else 'are'} kept (see there)")
    return (
        f"erasing it redacts every version of its name, and {' and '.join(why)}; "
        "--force erases them all now"
    )


def _delete_all(
    store: MetadataStore, rows: list[dict[str, Any]], dry_run: bool, cascade: bool
) -> list[Outcome]:
    """Delete ``rows`` (downstream first), keeping what something kept derives from."""
    by_id = {row["id"]: row for row in rows}
    kept: dict[str, str] = {}
    if cascade:
        order = list(by_id)
    else:
        order, kept = _deletion_order(by_id)
    outcomes = [_outcome(by_id[doc_id], False, reason) for doc_id, reason in kept.items()]
    gone: dict[str, str] = {}  # deleted along with another expired document: by which
    for doc_id in order:
        row = by_id[doc_id]
        if doc_id in gone:
            outcomes.append(_outcome(row, True, f"with {gone[doc_id]}", dry_run=dry_run))
        elif dry_run and not cascade:  # planned above: what it derives from goes first
            outcomes.append(_outcome(row, True, dry_run=True))
        else:
            outcomes.append(_delete(store, row, dry_run, cascade, gone))
    return outcomes


def _delete(
    store: MetadataStore, row: dict[str, Any], dry_run: bool, cascade: bool, gone: dict[str, str]
) -> Outcome:
    """Delete one expired document (with what ``cascade`` takes along, noted in ``gone``)."""
    doc_id = row["id"]
    try:
        with store.backend.operation(
            "retention", action="delete", type=row["type"], period=row["period"]
        ):
            deletion = store.delete(doc_id, cascade=cascade, dry_run=dry_run)
    except DocumentNotFoundError:  # another process deleted it since it was found
        return _outcome(row, True, GONE, dry_run=dry_run)
    except ConflictError as exc:  # something derived from it since it was planned
        return _outcome(row, False, exc.message)
    removed = [other for other in deletion.documents if other != doc_id]
    gone.update((other, doc_id) for other in removed)
    return _outcome(row, True, dry_run=dry_run, removed=removed)


def _deletion_order(rows: dict[str, dict[str, Any]]) -> tuple[list[str], dict[str, str]]:
    """Which expired documents can be deleted without cascade, downstream first, and why
    the others stay: a document goes only when everything derived from it goes too."""
    going = set(rows)
    kept: dict[str, str] = {}
    changed = True
    while changed:  # a document kept keeps what it derives from
        changed = False
        for doc_id in sorted(going):
            staying = [d for d in rows[doc_id]["dependents"] if d not in going]
            if staying:
                going.discard(doc_id)
                one = len(staying) == 1
                kept[doc_id] = (
                    f"{len(staying)} {'document' if one else 'documents'} derived from it "
                    f"{'stays' if one else 'stay'} ({_named(staying)}); --cascade deletes "
                    f"{'it' if one else 'them'} too"
                )
                changed = True
    order: list[str] = []
    left = set(going)
    while left:
        ready = sorted(d for d in left if not any(x in left for x in rows[d]["dependents"]))
        if not ready:  # a cycle of expired documents (links made with allow_cycle)
            for doc_id in sorted(left):
                kept[doc_id] = "part of a lineage cycle; delete it by hand (with cascade)"
            break
        order.extend(ready)
        left.difference_update(ready)
    return order, kept
