"""Chronicle: an event-sourced chronology of contested events, with narrative versioning."""

__version__ = "0.1.0"
