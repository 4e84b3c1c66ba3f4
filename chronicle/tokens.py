"""Access tokens for writers: created once, shown once, stored only as a hash."""

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
    def revoke(self, name: str) -> bool: ...

    @abstractmethod
    def all(self) -> list[Token]: ...

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


class TokenError(ChronicleError):
    """A token that cannot be created or revoked."""
