"""The fields the store sets on every document it writes, and the check that refuses them.

``register()``, runs and imports all refuse a caller's system attributes (``_key``,
``_from``, ...) and the fields the store stamps itself; the rule lives here, apart from
``store.py``, so that the modules sharing it need not import the store (nor it them).
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import BadParameterError

# fields the store sets on every document it writes; callers cannot pass them
STORE_SET = ("created_at", "created_by")


def refuse_store_fields(
    fields: Iterable[str], store_set: Iterable[str], where: str | None = None
) -> None:
    """Refuse system attributes (``_key``, ``_from``, ...) and the fields in ``store_set``;
    ``where`` (say, which record of an import) starts the message when given."""
    store_set = tuple(store_set)
    reserved = sorted(k for k in fields if k.startswith("_") or k in store_set)
    if reserved:
        prefix = f"{where}: " if where else ""
        raise BadParameterError(f"{prefix}these fields are set by the store: {reserved}")
