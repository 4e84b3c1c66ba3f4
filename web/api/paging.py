"""Pages for lists, with the next page's URL in the body and in a Link header; and the ceilings on them.

Every list the API answers is paged: ``limit`` (1 to MAX_LIMIT, default 100) and ``offset``. A
narrative is paged over its topics and carries at most MAX_CLAIMS claims: a page stops before the
topic that would pass the ceiling (and a topic that alone holds more is cut, its next claims on the
next page, ``claim_offset``).
"""

from __future__ import annotations

from flask import request, url_for
from marshmallow import fields, validate

from chronicle import schemas
from chronicle_web.api import schemas as api

MAX_CLAIMS = 1000


def page(items: list, limit: int, offset: int) -> tuple[list, dict]:
    """One page of a list, and what the page says about itself."""
    following = offset + limit
    next_url = _url_with(offset=following) if following < len(items) else None
    return items[offset:following], {"total": len(items), "limit": limit, "offset": offset, "next": next_url}


def offset_page(limit: int, offset: int, more: bool) -> dict:
    """What a page read from the database says about itself (its total is not counted)."""
    return {"limit": limit, "offset": offset, "more": more, "next": _url_with(offset=offset + limit) if more else None}


def narrative_page(topics: list[dict], limit: int, offset: int, claim_offset: int = 0,
                   max_claims: int | None = None) -> tuple[list, dict]:
    """A page of a narrative's topics holding at most ``max_claims`` claims, starting ``claim_offset`` claims
    into its first topic (for the API's narrative and the narrative page alike)."""
    shown, budget, index = [], max_claims or MAX_CLAIMS, offset
    skip = claim_offset
    next_args = None
    while index < len(topics) and len(shown) < limit:
        claims = topics[index]["claims"][skip:]
        if len(claims) > budget:
            if shown:  # the next topic starts the next page
                next_args = {"offset": index, "claim_offset": 0}
            else:      # one topic holds more than a page: its next claims are on the next page
                shown.append({**topics[index], "claims": claims[:budget]})
                next_args = {"offset": index, "claim_offset": skip + budget}
            break
        shown.append({**topics[index], "claims": claims})
        budget -= len(claims)
        index, skip = index + 1, 0
    if next_args is None and index < len(topics):
        next_args = {"offset": index, "claim_offset": 0}
    next_url = _url_with(offset=next_args["offset"], claim_offset=next_args["claim_offset"] or None) \
        if next_args else None
    return shown, {"total": len(topics), "limit": limit, "offset": offset, "next": next_url}


def _url_with(**changes: int | None) -> str:
    """This request's URL with some query arguments replaced (None: left out)."""
    args = {k: v for k, v in {**request.args.to_dict(), **changes}.items() if v is not None}
    return url_for(request.endpoint, **(request.view_args or {}), **args, _external=True)


def next_link(url: str | None) -> dict:
    """The Link header for a next page (RFC 8288), if there is one."""
    return {"Link": f'<{url}>; rel="next"'} if url else {}


def cursor_url(after: int, limit: int) -> str:
    """The next page of a cursor-paged list."""
    return _url_with(after=after, limit=limit)


# ----- the arguments and answers of the lists paged here


class PagedKnownAtArgs(api.PagingArgs):
    known_at = api.KnownAt()


class NarrativePagingArgs(api.NarrativeArgs):
    claim_offset = fields.Integer(load_default=0, validate=validate.Range(min=0), metadata={
        "description": "claims of the first topic already seen (a topic holding more than "
                       f"{MAX_CLAIMS} claims goes on over several pages)"})


class OffsetPageOut(schemas.Out):
    limit = fields.Integer()
    offset = fields.Integer()
    more = fields.Boolean(metadata={"description": "whether another page follows"})
    next = fields.String(allow_none=True, metadata={"description": "the next page's URL, also in the Link header"})


class LensHistoryPageOut(schemas.LensHistoryOut):
    page = fields.Nested(OffsetPageOut)


class TopicHistoryPageOut(schemas.TopicHistoryOut):
    page = fields.Nested(api.PageOut)
