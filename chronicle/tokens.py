"""Access tokens for writers: created once, shown once, stored only as a hash; and the editors'
sessions opened with them, which live on the server so that signing out or revoking ends them."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass

from chronicle.domain import ChronicleError, check_slug

PREFIX = "chr_"


@dataclass(frozen=True)
class Token:
    """Who a bearer token belongs to, and whether it may write."""

    name: str
    read_only: bool
    created_at: str
    revoked_at: str | None = None


def digest(secret: str) -> str:
    """The stored form of a secret: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


class TokenStore(ABC):
    """Where token hashes live (never the secrets themselves)."""

    @abstractmethod
    def add(self, name: str, token_hash: str, read_only: bool) -> Token: ...

    @abstractmethod
    def find(self, token_hash: str) -> tuple[Token, str] | None:
        """The token with this hash, and the stored hash, if it exists and is not revoked."""

    @abstractmethod
    def revoke(self, name: str) -> bool:
        """Revoke every live token with this name, and end their sessions."""

    @abstractmethod
    def all(self) -> list[Token]: ...

    @abstractmethod
    def add_session(self, session_hash: str, token_hash: str) -> None:
        """Record a live session of the token with this hash."""

    @abstractmethod
    def find_session(self, session_hash: str) -> Token | None:
        """The token of a session that has not ended, if the token is not revoked."""

    @abstractmethod
    def close_session(self, session_hash: str) -> None:
        """End a session (ending one already ended changes nothing)."""

    def create(self, name: str, read_only: bool = False) -> str:
        """Make a token for ``name``; return the secret, which is never stored or shown again."""
        check_slug(name)
        if any(t.name == name and t.revoked_at is None for t in self.all()):
            raise TokenError(f"a token named {name!r} already exists: revoke it first")
        secret = new_secret()
        self.add(name, digest(secret), read_only)
        return secret

    def verify(self, secret: str | None) -> Token | None:
        """The token a secret belongs to, or None."""
        if not secret or not secret.startswith(PREFIX):
            return None
        candidate = digest(secret)
        found = self.find(candidate)
        if found is None or not hmac.compare_digest(found[1], candidate):
            return None
        return found[0]

    def open_session(self, secret: str) -> str:
        """Open an editor's session for a (verified) token; return its id, for the signed session cookie.

        Only the id's hash is stored, beside the token's: whoever reads the store cannot take over a session.
        """
        session_id = secrets.token_urlsafe(32)
        self.add_session(digest(session_id), digest(secret))
        return session_id

    def session(self, session_id: str | None) -> Token | None:
        """The token a session was opened with, while the session is live and the token not revoked."""
        if not isinstance(session_id, str) or not session_id:
            return None
        return self.find_session(digest(session_id))

    def end_session(self, session_id: str | None) -> None:
        """Sign out: the session's cookie, even a copy taken before, opens nothing any more."""
        if isinstance(session_id, str) and session_id:
            self.close_session(digest(session_id))


class TokenError(ChronicleError):
    """A token that cannot be created or revoked."""
