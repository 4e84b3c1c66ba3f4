"""Authenticated writes: register sources (shared by every story); create a story's topics, incidents and
claims; revise, retract, reinstate, link and correct its claims; load a chronicle file.

Bodies are validated by the schemas the chronicle files use. A slug is unique within its story: one
already taken there is a 409 and nothing is written (the same slug in another story is another
entry). Revising, retracting, reinstating and correcting a claim need If-Match with the claim's
ETag (its entry version): a stale one gets 412 and nothing is written, a missing one 428. Every
event recorded here is stamped ``token:<name>``.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import request, url_for
from werkzeug.exceptions import PreconditionRequired

from chronicle import schemas
from chronicle.application import DuplicateEntryError, StaleVersionError, UnknownEntryError
from chronicle.domain import InvalidValueError
from chronicle.domain import Source, natural_id
from chronicle.loader import load_chronicle
from chronicle_web.api import bp
from chronicle_web.api import schemas as api
from chronicle_web.api.auth import writer
from chronicle_web.api.inputs import InvalidInput, body_json, load_body
from chronicle_web.api.openapi import described
from chronicle_web.api.reads import STORY, etag, find_incident
from chronicle_web.context import chronicle, story
from chronicle_web.errors import problem

RENAMED = {"source": "source_id", "via": "via_id", "topic": "topic_id"}
STORIED = ("topics", "incidents", "claims")


@bp.post("/sources")
@writer
@described("Register a source", body=api.SourceCreate, out=schemas.SourceOut, status=201, write=True,
           errors=(409,), headers=("Location",), tag="writes")
def create_source():
    """A person, ministry, outlet or group, in a camp, with its aliases and the camps it joined later.
    A source speaks in every story."""
    data = load_body(api.SourceCreate())
    _register_source(data)
    return _created(schemas.SourceOut, chronicle().resolve_source(data["slug"]), "api.source", name=data["slug"])


@bp.post(f"{STORY}/topics")
@writer
@described("Open a topic in the story", body=api.TopicCreate, out=schemas.TopicOut, status=201, write=True,
           errors=(409,), headers=("Location",), tag="writes")
def create_topic():
    """A figure (with a unit) or a question that the story's claims can be about."""
    data = load_body(api.TopicCreate())
    chronicle().open_topic(**data, story=story())
    return _created(schemas.TopicOut, chronicle().resolve("topic", data["slug"], story()), "api.topic",
                    topic=data["slug"])


@bp.post(f"{STORY}/incidents")
@writer
@described("Record an incident of the story", body=api.IncidentCreate, out=schemas.IncidentDatedOut, status=201,
           write=True, errors=(409,), headers=("Location",), tag="writes")
def create_incident():
    """Something that happened, when (at the precision known) and where."""
    data = load_body(api.IncidentCreate())
    chronicle().record_incident(**data, story=story())
    return _created(schemas.IncidentDatedOut, find_incident(data["slug"]), "api.incident", incident=data["slug"])


@bp.post(f"{STORY}/claims")
@writer
@described("Record what a source stated, in the story", body=api.ClaimCreate, out=schemas.ClaimHistoryOut,
           status=201, write=True, errors=(404, 409), headers=("Location", "ETag"), tag="writes")
def create_claim():
    """The claim's source and via must exist, and its topic, incidents and the topics of its `figures` in the
    story (404 names the one that does not). Figures keep integers as integers."""
    data = load_body(api.ClaimCreate())
    with _figures_refused():
        chronicle().state_claim(**data, story=story())
    answer = chronicle().claim_history(data["slug"], story=story())
    body, status, headers = _created(schemas.ClaimHistoryOut, answer, "api.claim", claim=data["slug"])
    return body, status, {**headers, **etag(answer["entry_version"])}


@bp.post(f"{STORY}/claims/<claim>/events")
@writer
@described("Revise, retract, reinstate or editorially correct a claim (If-Match required)",
           body=schemas.ClaimEventRecord, out=schemas.ClaimHistoryOut, write=True, errors=(400, 404, 409, 412, 428),
           headers=("ETag",), request_headers=("If-Match",), tag="writes")
