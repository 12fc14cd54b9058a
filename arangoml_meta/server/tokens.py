"""JSON Web Tokens as ArangoDB issues and accepts them, and the secret that signs them.

``POST /_open/auth`` issues a user token: HS256, ``{"preferred_username", "iss":
"arangodb", "iat", "exp"}``, valid for the session timeout (ArangoDB's
``--server.session-timeout``, an hour). A request carries it as ``Authorization: bearer
<jwt>``. A token that names no user but a ``server_id`` is a superuser token (what
ArangoDB's own tools and the Kubernetes operator mint); it is accepted only when the
secret was configured (``--jwt-secret`` / ``--jwt-secret-file``, ArangoDB's
``--server.jwt-secret-keyfile``), never with the server's own secret. That own secret is
made once, 32 random bytes in hex, and kept beside the store file (``jwt-secret``, mode
0600), so user tokens outlive a restart.

A token is refused (None) when its signature, header (``alg`` HS256, ``typ`` JWT), issuer
or expiry is wrong, or it names neither a user nor a server; a superuser token may list
``allowed_paths`` and is good for those paths only.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import math
import os
import secrets
import stat
import time
from pathlib import Path
from typing import Any

import jwt

from ..backends.embedded import STORE_FILE
from ..errors import BadParameterError
from .grants import Identity

log = logging.getLogger("arangoml_meta.server")

ISSUER = "arangodb"
ALGORITHM = "HS256"
SECRET_FILE = "jwt-secret"
MAX_SECRET_LENGTH = 64  # ArangoDB refuses a longer secret
SESSION_TIMEOUT = 3600.0
CACHE_SIZE = 1024


def check_secret(secret: str, source: str) -> str:
    """``secret`` when ArangoDB would take it (1 to 64 characters), else 10 naming ``source``."""
    if not secret:
        raise BadParameterError(f"the JWT secret from {source} is empty")
    if len(secret) > MAX_SECRET_LENGTH:
        raise BadParameterError(
            f"the JWT secret from {source} is {len(secret)} characters long; "
            f"ArangoDB takes at most {MAX_SECRET_LENGTH}"
        )
    return secret


def read_secret_file(path: Path) -> str:
    """The secret in ``path`` (``--jwt-secret-file``), surrounding white space removed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise BadParameterError(f"cannot read the JWT secret file {path}: {reason}") from None
    return check_secret(text.strip(), str(path))


def secret_file_of(system_file: Path) -> Path:
    """Where a store keeps the server's own secret: beside its file."""
    if system_file.name == STORE_FILE:
        return system_file.parent / SECRET_FILE
    return system_file.with_name(f"{system_file.name}.{SECRET_FILE}")


def own_secret(system_file: Path) -> str:
    """The server's own secret for the store at ``system_file``: read, or made once (a
    file readable by its owner only; two servers starting at once agree on one)."""
    path = secret_file_of(system_file)
    if not path.exists():
        fresh = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(secrets.token_hex(32) + "\n")
            with contextlib.suppress(FileExistsError):  # another process made it meanwhile
                os.link(fresh, path)
        finally:
            fresh.unlink(missing_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning(
            "%s could be read by others (mode %o): made readable by its owner only", path, mode
        )
        path.chmod(0o600)
    return check_secret(path.read_text(encoding="utf-8").strip(), str(path))


Verified = tuple[Identity, tuple[str, ...] | None]


class Tokens:
    """Issues user tokens and verifies any token against one secret. A verified token is
    remembered until it expires (verifying one costs more than the rest of a request's
    authentication), by a keyed hash of it."""

    def __init__(
        self, secret: str, accept_superuser: bool, session_timeout: float = SESSION_TIMEOUT
    ) -> None:
        self._key = secret.encode("utf-8")
        self.accept_superuser = accept_superuser
        self.session_timeout = session_timeout
        self._cache_key = secrets.token_bytes(32)
        self._verified: dict[bytes, tuple[Verified, float]] = {}

    def issue(self, user: str) -> str:
        """A token for ``user``, valid for the session timeout."""
        now = int(time.time())
        claims = {
            "preferred_username": user,
            "iss": ISSUER,
            "iat": now,
            "exp": now + int(self.session_timeout),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"typ": "JWT"})

    def issue_superuser(self, server_id: str = "arangoml-meta", **claims: Any) -> str:
        """A superuser token (as ArangoDB's tools make them with the configured secret)."""
        body = {"iss": ISSUER, "server_id": server_id, "iat": int(time.time()), **claims}
        return jwt.encode(body, self._key, algorithm=ALGORITHM, headers={"typ": "JWT"})

    def verify(self, token: str) -> Verified | None:
        """Who the token speaks for and the paths it is limited to (None: any), or None
        when it is not a valid token of this server."""
        digest = hmac.new(self._cache_key, token.encode("utf-8"), hashlib.sha256).digest()
        known = self._verified.get(digest)
        if known is not None:
            if time.time() < known[1]:
                return known[0]
            self._verified.pop(digest, None)
        verified, expires = self._verify(token)
        if verified is not None:
            if len(self._verified) >= CACHE_SIZE:
                self._verified.clear()
            self._verified[digest] = (verified, expires)
        return verified

    def _verify(self, token: str) -> tuple[Verified | None, float]:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != ALGORITHM or header.get("typ") != "JWT":
                return None, 0.0
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["iss"], "verify_iat": False, "verify_aud": False},
            )
        except jwt.PyJWTError:
            return None, 0.0
        expires = float(claims.get("exp", math.inf))
        paths = claims.get("allowed_paths")
        if paths is not None and not (
            isinstance(paths, list) and all(isinstance(p, str) for p in paths)
        ):
            return None, 0.0
        allowed = tuple(paths) if paths is not None else None
        if "preferred_username" in claims:
            user = claims["preferred_username"]
            if not isinstance(user, str) or not user:
                return None, 0.0
            return (Identity(user), allowed), expires
        if "server_id" in claims and self.accept_superuser:
            return (Identity.superuser(), allowed), expires
        return None, 0.0
