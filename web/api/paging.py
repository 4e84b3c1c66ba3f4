"""Offset pages for lists, with the next page's URL in the body and in a Link header."""

from __future__ import annotations

from flask import request, url_for


def page(items: list, limit: int, offset: int) -> tuple[list, dict]:
    """One page of a list, and what the page says about itself."""
    following = offset + limit
    next_url = _url_with(offset=following) if following < len(items) else None
    return items[offset:following], {"total": len(items), "limit": limit, "offset": offset, "next": next_url}


def _url_with(**changes: int) -> str:
    """This request's URL with some query arguments replaced."""
    return url_for(request.endpoint, **(request.view_args or {}), **{**request.args.to_dict(), **changes},
                   _external=True)


def next_link(url: str | None) -> dict:
    """The Link header for a next page (RFC 8288), if there is one."""
    return {"Link": f'<{url}>; rel="next"'} if url else {}


def cursor_url(after: int, limit: int) -> str:
    """The next page of a cursor-paged list."""
    return _url_with(after=after, limit=limit)
