"""Settings from the environment."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Where the chronicle lives and who is writing to it."""

    data_dir: Path
    database_url: str | None = None
    editor: str = "editor"
    view_batch_size: int = 2000
    # How long one request's reads may take before they are interrupted (503), in seconds.
    query_timeout: float = 10.0

    @property
    def backend(self) -> str:
        if self.database_url and self.database_url.startswith(("postgresql://", "postgres://")):
            return "postgresql"
        return "sqlite"

    @property
    def events_path(self) -> Path:
        return self.data_dir / "events.sqlite"

    @property
    def views_dir(self) -> Path:
        return self.data_dir / "views"


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/chronicle``, or ``~/.local/share/chronicle``."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "chronicle"


def from_environment(environ: dict | None = None, **overrides) -> Settings:
    """Read ``CHRONICLE_DATA``, ``CHRONICLE_DATABASE_URL``, ``CHRONICLE_EDITOR``, ``CHRONICLE_VIEW_BATCH_SIZE``
    and ``CHRONICLE_QUERY_TIMEOUT``."""
    env = os.environ if environ is None else environ
    url = env.get("CHRONICLE_DATABASE_URL") or None
    data = env.get("CHRONICLE_DATA")
    if url and url.startswith("sqlite:///") and not data:
        data = url[len("sqlite:///"):]
    settings = {
        "data_dir": Path(data).expanduser() if data else default_data_dir(),
        "database_url": url,
        "editor": env.get("CHRONICLE_EDITOR") or _login_name(),
        "view_batch_size": int(env.get("CHRONICLE_VIEW_BATCH_SIZE") or 2000),
        "query_timeout": float(env.get("CHRONICLE_QUERY_TIMEOUT") or 10.0),
    }
    settings.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**settings)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "editor"
