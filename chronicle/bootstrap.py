"""The one place where a Chronicle is assembled from settings."""

from __future__ import annotations

from chronicle.application import Chronicle
from chronicle.config import Settings
from chronicle.persistence import event_store_env, view_locator


def open_chronicle(settings: Settings) -> Chronicle:
    """A Chronicle on the configured event store and read models, caught up."""
    chronicle = Chronicle(env=event_store_env(settings), views=view_locator(settings),
                          batch_size=settings.view_batch_size)
    chronicle.catch_up()
    return chronicle
