"""An ArangoDB server URL: its hosts, and credentials that never reach a message, a repr or a log.

``http://user:password@host:8529`` (several coordinators comma-separated,
``http://a:8529,http://b:8529``) is parsed as a whole before anything is shown:

- hosts are split only at a comma that starts another ``http(s)://`` URL, so a
  password may hold ``,``;
- in each host URL everything up to the *last* ``@`` is user information, so a
  password may hold ``/``, ``?``, ``#``, ``:`` or ``@`` without percent-encoding
  (a path holding ``@`` must write it ``%40``); the user name ends at the first
  ``:``; both are percent-decoded;
- the public form keeps scheme (lower case), host, port and path (a reverse
  proxy's prefix) and drops credentials, query and fragment.

When in doubt a part is taken for a secret, never shown. :func:`credentials`
settles who connects: the URL's user and password, else ``ARANGO_USERNAME`` /
``ARANGO_PASSWORD`` — also the password alone when the URL names a user but no
password. :func:`request_timeout` reads how long a request may take.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from ..errors import BadParameterError

USERNAME_ENV = "ARANGO_USERNAME"
PASSWORD_ENV = "ARANGO_PASSWORD"
TIMEOUT_ENV = "ARANGOML_META_TIMEOUT"  # seconds a request to ArangoDB may take
DEFAULT_TIMEOUT = 60.0
MAX_TIMEOUT = 86_400.0

_NEXT_HOST = re.compile(r",\s*(?=[A-Za-z][A-Za-z0-9+.\-]*://)")
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*)://")


@dataclass(frozen=True)
class ServerURL:
    """A parsed server URL: public host URLs and the credentials it carried (never shown)."""

    hosts: tuple[str, ...]
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def public(self) -> str:
        """The hosts without credentials, comma-separated: safe to print, log or store."""
        return ",".join(self.hosts)


def parse_server_url(url: str) -> ServerURL:
    """The hosts and credentials of ``url`` (see the module docstring); a host without a
    name, with a port that is not a number from 1 to 65535, or a scheme other than
    http(s) is refused (10), the message showing the host without its credentials."""
    hosts: list[str] = []
    username = password = None
    found = False
    for part in _NEXT_HOST.split(url.strip()):
        public, user, secret, has_userinfo = _parse_host(part)
        hosts.append(public)
        if has_userinfo and not found:
            found = True
            username, password = user, secret
    return ServerURL(tuple(hosts), username, password)


def public_url(url: str) -> str:
    """``url`` with any credentials removed: safe to print, log or store."""
    try:
        return parse_server_url(url).public
    except BadParameterError:
        return ",".join(_redacted(part) for part in _NEXT_HOST.split(url.strip()))


def credentials(url: ServerURL, environ: Mapping[str, str]) -> tuple[str | None, str | None]:
    """Who connects: the URL's user, else ``ARANGO_USERNAME``; the URL's password, else
    ``ARANGO_PASSWORD`` (so a URL may name the user and leave the secret to the
    environment). None where nothing is given (the backend then uses root and an empty
    password)."""
    username = url.username or environ.get(USERNAME_ENV) or None
    password = url.password if url.password is not None else environ.get(PASSWORD_ENV)
    return username, password


def request_timeout(environ: Mapping[str, str], given: float | None = None) -> float:
    """Seconds a request to ArangoDB may take: ``given``, else ``ARANGOML_META_TIMEOUT``,
    else 60; refused (10) unless a number above 0 and at most a day."""
    source = "timeout"
    value: object = given
    if value is None:
        text = environ.get(TIMEOUT_ENV, "").strip()
        if not text:
            return DEFAULT_TIMEOUT
        source, value = TIMEOUT_ENV, text
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        seconds = -1.0
    if isinstance(value, bool) or not 0 < seconds <= MAX_TIMEOUT:
        raise BadParameterError(
            f"{source} is a number of seconds above 0 and at most {MAX_TIMEOUT:g}, not {value!r}"
        )
    return seconds


def _parse_host(text: str) -> tuple[str, str | None, str | None, bool]:
    """(public URL, user, password, whether there was user information) of one host URL."""
    scheme_match = _SCHEME.match(text)
    if scheme_match is None:
        raise BadParameterError(
            f"invalid ArangoDB URL {_redacted(text)!r}: expected http(s)://HOST[:PORT]"
        )
    scheme = scheme_match.group(1).lower()
    rest = text[scheme_match.end() :].rstrip()
    userinfo, at, location = rest.rpartition("@")
    user = secret = None
    if at:
        name, colon, word = userinfo.partition(":")
        user = unquote(name) or None
        secret = unquote(word) if colon else None
    shown = f"{scheme}://{location}"
    try:
        parts = urlsplit(shown)
        port = parts.port  # raises for a port that is not a number from 0 to 65535
    except ValueError as exc:
        raise BadParameterError(f"invalid ArangoDB URL {shown!r}: {exc}") from None
    if scheme not in ("http", "https") or not parts.hostname:
        raise BadParameterError(f"invalid ArangoDB URL {shown!r}: expected http(s)://HOST[:PORT]")
    if port == 0:
        raise BadParameterError(f"invalid ArangoDB URL {shown!r}: port 0")
    public = f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    return public, user, secret, bool(at)


def _redacted(text: str) -> str:
    """``text`` with everything up to its last ``@`` after ``scheme://`` removed."""
    scheme_match = _SCHEME.match(text)
    if scheme_match is None:
        return text.rpartition("@")[2]
    return f"{scheme_match.group(1).lower()}://{text[scheme_match.end() :].rpartition('@')[2]}"
