"""Every failure is one line on stderr and a non-zero exit code, never a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner, Result

import arangoml_meta.cli.store as store_command
from arangoml_meta import __version__
from arangoml_meta.cli import app

from .conftest import fails, succeeds


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["nothing"], "No such command 'nothing'. (see 'arangoml-meta --help')"),
        (
            ["artifacts", "get"],
            "Missing argument 'REF'. (see 'arangoml-meta artifacts get --help')",
        ),
        (["artifacts", "list", "datasets", "--limit", "0"], "--limit"),
        (["types", "list", "--format", "xml"], "'xml' is not one of"),
        (["store", "info", "--colour"], "No such option: --colour"),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(arguments: list[str], message: str) -> None:
    assert fails(run(*arguments), message, exit_code=2)


def test_an_unsupported_store_url_is_one_error_line() -> None:
    fails(
        run("--store", "ftp://example.com/x", "store", "info"),
        "unsupported store URL scheme",
        exit_code=1,
    )


def test_an_unreachable_arangodb_is_one_error_line() -> None:
    fails(run("--store", "http://127.0.0.1:9", "store", "info"), "127.0.0.1:9")


def test_an_unexpected_error_is_one_line_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise KeyError("oops")

    monkeypatch.setattr(store_command, "describe", broken)
    line = fails(
        run("--store", ":memory:", "store", "info"),
        "internal error: KeyError",
        "ARANGOML_META_DEBUG",
    )
    assert "oops" in line


def test_debug_shows_the_traceback_of_an_unexpected_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise KeyError("oops")

    monkeypatch.setattr(store_command, "describe", broken)
    result = run("--store", ":memory:", "store", "info", env={"ARANGOML_META_DEBUG": "1"})
    assert isinstance(result.exception, KeyError)


def test_a_multi_line_message_becomes_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise ValueError("first\n  second")

    monkeypatch.setattr(store_command, "describe", broken)
    assert fails(run("--store", ":memory:", "store", "info")) == "Error: first second"


@pytest.mark.parametrize("group", [[], ["types"], ["lineage"]])
def test_a_group_without_a_command_prints_its_help(group: list[str]) -> None:
    out = succeeds(run(*group))
    assert out.startswith("Usage: ")
    assert "Commands:" in out


def test_version() -> None:
    assert succeeds(run("--version")) == f"arangoml-meta {__version__}\n"


def test_console_script_entry_point_is_main() -> None:
    from importlib.metadata import entry_points

    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    assert scripts.get("arangoml-meta") == "arangoml_meta.cli:main"
