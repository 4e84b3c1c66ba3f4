"""Where events and read models are stored, chosen by configuration."""

from __future__ import annotations

from contextlib import AbstractContextManager

from chronicle.config import Settings
from chronicle.projections.store import ViewLocator
from chronicle.tokens import TokenStore


def event_store_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing environment for the configured event store."""
    if settings.backend == "postgresql":
        from chronicle.persistence import postgres

        return postgres.event_store_env(settings.database_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(settings.events_path),
        "SQLITE_LOCK_TIMEOUT": "30",
        "APPLICATION_RECORDER_TOPIC": "chronicle.persistence.chain:ChainedSQLiteApplicationRecorder",
    }


def opening(settings: Settings) -> AbstractContextManager:
    """Held while a chronicle creates its tables: processes starting together take turns."""
    if settings.backend == "postgresql":
        from chronicle.persistence import postgres

        return postgres.opening(settings.database_url)
    from chronicle.persistence.sqlite import opening_folder

    return opening_folder(settings.data_dir)


def view_locator(settings: Settings) -> ViewLocator:
    """The locator of the read models for the configured store."""
    if settings.backend == "postgresql":
        from chronicle.persistence.postgres import PostgresViewLocator

        return PostgresViewLocator(settings.database_url, settings.query_timeout)
    from chronicle.persistence.sqlite import SQLiteViewLocator

    return SQLiteViewLocator(settings.views_dir)


def token_store(settings: Settings) -> TokenStore:
    """Where writers' token hashes are kept."""
    if settings.backend == "postgresql":
        from chronicle.persistence.postgres_tokens import PostgresTokenStore

        return PostgresTokenStore(settings.database_url)
    from chronicle.persistence.sqlite_tokens import SQLiteTokenStore

    return SQLiteTokenStore(settings.data_dir / "auth.sqlite")
