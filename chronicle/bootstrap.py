"""The one place where a Chronicle is assembled from settings."""

from __future__ import annotations

from chronicle.application import Chronicle
from chronicle.config import Settings
from chronicle.persistence import event_store_env, opening, token_store, view_locator
from chronicle.tokens import TokenStore


def open_chronicle(settings: Settings) -> Chronicle:
    """A Chronicle on the configured event store and read models, caught up."""
    with opening(settings):
        chronicle = Chronicle(env=event_store_env(settings), views=view_locator(settings),
                              batch_size=settings.view_batch_size)
    chronicle.upgrade_view()
    chronicle.catch_up()
    return chronicle


def open_tokens(settings: Settings) -> TokenStore:
    """The store of writers' access tokens."""
    return token_store(settings)
