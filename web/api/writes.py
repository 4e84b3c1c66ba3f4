"""Authenticated writes: create entries, revise, retract, link and correct claims, load a chronicle file.

Bodies are validated by the schemas the chronicle files use. Revising, retracting and correcting
a claim need If-Match with the claim's ETag (its entry version): a stale one gets 412 and nothing
is written, a missing one 428. Every event recorded here is stamped ``token:<name>``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from flask import request, url_for
from werkzeug.exceptions import PreconditionRequired

from chronicle import schemas
from chronicle.application import StaleVersionError
from chronicle.loader import load_chronicle
from chronicle_web.api import bp
from chronicle_web.api import schemas as api
from chronicle_web.api.auth import writer
from chronicle_web.api.inputs import InvalidInput, load_body
from chronicle_web.api.openapi import described
from chronicle_web.api.reads import etag
from chronicle_web.context import chronicle
from chronicle_web.errors import problem

RENAMED = {"source": "source_id", "via": "via_id", "topic": "topic_id"}


@bp.post("/sources")
@writer
@described("Register a source", body=api.SourceCreate, out=schemas.SourceOut, status=201, write=True,
           errors=(409,), headers=("Location",), tag="writes")
def create_source():
    """A person, ministry, outlet or group, in a camp, with its aliases."""
    data = load_body(api.SourceCreate())
    chronicle().register_source(**data)
    return _created(schemas.SourceOut, chronicle().resolve_source(data["slug"]), "api.source", name=data["slug"])


@bp.post("/topics")
@writer
@described("Open a topic", body=api.TopicCreate, out=schemas.TopicOut, status=201, write=True,
           errors=(409,), headers=("Location",), tag="writes")
def create_topic():
    """A figure (with a unit) or a question that claims can be about."""
    data = load_body(api.TopicCreate())
    chronicle().open_topic(**data)
    return _created(schemas.TopicOut, chronicle().resolve("topic", data["slug"]), "api.topic", topic=data["slug"])


@bp.post("/incidents")
@writer
@described("Record an incident", body=api.IncidentCreate, out=schemas.IncidentDatedOut, status=201,
           write=True, errors=(409,), headers=("Location",), tag="writes")
def create_incident():
    """Something that happened, when (at the precision known) and where."""
    data = load_body(api.IncidentCreate())
    chronicle().record_incident(**data)
    found = next(i for i in chronicle().incidents() if i["slug"] == data["slug"])
    return _created(schemas.IncidentDatedOut, found, "api.incident", incident=data["slug"])


@bp.post("/claims")
@writer
@described("Record what a source stated", body=api.ClaimCreate, out=schemas.ClaimHistoryOut, status=201,
           write=True, errors=(404, 409), headers=("Location", "ETag"), tag="writes")
def create_claim():
    """The claim's source, via and topic must exist (404 names the one that does not)."""
    data = load_body(api.ClaimCreate())
    chronicle().state_claim(**data)
    answer = chronicle().claim_history(data["slug"])
    body, status, headers = _created(schemas.ClaimHistoryOut, answer, "api.claim", claim=data["slug"])
    return body, status, {**headers, **etag(answer["entry_version"])}


@bp.post("/claims/<claim>/events")
@writer
@described("Revise, retract or editorially correct a claim (If-Match required)", body=schemas.ClaimEventRecord,
           out=schemas.ClaimHistoryOut, write=True, errors=(400, 404, 409, 412, 428), headers=("ETag",),
           request_headers=("If-Match",), tag="writes")
def claim_event(claim: str):
    """The body is a claim event as in a chronicle file: `revised` and `retracted` are the source's acts,
    dated when it said them; `corrected` is the chronicle's fix of its own entry."""
    data = load_body(schemas.ClaimEventRecord())
    _refuse_fields_of_other_types(data["type"])
    expected = _if_match(claim)
    app = chronicle()
    try:
        if data["type"] == "revised":
            app.revise_claim(claim, data["stated"], expected, **{k: data.get(k) for k in
                                                                 ("text", "quote", "figure", "citations", "note")})
        elif data["type"] == "retracted":
            app.retract_claim(claim, data["stated"], data["reason"], data["citations"], expected)
        else:
            changes = {RENAMED.get(name, name): value for name, value in data["changes"].items()}
            app.correct_claim(claim, changes, data["reason"], data.get("version"), expected)
    except StaleVersionError as error:
        return _stale(claim, error)
    return _history(claim)


@bp.post("/claims/<claim>/links")
@writer
@described("Record that a claim disputes, contradicts, reframes or supports another", body=schemas.LinkRecord,
           out=schemas.ClaimHistoryOut, write=True, errors=(400, 404, 409, 412), headers=("ETag",),
           request_headers=("If-Match",), tag="writes")
def claim_link(claim: str):
    """A link adds no version to the claim, so If-Match is optional here; when sent, it is checked."""
    data = load_body(schemas.LinkRecord())
    expected = _if_match(claim) if request.headers.get("If-Match") else None
    try:
        chronicle().link_claims(claim, data["relation"], data["target"], data.get("stated"), data.get("note"),
                                expected_version=expected)
    except StaleVersionError as error:
        return _stale(claim, error)
    return _history(claim)


@bp.post("/load")
@writer
@described("Load a chronicle file (the fixture format): validated whole, then recorded in one transaction",
           body=schemas.ChronicleFile, out=schemas.LoadReportOut, write=True, tag="writes")
def load():
    """Entries already present are left as they are, so loading the same file twice records nothing."""
    load_body(schemas.ChronicleFile())
    with tempfile.TemporaryDirectory(prefix="chronicle-load-") as folder:
        path = Path(folder) / "request.json"
        path.write_text(json.dumps(request.get_json(), ensure_ascii=False), encoding="utf-8")
        report = load_chronicle(chronicle(), path)
    report.files = ["request body"]
    return schemas.LoadReportOut().dump(report)


def _created(schema: type, entry: dict, endpoint: str, **where: str):
    return schema().dump(entry), 201, {"Location": url_for(endpoint, **where)}


def _history(claim: str):
    answer = chronicle().claim_history(claim)
    return schemas.ClaimHistoryOut().dump(answer), etag(answer["entry_version"])


def _stale(claim: str, error: StaleVersionError):
    response = problem(412, "Precondition Failed", str(error))
    response.headers.update(etag(chronicle().claim_history(claim)["entry_version"]))
    return response


def _if_match(claim: str) -> int | None:
    """The entry version If-Match names (None for ``*``); 428 without If-Match."""
    if not request.headers.get("If-Match"):
        raise PreconditionRequired("send If-Match with the claim's ETag (GET /api/v1/claims/<claim>), "
                                   "so a change made meanwhile is not overwritten")
    if request.if_match.star_tag:
        return None
    versions = {int(tag) for tag in request.if_match.as_set() if tag and tag.isdigit()}
    current = chronicle().claim_history(claim)["entry_version"]
    # Several tags match if any is current; the application re-checks when it saves.
    return current if current in versions else min(versions, default=-1)


def _refuse_fields_of_other_types(kind: str) -> None:
    extra = sorted(set(request.get_json()) - api.EVENT_FIELDS[kind])
    if extra:
        raise InvalidInput(422, [{"pointer": f"#/{name}", "detail": f"not used by a {kind} event"} for name in extra])
