"""Public reads of one story (under /stories/<story>): narratives, diffs, topics, claims, incidents, lenses;
and of the whole chronicle: sources (shared by every story), the event log and search."""

from __future__ import annotations

from chronicle import schemas
from chronicle_web.api import bp
from chronicle_web.api import schemas as api
from chronicle_web.api.schemas import shared
from chronicle_web.api.inputs import load_args
from chronicle_web.api.openapi import described
from chronicle_web.api.paging import (
    LensHistoryPageOut, NarrativePagingArgs, PagedKnownAtArgs, TopicHistoryPageOut, cursor_url,
    narrative_page, next_link, offset_page, page,
)
from chronicle_web.caching import answered
from chronicle_web.context import chronicle, story

STORY = "/stories/<story>"


def etag(version: int) -> dict:
    """The claim entry's version as a strong ETag, the token If-Match must repeat."""
    return {"ETag": f'"{version}"'}


@bp.get(f"{STORY}/narrative")
@described("The narrative of a lens as of a day, by topic, paged over topics", args=NarrativePagingArgs,
           out=api.NarrativePageOut, errors=(400, 404), headers=("Link",))
@answered
def narrative():
    """Each topic's claims current on `as_of` for the lens, with their status (current, superseded,
    retracted), as the chronicle holds them now or held them at `known_at`. A page holds `limit` topics
    and at most 1,000 claims: it ends early rather than pass that (`next` says where to go on)."""
    args = load_args(shared(NarrativePagingArgs))
    answer = chronicle().narrative(args["as_of"], args["lens"], args.get("known_at"), story=story())
    answer["topics"], answer["page"] = narrative_page(answer["topics"], args["limit"], args["offset"],
                                                      args["claim_offset"])
    return shared(api.NarrativePageOut).dump(answer), next_link(answer["page"]["next"])


@bp.get(f"{STORY}/diff")
@described("What changed in a lens's story between two days", args=api.DiffArgs, out=schemas.DiffOut,
           errors=(400, 404))
@answered
def diff():
    """Claims added, revised, retracted, superseded and disputed between `from` and `to`."""
    args = load_args(shared(api.DiffArgs))
    return shared(schemas.DiffOut).dump(chronicle().diff(args["from_"], args["to"], args["lens"], args.get("known_at"),
                                                         story=story()))


@bp.get(f"{STORY}/topics")
@described("Every topic of the story", args=api.PagingArgs, out=api.TopicPageOut, errors=(400,), headers=("Link",))
@answered
def topics():
    """Figures and questions that the story's claims are about."""
    return _paged(chronicle().entries("topic", story()), api.TopicPageOut)


@bp.get(f"{STORY}/topics/<topic>")
@described("One topic", out=schemas.TopicOut, errors=(404,))
@answered
def topic(topic: str):
    """A topic by slug (within its story) or id."""
    return shared(schemas.TopicOut).dump(chronicle().resolve("topic", topic, story()))


@bp.get(f"{STORY}/topics/<topic>/history")
@described("Every version of every claim on a topic, paged", args=PagedKnownAtArgs, out=TopicHistoryPageOut,
           errors=(400, 404), headers=("Link",))
@answered
def topic_history(topic: str):
    """In stated order, each with who said it, when it was recorded and what it replaced."""
    args = load_args(shared(PagedKnownAtArgs))
    answer = chronicle().topic_history(topic, args.get("known_at"), story=story())
    answer["history"], answer["page"] = page(answer["history"], args["limit"], args["offset"])
    return shared(TopicHistoryPageOut).dump(answer), next_link(answer["page"]["next"])


@bp.get(f"{STORY}/claims")
@described("Every claim of the story (id and slug)", args=api.PagingArgs, out=api.ClaimPageOut, errors=(400,),
           headers=("Link",))
@answered
def claims():
    """Every claim of the story; read one for its versions."""
    return _paged(chronicle().entries("claim", story()), api.ClaimPageOut)


@bp.get(f"{STORY}/claims/<claim>")
@described("A claim's history: versions, corrections and links; its ETag is the entry's version",
           args=api.KnownAtArgs, out=schemas.ClaimHistoryOut, errors=(400, 404), headers=("ETag",))
def claim(claim: str):
    """The ETag is what If-Match must carry to revise, retract, reinstate or correct this claim."""
    args = load_args(shared(api.KnownAtArgs))
    answer = chronicle().claim_history(claim, args.get("known_at"), story=story())
    return shared(schemas.ClaimHistoryOut).dump(answer), etag(answer["entry_version"])


@bp.get(f"{STORY}/incidents")
@described("Incidents, filtered by when they may have occurred and where", args=api.IncidentArgs,
           out=api.IncidentPageOut, errors=(400,), headers=("Link",))
