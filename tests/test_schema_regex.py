"""A schema ``pattern`` that backtracks catastrophically cannot hang validation or its error.

``^(a+)+$`` against ``"a" * 39 + "!"`` takes Python's ``re`` longer than the age of
the universe; the compiled validator (jsonschema-rs) answers at once, and the
violation is described from its own errors. Each case runs in a child process
with a timeout, so that a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from arangoml_meta.errors import SchemaViolationError
from arangoml_meta.types import ArtifactType, validate

EVIL = "^(a+)+$"
INPUT = "a" * 39 + "!"
TIMEOUT = 60  # seconds: generous for a loaded machine; the check itself takes milliseconds


def things(schema_properties: dict[str, object], **extra: object) -> ArtifactType:
    schema = {"type": "object", "properties": schema_properties, **extra}
    return ArtifactType("things", "artifact", "", schema)


def run_child(code: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        cwd=cwd,
    )


def test_a_catastrophic_pattern_is_reported_without_hanging() -> None:
    done = run_child(
        f"""
        from arangoml_meta.types import ArtifactType, validate
        from arangoml_meta.errors import SchemaViolationError
        t = ArtifactType("things", "artifact", "", {{"type": "object",
            "properties": {{"code": {{"type": "string", "pattern": {EVIL!r}}}}}}})
        try:
            validate(t, {{"code": {INPUT!r}}})
        except SchemaViolationError as exc:
            print(exc)
        """
    )
    assert done.returncode == 0, done.stderr
    assert "[1620] things: field 'code'" in done.stdout
    assert "does not have the expected form" in done.stdout


def test_a_catastrophic_pattern_property_is_reported_without_hanging() -> None:
    done = run_child(
        f"""
        from arangoml_meta.types import ArtifactType, validate
        from arangoml_meta.errors import SchemaViolationError
        t = ArtifactType("things", "artifact", "", {{"type": "object",
            "patternProperties": {{{EVIL!r}: {{"type": "integer"}}}},
            "additionalProperties": False}})
        try:
            validate(t, {{{INPUT!r}: 1}})
        except SchemaViolationError as exc:
            print(exc)
        """
    )
    assert done.returncode == 0, done.stderr
    assert "is not a declared field" in done.stdout


def test_artifacts_add_against_a_catastrophic_pattern_is_one_error_line(tmp_path: Path) -> None:
    schema = tmp_path / "things.json"
    schema.write_text(
        json.dumps({"type": "object", "properties": {"code": {"type": "string", "pattern": EVIL}}})
    )
    done = run_child(
        f"""
        import sys
        from arangoml_meta.cli import app
        for args in (["types", "register", {str(schema)!r}],
                     ["artifacts", "add", "things", "t1", "code={INPUT}"]):
            code = app(["--store", {str(tmp_path / "store")!r}, *args], standalone_mode=False)
            print("exit", code)
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "exit 1"
    (line,) = done.stderr.splitlines()
    assert line.startswith("Error: [1620] things: field 'code'")


# --------------------------------------------------------------------------- the wording


def test_a_pattern_violation_says_the_form_from_the_field_description() -> None:
    artifact_type = things(
        {"code": {"type": "string", "pattern": "^[A-Z]+$", "description": "capitals"}}
    )
    with pytest.raises(SchemaViolationError, match="does not have the expected form: capitals"):
        validate(artifact_type, {"code": "abc"})


@pytest.mark.parametrize(
    ("properties", "doc", "field", "message"),
    [
        (
            {"n": {"type": ["integer", "null"]}},
            {"n": "x"},
            "n",
            "'x' is not of type 'integer' or 'null'",
        ),
        ({"e": {"enum": [1, 2]}}, {"e": 3}, "e", "3 is not one of [1, 2]"),
        ({"m": {"minimum": 10}}, {"m": 5}, "m", "5 is less than the minimum of 10"),
        (
            {"r": {"$ref": "#/definitions/code"}},
            {"r": "b"},
            "r",
            "'b' does not have the expected form: starts with a",
        ),
    ],
)
def test_violations_are_worded_from_the_schema(
    properties: dict[str, object], doc: dict[str, object], field: str, message: str
) -> None:
    artifact_type = things(
        properties, definitions={"code": {"pattern": "^a", "description": "starts with a"}}
    )
    with pytest.raises(SchemaViolationError) as caught:
        validate(artifact_type, doc)
    assert caught.value.details["violations"] == [{"field": field, "message": message}]


def test_every_missing_and_undeclared_field_is_named() -> None:
    artifact_type = things({"a": {}}, required=["a", "b"], additionalProperties=False)
    with pytest.raises(SchemaViolationError) as caught:
        validate(artifact_type, {"x": 1, "y": 2})
    assert caught.value.details["violations"] == [
        {"field": "a", "message": "is required but missing"},
        {"field": "b", "message": "is required but missing"},
        {"field": "x", "message": "is not a declared field"},
        {"field": "y", "message": "is not a declared field"},
    ]
