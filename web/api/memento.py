"""Narratives as Memento resources (RFC 7089): original, TimeGate, TimeMap and mementos.

Every resource here is one story's (under ``/stories/<story>``). The original resource is a lens's
current narrative of the story, ``/stories/<story>/lenses/<lens>/narrative``. A narrative has two
time axes, so there are two kinds of memento, and each pins the other axis in its URI so that it
never changes (paths below are under ``/stories/<story>``):

- stated (the default): ``/lenses/<lens>/stated/<day>/known-at/<instant>`` is the story as of
  ``day``, as the chronicle held it at ``instant``. There is one per stated day on which the
  lens's narrative changed; the TimeGate pins ``instant`` to the last recorded event, so two
  negotiations with no write between them give the same URI.
- recorded (``?axis=recorded``): ``/lenses/<lens>/recorded/<instant>/as-of/<day>`` is the story
  as of ``day`` as the chronicle held it at ``instant``, one per second in which events were
  recorded (in any story: sources are shared); ``day`` defaults to today.

Accept-Datetime and Memento-Datetime are HTTP-dates (RFC 7231's IMF-fixdate, in GMT). On the
stated axis they name days: the memento of day D has Memento-Datetime D 00:00:00 GMT, and an
Accept-Datetime selects by its UTC calendar day.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone

from flask import Response, request, url_for
from werkzeug.http import http_date

from chronicle import schemas
from chronicle.application import InvalidQueryError, UnknownEntryError
from chronicle.projections.asof import stamp
from chronicle_web.api import bp
from chronicle_web.api import schemas as api
from chronicle_web.api.schemas import shared
from chronicle_web.api.inputs import load_args
from chronicle_web.api.openapi import described
from chronicle_web.api.reads import STORY
from chronicle_web.context import chronicle, story
from chronicle_web.errors import problem

LINK_FORMAT = "application/link-format"
IMMUTABLE = "public, max-age=31536000, immutable"
HTTP_DATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                       r"\d{4} \d{2}:\d{2}:\d{2} GMT$")


# ----- the resources


@bp.get(f"{STORY}/lenses/<lens>/narrative")
@described("The original resource: a lens's current narrative (Memento, RFC 7089)", args=api.OriginalArgs,
           out=schemas.NarrativeOut, errors=(400, 404), headers=("Link",), tag="memento")
def original(lens: str):
    """Its Link header names its TimeGate and TimeMap. With `as_of`, the narrative of that day as the
    chronicle holds it now: a resource that changes only in recorded time, whose TimeGate is on that axis."""
    args = load_args(shared(api.OriginalArgs))
    day = args.get("as_of") or _today()
    answer = chronicle().narrative(day, lens, story=story())
    axis = {"axis": "recorded", "as_of": day} if args.get("as_of") else {}
    links = [{"uri": url_for("api.timegate", lens=lens, **axis, _external=True), "rel": "timegate"},
             {"uri": url_for("api.timemap", lens=lens, **axis, _external=True), "rel": "timemap",
              "type": LINK_FORMAT}]
    return shared(schemas.NarrativeOut).dump(answer), {"Link": _link_header(links), "Cache-Control": "no-cache"}


@bp.get(f"{STORY}/lenses/<lens>/timegate")
@described("TimeGate: 302 to the memento for Accept-Datetime (stated axis; ?axis=recorded for known-at)",
           args=api.AxisArgs, status=302, errors=(400, 404), headers=("Location", "Vary", "Link"),
           request_headers=("Accept-Datetime",), tag="memento")
def timegate(lens: str):
    """The latest memento at or before Accept-Datetime (the first one if it is earlier than all; the
    latest if the header is absent); a malformed Accept-Datetime is a 400."""
    args = load_args(shared(api.AxisArgs))
    mementos, original_uri, timemap_uri = _mementos(lens, args)
    _required(mementos, lens)
    wanted = request.headers.get("Accept-Datetime")
    moment = _accept_datetime(wanted) if wanted is not None else None
    if moment is _MALFORMED:
        response = problem(400, "Bad Request", f"Accept-Datetime {wanted[:100]!r} is not an HTTP-date "
                                               "such as 'Fri, 07 Jan 2022 12:00:00 GMT' (RFC 7089, 4.5.3)",
                           errors=[{"header": "Accept-Datetime", "detail": "not an HTTP-date (IMF-fixdate, GMT) "
                                    "naming a real day and time between the years 1 and 9999"}])
        response.headers.update({"Vary": "accept-datetime", "Link": _link_header([
            {"uri": original_uri, "rel": "original"},
            {"uri": timemap_uri, "rel": "timemap", "type": LINK_FORMAT}])})
        return response
    chosen = mementos[_select(mementos, moment)]
    links = [{"uri": original_uri, "rel": "original"}, _timemap_link(timemap_uri, mementos),
             *_neighbours(mementos, chosen["moment"])]
    headers = {"Location": chosen["uri"], "Vary": "accept-datetime", "Link": _link_header(links),
               "Cache-Control": "no-cache"}
    return Response(status=302, mimetype="text/plain", headers=headers)


@bp.get(f"{STORY}/lenses/<lens>/timemap")
@described("TimeMap: every memento of the lens's narrative, in application/link-format", args=api.AxisArgs,
           media=LINK_FORMAT, errors=(400, 404), tag="memento")
def timemap(lens: str):
    """Stated axis (default): one memento per stated day on which the narrative changed, pinned at
    `known_at` (default: the last recorded event). Recorded axis: one per second in which events were
    recorded, for the narrative as of `as_of`. Pinned with `known_at`, a TimeMap never changes."""
    args = load_args(shared(api.AxisArgs))
    mementos, original_uri, _ = _mementos(lens, args)
    _required(mementos, lens)
    links = [{"uri": original_uri, "rel": "original"},
             {**_timemap_link(request.url, mementos), "rel": "self"},
             {"uri": url_for("api.timegate", lens=lens, **_axis_args(args), _external=True), "rel": "timegate"}]
    for index, memento in enumerate(mementos):
        rels = ["first"] * (index == 0) + ["last"] * (index == len(mementos) - 1) + ["memento"]
        links.append({"uri": memento["uri"], "rel": " ".join(rels), "datetime": http_date(memento["moment"])})
    pinned = args.get("known_at") and args["axis"] == "stated"
    body = ",\n".join(_link_value(link) for link in _dumped(links)) + "\n"
    return Response(body, mimetype=LINK_FORMAT, headers={"Cache-Control": IMMUTABLE if pinned else "no-cache"})


@bp.get(f"{STORY}/lenses/<lens>/stated/<day>/known-at/<instant>")
@described("A memento on the stated axis: the narrative as of a day, as the chronicle held it at an instant",
           out=schemas.NarrativeOut, errors=(400, 404), headers=("Memento-Datetime", "Link", "Cache-Control"),
           tag="memento")
def stated_memento(lens: str, day: str, instant: str):
    """Never changes: both of its times are in its URI. `instant` may not be in the future."""
    moment = _pinned(instant)
    answer = chronicle().narrative(day, lens, stamp(moment), story=story())
    mementos, original_uri, timemap_uri = _mementos(lens, {"axis": "stated", "known_at": instant})
    here = _memento_datetime(day)
    return _memento(answer, here, mementos, original_uri, timemap_uri,
                    url_for("api.timegate", lens=lens, _external=True))


@bp.get(f"{STORY}/lenses/<lens>/recorded/<instant>/as-of/<day>")
@described("A memento on the recorded axis: the narrative as of a day, as the chronicle held it at an instant",
           out=schemas.NarrativeOut, errors=(400, 404), headers=("Memento-Datetime", "Link", "Cache-Control"),
           tag="memento")
def recorded_memento(lens: str, instant: str, day: str):
    """Never changes: both of its times are in its URI. `instant` may not be in the future."""
    moment = _pinned(instant)
    answer = chronicle().narrative(day, lens, stamp(moment), story=story())
    args = {"axis": "recorded", "as_of": answer["as_of"]}
    mementos, original_uri, timemap_uri = _mementos(lens, args)
    # Later seconds of recording keep coming: only the links to earlier mementos never change.
    earlier = [memento for memento in mementos if memento["moment"] < moment.replace(microsecond=0)]
    return _memento(answer, moment.replace(microsecond=0), earlier, original_uri, timemap_uri,
                    url_for("api.timegate", lens=lens, **args, _external=True), settled=False)


def _memento(answer: dict, moment: datetime, mementos: list[dict], original_uri: str, timemap_uri: str,
             timegate_uri: str, settled: bool = True):
    links = [{"uri": original_uri, "rel": "original"}, {"uri": timegate_uri, "rel": "timegate"},
             {"uri": timemap_uri, "rel": "timemap", "type": LINK_FORMAT}]
    links += _neighbours(mementos, moment, settled) if mementos else []
    headers = {"Memento-Datetime": http_date(moment), "Link": _link_header(links), "Cache-Control": IMMUTABLE}
    return shared(schemas.NarrativeOut).dump(answer), headers


# ----- listing and choosing mementos


def _mementos(lens: str, args: dict) -> tuple[list[dict], str, str]:
    """The mementos on the asked axis, oldest first, with the original's and the TimeMap's URIs."""
    app = chronicle()
    if args.get("axis", "stated") == "recorded":
        day = args.get("as_of") or _today()
        _memento_datetime(day)  # a real day, or a 400
        app.resolve_lens(lens)
        mementos = [dict(uri=url_for("api.recorded_memento", lens=lens, instant=_uri_instant(moment),
                                        day=day, _external=True), moment=moment.replace(microsecond=0))
                    for moment in _recorded_seconds()]
        original_uri = url_for("api.original", lens=lens, as_of=day, _external=True)
        timemap_uri = url_for("api.timemap", lens=lens, axis="recorded", as_of=day, _external=True)
    else:
        known = _pinned(args["known_at"]) if args.get("known_at") else _last_recorded()
        mementos = [dict(uri=url_for("api.stated_memento", lens=lens, day=day, instant=_uri_instant(known),
                                        _external=True), moment=_memento_datetime(day))
                    for day in (app.narrative_days(lens, stamp(known), story=story()) if known else [])]
        original_uri = url_for("api.original", lens=lens, _external=True)
        timemap_uri = url_for("api.timemap", lens=lens, known_at=_uri_instant(known) if known else None,
                              _external=True)
    return mementos, original_uri, timemap_uri


def _required(mementos: list[dict], lens: str) -> list[dict]:
    if not mementos:
        raise UnknownEntryError(f"the lens {lens!r} has no mementos in story {story()!r}: "
                                "nothing it said there is recorded yet")
    return mementos


def _recorded_seconds() -> list[datetime]:
    """The last recording instant of each second in which events were recorded, oldest first (in any story:
    a source's events belong to every story)."""
    last_of_second: dict[datetime, datetime] = {}
    after = 0
    while batch := chronicle().audit(after=after, limit=1000):
        for event in batch:
            moment = datetime.fromisoformat(event["recorded_at"])
            second = moment.replace(microsecond=0)
            last_of_second[second] = max(moment, last_of_second.get(second, moment))
        after = batch[-1]["position"]
    return [last_of_second[second] for second in sorted(last_of_second)]


def _select(mementos: list[dict], wanted: datetime | None) -> int:
    """RFC 7089 4.5.3: the latest memento at or before the wanted moment, else the first; no moment, the last."""
    if wanted is None:
        return len(mementos) - 1
    earlier = [index for index, memento in enumerate(mementos) if memento["moment"] <= wanted]
    return earlier[-1] if earlier else 0


def _neighbours(mementos: list[dict], here: datetime, settled: bool = True) -> list[dict]:
    """first, last, prev and next memento around a moment; a URI with several roles gets them in one rel.

    Unless the list is ``settled`` (pinned), it may still grow, so only first and prev are given.
    """
    earlier = [i for i, memento in enumerate(mementos) if memento["moment"] < here]
    later = [i for i, memento in enumerate(mementos) if memento["moment"] > here] if settled else []
    roles: dict[int, list[str]] = {}
    for role, index in (("first", 0), ("last", len(mementos) - 1 if settled else None),
                        ("prev", earlier[-1] if earlier else None), ("next", later[0] if later else None)):
        if index is not None:
            roles.setdefault(index, []).append(role)
    return [{"uri": mementos[index]["uri"], "rel": " ".join([*names, "memento"]),
             "datetime": http_date(mementos[index]["moment"])} for index, names in sorted(roles.items())]


def _timemap_link(uri: str, mementos: list[dict]) -> dict:
    link = {"uri": uri, "rel": "timemap", "type": LINK_FORMAT}
    if mementos:
        link.update({"from": http_date(mementos[0]["moment"]), "until": http_date(mementos[-1]["moment"])})
    return link


# ----- headers and times


def _link_header(links: list[dict]) -> str:
    return ", ".join(_link_value(link) for link in _dumped(links))


def _dumped(links: list[dict]) -> list[dict]:
    return api.MementoLinkOut(many=True).dump(links)


def _link_value(link: dict) -> str:
    """One RFC 8288 link-value, its parameters in RFC 7089's order."""
    params = "".join(f'; {name}="{link[name]}"' for name in ("rel", "type", "datetime", "from", "until")
                     if link.get(name))
    return f"<{link['uri']}>{params}"


_MALFORMED = object()


def _accept_datetime(text: str):
    """An Accept-Datetime as a UTC moment, or _MALFORMED: the shape of an HTTP-date is not enough, its day
    and time must exist (not 99 Jan, 31 Feb, 25:00:00 or the year 0)."""
    text = text.strip()
    if not HTTP_DATE.match(text):
        return _MALFORMED
    try:
        return datetime.strptime(text, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=timezone.utc)
    except ValueError:
        return _MALFORMED


def _memento_datetime(day: str) -> datetime:
    """A stated-axis memento begins at the start of its day (UTC)."""
    try:
        return datetime.combine(date.fromisoformat(day), time(), timezone.utc)
    except ValueError:
        raise InvalidQueryError(f"{day!r} is not a day: use YYYY-MM-DD") from None


def _pinned(text: str) -> datetime:
    """A recorded instant from a URI or a query: ISO 8601, not in the future (else the memento could change)."""
    value = text.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(value + ("T23:59:59.999999+00:00" if len(value) == 10 else ""))
    except ValueError:
        raise InvalidQueryError(f"known at: {text!r} is not an ISO 8601 instant") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    try:
        moment = moment.astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01T00:00:00+23:59 is in the year 0 in UTC
        raise InvalidQueryError(f"known at: {text!r} is outside the years 1 to 9999 in UTC") from None
    if moment > datetime.now(timezone.utc):
        raise InvalidQueryError(f"known at: {text!r} is in the future, so what it pins could still change")
    return moment


def _last_recorded() -> datetime | None:
    last = chronicle().last_recorded_at()
    return datetime.fromisoformat(last) if last else None


def _uri_instant(moment: datetime) -> str:
    return stamp(moment).replace("+00:00", "Z")


def _axis_args(args: dict) -> dict:
    return {"axis": "recorded", "as_of": args.get("as_of") or _today()} if args.get("axis") == "recorded" else {}


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()