@answered
def incidents():
    """An incident matches a date range if its (fuzzy) occurred date could fall inside it."""
    args = load_args(shared(api.IncidentArgs))
    found = chronicle().incidents(args.get("occurred_from"), args.get("occurred_to"), args.get("place"), story=story())
    return _paged(found, api.IncidentPageOut, args)


@bp.get(f"{STORY}/incidents/<incident>")
@described("One incident", out=schemas.IncidentDatedOut, errors=(404,))
@answered
def incident(incident: str):
    """An incident by slug (within its story) or id, its occurred date with its precision."""
    return shared(schemas.IncidentDatedOut).dump(find_incident(incident))


def find_incident(key: str) -> dict:
    """One of the story's incidents with its date presented."""
    slug = chronicle().resolve("incident", key, story())["slug"]
    return next(i for i in chronicle().incidents(story=story()) if i["slug"] == slug)


@bp.get(f"{STORY}/lenses/<lens>/history")
@described("Every version of every claim in a lens, in stated order, paged", args=PagedKnownAtArgs,
           out=LensHistoryPageOut, errors=(400, 404), headers=("Link",))
@answered
def lens_history(lens: str):
    """What the lens's sources stated, revised and retracted, day by day; the page is read from the
    database (`more` and `next` say whether another follows)."""
    args = load_args(shared(PagedKnownAtArgs))
    answer = chronicle().lens_history(lens, args.get("known_at"), story=story(), limit=args["limit"],
                                      offset=args["offset"])
    answer["page"] = offset_page(args["limit"], args["offset"], answer["page"]["more"])
    return shared(LensHistoryPageOut).dump(answer), next_link(answer["page"]["next"])


@bp.get(f"{STORY}/lenses/<lens>/days")
@described("The stated days on which a lens's narrative changed", args=api.KnownAtArgs, out=api.ChangeDaysOut,
           errors=(400, 404))
@answered
def change_days(lens: str):
    """A claim in the lens stated, revised, retracted or reinstated, or a link to or from one taking effect."""
    args = load_args(shared(api.KnownAtArgs))
    app = chronicle()
    days = app.narrative_days(lens, args.get("known_at"), story=story())
    return shared(api.ChangeDaysOut).dump({"story": story(), "lens": app.resolve_lens(lens).name,
                                           "known_at": args.get("known_at"), "days": days})


# ----- the whole chronicle


@bp.get("/sources")
@described("Every source (sources are shared by every story)", args=api.PagingArgs, out=api.SourcePageOut,
           errors=(400,), headers=("Link",))
@answered
def sources():
    """People, ministries, outlets and groups, with their camps and aliases."""
    return _paged(chronicle().entries("source"), api.SourcePageOut)


@bp.get("/sources/<name>")
@described("A source by slug, name or alias, with every claim it made in every story", args=api.KnownAtArgs,
           out=schemas.SourceClaimsOut, errors=(400, 404))
@answered
def source(name: str):
    """"Kassym-Zhomart Tokayev" finds the source `tokayev`; an ambiguous name is a 404 naming the candidates.
    Each version says which story its claim is in (`story`)."""
    args = load_args(shared(api.KnownAtArgs))
    return shared(schemas.SourceClaimsOut).dump(chronicle().source_claims(name, args.get("known_at")))


@bp.get("/events")
@described("The event log in recorded order, cursor-paged", args=api.EventArgs, out=api.EventPageOut,
           errors=(400,), headers=("Link",))
@answered
def events():
    """Pass the last position you saw as `after`; `next_after` (and the Link header) give the next page."""
    args = load_args(shared(api.EventArgs))
    found = list(chronicle().event_log(args["after"], args["limit"] + 1))
    more = len(found) > args["limit"]
    found = found[:args["limit"]]
    following = found[-1]["position"] if more else None
    answer = {"events": found, "next_after": following}
    link = next_link(cursor_url(following, args["limit"]) if more else None)
    return shared(api.EventPageOut).dump(answer), link


@bp.get("/search")
@described("Full-text search over every story's claims, quotes, topics and incidents, the stories, and the sources "
           "(and their aliases)", args=api.SearchArgs, out=api.SearchOut, errors=(400, 404))
@answered
def search():
    """Every word must match; the last may be a prefix. Best matches first. Each result names its story
    (`story`; none for a source); `story=` keeps one story's (an unknown one is a 404)."""
    args = load_args(shared(api.SearchArgs))
    found = chronicle().search(args["q"], args.get("kind"), args["limit"], story=args.get("story"))
    return shared(api.SearchOut).dump({"query": args["q"], "results": found})


def _paged(items: list, schema: type, args: dict | None = None):
    args = args or load_args(shared(api.PagingArgs))
    shown, about = page(items, args["limit"], args["offset"])
    return schema().dump({"items": shown, "page": about}), next_link(about["next"])