def claim_event(claim: str):
    """The body is a claim event as in a chronicle file: `revised`, `retracted` and `reinstated` (the
    source stands by a retracted claim again) are the source's acts, dated when it said them;
    `corrected` is the chronicle's fix of its own entry. A revision may carry `figures` on other figure
    topics, `quote_language` and `original`."""
    data = load_body(schemas.ClaimEventRecord())
    _refuse_fields_of_other_types(data["type"])
    expected = _if_match(claim)
    app, where = chronicle(), story()
    with _figures_refused("#/changes" if data["type"] == "corrected" else "#"):
        try:
            if data["type"] == "revised":
                app.revise_claim(claim, data["stated"], expected, story=where,
                                 **{k: data.get(k) for k in api.EVENT_FIELDS["revised"] - {"type", "stated"}})
            elif data["type"] == "retracted":
                app.retract_claim(claim, data["stated"], data["reason"], data["citations"], expected, story=where)
            elif data["type"] == "reinstated":
                app.reinstate_claim(claim, data["stated"], data.get("note"), data["citations"], expected, story=where)
            else:
                changes = {RENAMED.get(name, name): value for name, value in data["changes"].items()}
                app.correct_claim(claim, changes, data["reason"], data.get("version"), expected, story=where)
        except StaleVersionError as error:
            return _stale(claim, error)
    return _history(claim)


@bp.post(f"{STORY}/claims/<claim>/links")
@writer
@described("Record that a claim disputes, contradicts, reframes or supports another", body=schemas.LinkRecord,
           out=schemas.ClaimHistoryOut, write=True, errors=(400, 404, 409, 412), headers=("ETag",),
           request_headers=("If-Match",), tag="writes")
def claim_link(claim: str):
    """A link adds no version to the claim, so If-Match is optional here; when sent, it is checked."""
    data = load_body(schemas.LinkRecord())
    expected = _if_match(claim) if request.headers.get("If-Match", "").strip() else None
    try:
        chronicle().link_claims(claim, data["relation"], data["target"], data.get("stated"), data.get("note"),
                                expected_version=expected, story=story())
    except StaleVersionError as error:
        return _stale(claim, error)
    return _history(claim)


@bp.post("/load")
@writer
@described("Load a chronicle file (the fixture format): validated whole, then recorded in one transaction",
           body=schemas.ChronicleFile, out=schemas.LoadReportOut, write=True, tag="writes")
def load():
    """Entries already present are left as they are, so loading the same file twice records nothing. The
    file names its story (`story`: a slug, or the story in full to start it); a file that names none is
    about the chronicle's only story."""
    load_body(schemas.ChronicleFile())
    document = body_json()
    story = None if "story" in document else _only_story(any(document.get(section) for section in STORIED))
    with tempfile.TemporaryDirectory(prefix="chronicle-load-") as folder:
        path = Path(folder) / "request.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        report = load_chronicle(chronicle(), path, story=story)
    report.files = ["request body"]
    return schemas.LoadReportOut().dump(report)


@contextmanager
def _figures_refused(under: str = "#") -> Iterator[None]:
    """A figure given on a topic that is no figure topic is a body the story refuses: 422, naming the field."""
    try:
        yield
    except InvalidValueError as error:
        match = re.match(r"^figures\[(\d+)\]\.topic: (.*)$", str(error), re.S)
        if not match:
            raise
        raise InvalidInput(422, [{"pointer": f"{under}/figures/{match[1]}/topic", "detail": match[2]}]) from None


def _only_story(storied: bool) -> str:
    """The story of a file that names none: the chronicle's only one (else a 422 asking for it). A file of
    sources alone is about no story, but the loader files it under one: any that exists is left as it is."""
    stories = chronicle().entries("story")
    if stories and not storied:
        return stories[0]["slug"]
    try:
        return chronicle().resolve_story(None)["slug"]
    except UnknownEntryError as error:
        raise InvalidInput(422, [{"pointer": "#/story", "detail": f"name the file's story: {error}"}]) from None


