"""Server URLs parsed whole before anything is shown; credentials from the URL, then the environment."""

from __future__ import annotations

import pytest

from arangoml_meta.backends import check_server_url
from arangoml_meta.backends.arango_url import (
    ServerURL,
    credentials,
    parse_server_url,
    public_url,
    request_timeout,
)
from arangoml_meta.errors import BadParameterError


@pytest.mark.parametrize(
    ("url", "hosts", "username", "password"),
    [
        ("http://u:p,ss@db:8529", ("http://db:8529",), "u", "p,ss"),
        ("http://u:a#b@db:8529", ("http://db:8529",), "u", "a#b"),
        ("http://u:a?b=c@db:8529/prefix", ("http://db:8529/prefix",), "u", "a?b=c"),
        ("http://u:a/b@db:8529", ("http://db:8529",), "u", "a/b"),
        ("http://u:a@b@db:8529", ("http://db:8529",), "u", "a@b"),
        ("http://u:x:y@db:8529", ("http://db:8529",), "u", "x:y"),
        ("http://u:p%2Cw@db:8529", ("http://db:8529",), "u", "p,w"),
        (
            "http://u:p,w@a:8529,http://u:p,w@b:8529",
            ("http://a:8529", "http://b:8529"),
            "u",
            "p,w",
        ),
        ("https://a:8529, https://b:8530/", ("https://a:8529", "https://b:8530"), None, None),
        ("http://:only-secret@db", ("http://db",), None, "only-secret"),
    ],
)
def test_a_url_is_parsed_whole(
    url: str, hosts: tuple[str, ...], username: str | None, password: str | None
) -> None:
    parsed = parse_server_url(url)
    assert (parsed.hosts, parsed.username, parsed.password) == (hosts, username, password)
    assert public_url(url) == ",".join(hosts)
    if password:
        assert password not in repr(parsed)


@pytest.mark.parametrize(
    "url",
    [
        "http://u:s3/cr#t@db:99999",
        "http://u:s3/cr#t@:8529",
        "http://u:s3/cr#t@db:0",
        "http://u:s3/cr#t@db:8529,ftp://u:s3/cr#t@other",
        "http://u:s3/cr#t@[::1:8529",
    ],
)
def test_a_refused_url_does_not_show_its_password(url: str) -> None:
    with pytest.raises(BadParameterError) as err:
        check_server_url(url)
    assert err.value.error_num == 10
    assert "s3/cr#t" not in str(err.value)
    assert "s3" not in public_url(url)


ENV = {"ARANGO_USERNAME": "env-user", "ARANGO_PASSWORD": "env-pass"}


@pytest.mark.parametrize(
    ("user", "password", "environ", "expected"),
    [
        ("bob", "url-pass", ENV, ("bob", "url-pass")),  # the URL wins
        ("bob", None, ENV, ("bob", "env-pass")),  # the URL names the user only
        (None, None, ENV, ("env-user", "env-pass")),
        (None, "url-pass", ENV, ("env-user", "url-pass")),
        (None, None, {}, (None, None)),  # the backend then uses root, no password
        ("bob", None, {}, ("bob", None)),
    ],
)
def test_credentials_come_from_the_url_then_the_environment(
    user: str | None,
    password: str | None,
    environ: dict[str, str],
    expected: tuple[str | None, str | None],
) -> None:
    url = ServerURL(("http://db:8529",), user, password)
    assert credentials(url, environ) == expected


def test_the_timeout_comes_from_the_argument_then_the_environment() -> None:
    assert request_timeout({}) == 60.0
    assert request_timeout({"ARANGOML_META_TIMEOUT": " 12.5 "}) == 12.5
    assert request_timeout({"ARANGOML_META_TIMEOUT": "12.5"}, 3) == 3.0
    with pytest.raises(BadParameterError, match="timeout"):
        request_timeout({}, 0)
    with pytest.raises(BadParameterError, match="timeout"):
        request_timeout({}, True)  # type: ignore[arg-type]
