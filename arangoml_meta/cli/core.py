"""What every command shares: the root group that turns errors into one line, the store, the options.

:class:`CliGroup` is the root command. It runs the command tree without
click's standalone handling and maps every failure to one line on stderr and
an exit code — 2 for a usage error (click's convention), 1 for everything
else — so a user never sees a traceback (``ARANGOML_META_DEBUG=1`` shows it
for an unexpected error). The root callback keeps the global options in a
:class:`CliState`; :func:`open_store_of` opens the store once per invocation
and closes it when the command ends. ``key=value`` arguments are parsed here,
once, for every command that takes them.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from ..errors import ArangoMLMetaError, BadParameterError
from ..inputs import loads
from ..jsonvalues import NotAJSONNumber
from ..safe_text import visible
from ..store import MetadataStore, open_store

DEBUG_ENV = "ARANGOML_META_DEBUG"
EXIT_ERROR = 1
EXIT_USAGE = 2
_NEWLINES = re.compile(r"\s*\n\s*")


def one_line(message: str) -> str:
    """The message on one line, its other control characters escaped (it may quote input)."""
    return visible(_NEWLINES.sub(" ", message.strip()))


def error_line(message: str) -> None:
    """Write ``Error: message`` as one line on stderr."""
    typer.echo(f"Error: {one_line(message)}", err=True)


def note(message: str) -> None:
    """A remark for the user on stderr (stdout stays clean for machines)."""
    typer.echo(one_line(message), err=True)


class CliGroup(TyperGroup):
    """The root command: runs the tree and turns every failure into one line and an exit code."""

    def main(  # type: ignore[override]
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        code = run_guarded(
            lambda: super(CliGroup, self).main(
                args, prog_name, complete_var, standalone_mode=False, **extra
            )
        )
        if standalone_mode:
            sys.exit(code)
        return code


def run_guarded(invoke: Callable[[], Any]) -> int:
    """Run the command tree; the exit code, after one error line on stderr if it failed."""
    try:
        result = invoke()
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # click's usage errors and the like
        return _usage_error(exc)
    except typer.Abort:
        error_line("aborted")
        return EXIT_ERROR
    except ArangoMLMetaError as exc:
        error_line(str(exc))
        return EXIT_ERROR
    except BrokenPipeError:  # `arangoml-meta ... | head`: the reader has gone, nothing to say
        _silence_broken_pipe()
        return EXIT_ERROR
    except (OSError, ValueError) as exc:
        error_line(str(exc) or type(exc).__name__)
        return EXIT_ERROR
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        error_line(
            f"internal error: {type(exc).__name__}: {exc} "
            f"(set {DEBUG_ENV}=1 to see the traceback, and please report it)"
        )
        return EXIT_ERROR
    return result if isinstance(result, int) else 0


def _usage_error(exc: typer.TyperException) -> int:
    if type(exc).__name__ == "NoArgsIsHelpError":  # a group called without a command: its help
        typer.echo(exc.format_message())
        return 0
    ctx = getattr(exc, "ctx", None)
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    error_line(exc.format_message().rstrip(".") + "." + hint)
    return int(getattr(exc, "exit_code", EXIT_USAGE))


def _silence_broken_pipe() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file (tests capture stdout)
        pass


# --------------------------------------------------------------------------- the store


@dataclass
class CliState:
    """The root options, shared by every command through ``ctx.obj``."""

    location: str | None = None
    actor: str | None = None
    location_given: bool = False  # on the command line, not from ARANGOML_META_STORE
    read_only: bool = False


def state_of(ctx: typer.Context) -> CliState:
    obj = ctx.find_object(CliState)
    return obj if obj is not None else CliState()


def open_store_of(ctx: typer.Context, *, reading: bool = False) -> MetadataStore:
    """The store named by ``--store``, opened for this command and closed when it ends.

    ``reading``: the command only reads, so a missing store is an error rather than a new
    empty one (only ``store init`` and commands that write create a store).
    """
    state = state_of(ctx)
    store = open_store(
        state.location, actor=state.actor, create=not reading, read_only=state.read_only
    )
    return ctx.with_resource(store)


# --------------------------------------------------------------------------- help


def examples(*lines: str) -> str:
    """An epilog of example command lines, kept as written by click's help formatter."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def sub_app(name: str, help_text: str) -> typer.Typer:
    """A sub-command group (one per noun), formatted as the root is."""
    return typer.Typer(
        name=name,
        help=help_text,
        no_args_is_help=True,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
    )


