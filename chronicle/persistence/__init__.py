"""Where events and read models are stored, chosen by configuration."""

from __future__ import annotations

from chronicle.config import Settings
from chronicle.projections.store import ViewLocator
from chronicle.tokens import TokenStore


def event_store_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing environment for the configured event store."""
    if settings.backend == "postgresql":
        raise NotImplementedError("PostgreSQL arrives with the scale work; use SQLite for now")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(settings.events_path),
        "SQLITE_LOCK_TIMEOUT": "30",
        "APPLICATION_RECORDER_TOPIC": "chronicle.persistence.chain:ChainedSQLiteApplicationRecorder",
    }


def view_locator(settings: Settings) -> ViewLocator:
    """The locator of the read models for the configured store."""
    from chronicle.persistence.sqlite import SQLiteViewLocator

    return SQLiteViewLocator(settings.views_dir)


def token_store(settings: Settings) -> TokenStore:
    """Where writers' token hashes are kept."""
    from chronicle.persistence.sqlite_tokens import SQLiteTokenStore

    return SQLiteTokenStore(settings.data_dir / "auth.sqlite")
