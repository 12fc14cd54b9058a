"""Escaping what a terminal would act on, and the actor rule (arangoml_meta/safe_text.py)."""

from __future__ import annotations

import json

import pytest

from arangoml_meta.errors import BadParameterError
from arangoml_meta.safe_text import (
    MAX_ACTOR_LENGTH,
    check_actor,
    has_unsafe,
    json_visible,
    visible,
    visible_lines,
)
from arangoml_meta.store import MetadataStore, open_store

FORGED = "ok\n2026-12-07 root deleted datasets/customers-v1"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),  # ESC: clear the screen
        ("a\nb", "a\\nb"),
        ("a\rb", "a\\rb"),
        ("a\tb", "a\\tb"),
        ("\x00", "\\x00"),
        ("\x07", "\\x07"),  # BEL
        ("\x7f", "\\x7f"),  # DEL
        ("\x9b31m", "\\x9b31m"),  # C1 CSI
        ("\u202eevil", "\\u202eevil"),  # right-to-left override
        ("\u2066x\u2069", "\\u2066x\\u2069"),  # isolates
        ("\u202a\u202b\u202c\u202d", "\\u202a\\u202b\\u202c\\u202d"),
        ("a\u2028b", "a\\u2028b"),  # line separator
    ],
)
def test_control_characters_are_written_as_escapes(text: str, shown: str) -> None:
    assert visible(text) == shown
    assert has_unsafe(text)
    assert not has_unsafe(visible(text))


@pytest.mark.parametrize("text", ["iris", "Zürich 東京 🙂", "C:\\data\\x1b", "a b", "€ 3"])
def test_printable_text_is_left_as_it_is(text: str) -> None:
    assert visible(text) == text
    assert not has_unsafe(text)


def test_a_forged_line_stays_on_its_line() -> None:
    assert "\n" not in visible(FORGED)
    assert visible(FORGED) == "ok\\n2026-12-07 root deleted datasets/customers-v1"


def test_multi_line_text_keeps_its_lines_and_tabs_but_not_escapes() -> None:
    assert visible_lines("FOR d\tIN x\n\x1b[2J\rRETURN d") == "FOR d\tIN x\n\\x1b[2J\\rRETURN d"


def test_json_text_is_the_same_value_with_c1_and_bidi_escaped() -> None:
    value = {"note": "a\u202eb\x9b\x7fc\x1b", "n": 1}
    text = json_visible(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value
    assert not has_unsafe(text)


# --------------------------------------------------------------------------- the actor


@pytest.mark.parametrize(
    "actor",
    [
        FORGED,
        "alice\r",
        "alice\x1b[8m",
        "\u202eecila",
        "al\x00ice",
        "alice\tbob",
        "",
        "   ",
        "a" * (MAX_ACTOR_LENGTH + 1),
    ],
)
def test_an_actor_that_is_not_one_printable_line_is_refused(actor: str) -> None:
    with pytest.raises(BadParameterError) as caught:
        check_actor(actor)
    assert caught.value.error_num == 10
    assert "\n" not in str(caught.value)
    assert not has_unsafe(str(caught.value))


@pytest.mark.parametrize("actor", ["alice", "Zoë Müller", "ci-bot@example.com", "a" * 256])
def test_an_actor_of_one_printable_line_is_taken(actor: str) -> None:
    assert check_actor(actor) == actor


def test_the_store_refuses_a_bad_actor_when_it_opens_and_when_it_is_set() -> None:
    with pytest.raises(BadParameterError, match="control characters"):
        open_store(":memory:", actor=FORGED)
    with open_store(":memory:", actor="alice") as store:
        with pytest.raises(BadParameterError):
            store.actor = FORGED
        assert store.actor == "alice"


def test_the_actor_from_the_environment_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARANGOML_META_ACTOR", FORGED)
    with pytest.raises(BadParameterError, match="ARANGOML_META_ACTOR"):
        open_store(":memory:")


def test_what_an_actor_writes_carries_the_checked_name() -> None:
    with open_store(":memory:", actor="alice") as store:
        assert isinstance(store, MetadataStore)
        assert store.register("datasets", "iris", rows=1)["created_by"] == "alice"