def _register_source(data: dict) -> None:
    """A source and the camps it joined later, in one transaction."""
    camps = data.pop("camps", [])
    if not camps:
        chronicle().register_source(**data)
        return
    if natural_id("source", data["slug"]) in chronicle().repository:
        raise DuplicateEntryError(f"a source with slug {data['slug']!r} already exists")
    source = Source.register(**data)
    for moved in camps:
        source.move(moved["camp"], moved["since"], moved.get("note"), moved["citations"])
    chronicle().save_all(source)


def _created(schema: type, entry: dict, endpoint: str, **where: str):
    return schema().dump(entry), 201, {"Location": url_for(endpoint, **where)}


def _history(claim: str):
    answer = chronicle().claim_history(claim, story=story())
    return schemas.ClaimHistoryOut().dump(answer), etag(answer["entry_version"])


def _stale(claim: str, error: StaleVersionError):
    response = problem(412, "Precondition Failed", str(error), errors=[
        {"header": "If-Match", "detail": "names no version the claim is at now (its ETag is in this answer's ETag)"}])
    response.headers.update(etag(chronicle().claim_history(claim, story=story())["entry_version"]))
    return response


def _if_match(claim: str) -> int | None:
    """The entry version If-Match names (None for ``*``); 428 without If-Match, 400 if it is no list of
    entity-tags (RFC 9110 8.8.3: each is quoted, ``"4"``, so a bare ``4`` is refused, never matched)."""
    header = request.headers.get("If-Match", "")
    if not header.strip():
        raise PreconditionRequired("send If-Match with the claim's ETag (GET /api/v1/stories/<story>/claims/<claim>), "
                                   "so a change made meanwhile is not overwritten")
    tags = entity_tags(header)
    if tags is None:
        return None
    # A tag that is not a version we could have given (weak, not digits, absurdly long) matches nothing.
    versions = {int(tag) for weak, tag in tags if not weak and VERSION.fullmatch(tag)}
    current = chronicle().claim_history(claim, story=story())["entry_version"]
    # Several tags match if any is current; the application re-checks when it saves.
    return current if current in versions else min(versions, default=-1)


# RFC 9110 8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, etagc = %x21 / %x23-7E / obs-text; the
# header comes to us decoded as Latin-1, so obs-text is U+0080 to U+00FF.
ENTITY_TAG = re.compile(r'[ \t]*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*(?:,|$)')
VERSION = re.compile(r"[0-9]{1,18}")


def entity_tags(header: str) -> list[tuple[bool, str]] | None:
    """If-Match as (weak, opaque tag) pairs; None for ``*``; a 400 naming If-Match if it is malformed."""
    value = header.strip(" \t")
    if value == "*":
        return None
    tags, at = [], 0
    while at < len(value):
        if value[at] in ", \t":  # a list may have empty elements (RFC 9110 5.6.1)
            at += 1
            continue
        match = ENTITY_TAG.match(value, at)
        if match is None:
            raise InvalidInput(400, [{"header": "If-Match", "detail": (
                f"{header[:100]!r} is not a list of entity-tags: send the claim's ETag as it came, quoted, "
                'e.g. If-Match: "4" (RFC 9110 8.8.3), or *')}])
        tags.append((bool(match[1]), match[2]))
        at = match.end()
    if not tags:
        raise InvalidInput(400, [{"header": "If-Match", "detail": "names no entity-tag"}])
    return tags


def _refuse_fields_of_other_types(kind: str) -> None:
    extra = sorted(set(body_json()) - api.EVENT_FIELDS[kind])
    if extra:
        raise InvalidInput(422, [{"pointer": f"#/{name}", "detail": f"not used by a {kind} event"} for name in extra])