# --------------------------------------------------------------------------- key=value


def json_value(text: str, what: str) -> Any:
    """``text`` as a JSON value (``150``, ``true``, ``["a"]``, ``{"k": 1}``), else the text itself.

    Text that starts like a JSON string, array or object must be valid JSON:
    a typo there is an error, not a string; ``NaN``, ``Infinity`` and ``1e400``
    are refused rather than kept as text or rounded (``jsonvalues`` has the rule).
    """
    stripped = text.strip()
    try:
        return loads(stripped, what)
    except NotAJSONNumber as exc:
        raise BadParameterError(
            f"{what}: {exc.literal} is not a number a JSON document can hold (no NaN, no "
            f"infinity, at most about 1.8e308); for the text, quote it: '{what}=\"{stripped}\"'"
        ) from None
    except json.JSONDecodeError as exc:
        if stripped[:1] in ('"', "[", "{"):
            raise BadParameterError(
                f"{what}: {text!r} starts like JSON but is not valid JSON "
                f"({exc.msg} at position {exc.pos}); quote the whole value for the shell, "
                f"e.g. '{what}={{\"a\": 1}}'"
            ) from None
        return text


def split_assignment(text: str, option: str) -> tuple[str, str]:
    """``"key=value"`` → ``("key", "value")``; anything else is a clear error."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise BadParameterError(f"{option}: expected KEY=VALUE, got {text!r}")
    return key.strip(), value


def assignments(items: Iterable[str] | None, option: str, *, typed: bool) -> dict[str, Any]:
    """``KEY=VALUE`` items as a dict; values JSON-typed when ``typed``, else the raw text."""
    result: dict[str, Any] = {}
    for item in items or []:
        key, raw = split_assignment(item, option)
        if key in result:
            raise BadParameterError(f"{option}: {key!r} is given twice")
        result[key] = json_value(raw, key) if typed else raw
    return result


def nested_fields(pairs: dict[str, Any]) -> dict[str, Any]:
    """``{"metrics.auc": 0.9}`` → ``{"metrics": {"auc": 0.9}}``: a dotted key names a nested field."""
    result: dict[str, Any] = {}
    for key, value in pairs.items():
        *parents, leaf = key.split(".")
        target = result
        for depth, part in enumerate(parents):
            child = target.setdefault(part, {})
            if not isinstance(child, dict):
                raise BadParameterError(
                    f"field {'.'.join(parents[: depth + 1])!r} is given both as a value "
                    f"and as an object ({key!r})"
                )
            target = child
        if not all(parents) or not leaf:
            raise BadParameterError(f"field {key!r}: empty part in a dotted name")
        if isinstance(target.get(leaf), dict):
            raise BadParameterError(f"field {key!r} is given both as a value and as an object")
        target[leaf] = value
    return result


# --------------------------------------------------------------------------- shared options

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="ARANGOML_META_STORE",
        metavar="PATH|URL",
        help="The store: a directory (embedded store, default ./.arangoml_meta) or a "
        "file:///path URI naming one, ':memory:', or an ArangoDB URL http(s)://host:8529 "
        "(database from "
        "ARANGOML_META_DATABASE, credentials from ARANGO_USERNAME / ARANGO_PASSWORD).",
        show_default=False,
    ),
]
ReadOnlyOption = Annotated[
    bool,
    typer.Option(
        "--read-only",
        help="Open the store for reading only: never created, migrated or written "
        "(a write fails with error 1004). A store you may not write is read so anyway.",
    ),
]
ActorOption = Annotated[
    str | None,
    typer.Option(
        "--actor",
        envvar="ARANGOML_META_ACTOR",
        metavar="NAME",
        help="Who acts, recorded as created_by (default: the OS user).",
        show_default=False,
    ),
]
