"""The OpenAPI 3 document, generated from the routes and the marshmallow schemas, and its docs page.

Each view carries a short description (``@described``) of its arguments, body, answer and the
problems it can return; the document is assembled from the URL map, so a route cannot be
served without being described (a test checks it).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from importlib.metadata import version

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, render_template, request, url_for

from chronicle_web.api import bp
from chronicle_web.context import chronicle
from chronicle_web.errors import ProblemOut

JSON = "application/json"
PROBLEMS = {
    400: "a query parameter, a date, a header, or the JSON of the body is malformed (or nests too deep, or repeats "
         "a key); a NUL (U+0000) anywhere in the path, the query or a header",
    401: "no token, or an unknown or revoked one (see WWW-Authenticate)",
    403: "the token is read-only",
    404: "no such story, source, topic, incident, claim, lens or memento (a slug is looked up in the story)",
    409: "an entry with that slug exists already (in that story), or another writer got there first",
    412: "If-Match names a version the claim is no longer at: nothing was written",
    413: "the body is larger than the documented limit (1 MiB)",
    415: "the body is not application/json",
    422: "the body failed validation: `errors` names each field (a JSON pointer) and what is wrong",
    428: "this write needs If-Match with the claim's ETag",
    503: "too many expensive requests at once, a read cut off at the query timeout, or a store that cannot answer "
         "now: try again after Retry-After",
}
HEADERS = {
    "ETag": "the claim entry's version, for If-Match",
    "Location": "where the new entry, or the chosen memento, is",
    "Link": "RFC 8288 links: pages (next), or Memento relations (original, timegate, timemap, mementos)",
    "Memento-Datetime": "RFC 7089: the moment this memento captures",
    "Vary": "accept-datetime: the TimeGate's answer depends on it",
    "Cache-Control": "mementos never change: public, max-age=31536000, immutable",
}
PATH_PARAMETERS = {
    "story": "the story's slug (`GET /api/v1/stories` lists them); its topics, incidents and claims are "
             "looked up in it",
    "topic": "a topic's slug in the story, or its id",
    "claim": "a claim's slug in the story, or its id",
    "incident": "an incident's slug in the story, or its id",
    "lens": "official, everyone, a camp, a source (slug, name or alias), or several joined by commas",
    "name": "a source's slug, name or alias",
}
REQUEST_HEADERS = {
    "If-Match": ("the claim's ETag as last read, e.g. \"3\"", False),
    "Accept-Datetime": ("RFC 7089, an HTTP-date, e.g. Fri, 07 Jan 2022 12:00:00 GMT (default: the latest)", False),
}


def described(summary: str, *, args: type | None = None, body: type | None = None, out: type | None = None,
              media: str = JSON, status: int = 200, errors: Iterable[int] = (), write: bool = False,
              headers: Iterable[str] = (), request_headers: Iterable[str] = (), tag: str = "reads") -> Callable:
    """Attach an operation's description to a view, for the OpenAPI document."""
    def attach(view: Callable) -> Callable:
        view.openapi = {"summary": summary, "description": inspect.cleandoc(view.__doc__ or ""), "args": args,
                        "body": body, "out": out, "media": media, "status": status, "write": write,
                        "errors": sorted({*errors, *((400, 401, 403, 413, 415, 422) if write else ())}),
                        "headers": list(headers), "request_headers": list(request_headers), "tag": tag}
        return view
    return attach


def build_spec() -> dict:
    """The OpenAPI 3 document of every route of the API blueprint."""
    spec = APISpec(title="chronicle", version=version("chronicle"), openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()], info={"description": _intro()},
                   servers=[{"url": request.url_root.rstrip("/")}])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": "`chronicle token create --name NAME`"})
    spec.components.schema("Problem", schema=ProblemOut)
    for code, meaning in PROBLEMS.items():
        spec.components.response(str(code), {"description": meaning, "content": {
            "application/problem+json": {"schema": "Problem"}}})
    stories = [s["slug"] for s in chronicle().entries("story")]
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint.startswith(f"{bp.name}."):
            meta = current_app.view_functions[rule.endpoint].openapi
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            method = next(m for m in rule.methods if m not in ("HEAD", "OPTIONS")).lower()
            spec.path(path=path, operations={method: _operation(rule, meta, stories)})
    return _ecma_patterns(spec.to_dict())


def _ecma_patterns(node: object) -> object:
    """OpenAPI's patterns are ECMA-262 regular expressions: Python's end of text (``\\Z``, which unlike
    ``$`` refuses a trailing newline) is written ``$`` there, where ``$`` already means the end of the text."""
    if isinstance(node, dict):
        return {key: (value[:-2] + "$" if key == "pattern" and isinstance(value, str) and value.endswith("\\Z")
                      else _ecma_patterns(value)) for key, value in node.items()}
    if isinstance(node, list):
        return [_ecma_patterns(item) for item in node]
    return node


def _operation(rule, meta: dict, stories: list[str]) -> dict:
    parameters = [_path_parameter(name, stories) for name in sorted(rule.arguments)]
    # Every story's question can name a story that is not there; any request can carry a NUL (400) or find
    # the server busy or a read cut off (503).
    errors = sorted({*meta["errors"], *((404,) if "story" in rule.arguments else ()), 400, 503})
    if meta["args"]:
        parameters.append({"in": "query", "schema": meta["args"]})
    parameters += [{"in": "header", "name": name, "required": False, "description": REQUEST_HEADERS[name][0],
                    "schema": {"type": "string"}} for name in meta["request_headers"]]
    success = {"description": meta["summary"],
               "headers": {h: {"description": HEADERS[h], "schema": {"type": "string"}} for h in meta["headers"]}}
    if meta["out"] is not None:
        success["content"] = {meta["media"]: {"schema": meta["out"]}}
    elif meta["status"] != 302 and meta["media"] != JSON:
        success["content"] = {meta["media"]: {"schema": {"type": "string"}}}
    operation = {"operationId": rule.endpoint.split(".", 1)[1], "summary": meta["summary"],
                 "description": meta["description"], "tags": [meta["tag"]], "parameters": parameters,
                 "responses": {str(meta["status"]): success, **{str(code): str(code) for code in errors}}}
    if meta["body"] is not None:
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": meta["body"]}}}
    if meta["write"]:
        operation["security"] = [{"bearer": []}]
    return operation


def _path_parameter(name: str, stories: list[str]) -> dict:
    parameter = {"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
    if name in PATH_PARAMETERS:
        parameter["description"] = PATH_PARAMETERS[name]
    if name == "story" and stories:
        parameter["example"] = stories[0]
    return parameter


def _intro() -> str:
    return ("The chronicle over HTTP. A chronicle holds several stories; each story's questions (narratives, "
            "topics, claims, incidents, lenses, their feeds, exports and mementos) live under "
            "/stories/{story}/, while sources (shared by every story), search, the event log and integrity "
            "do not. Reads are public; writes need a bearer token. Dates are EDTF/ISO 8601 "
            "with their precision kept. Errors are RFC 9457 problem details. Narratives are Memento "
            "(RFC 7089) resources. See docs/api.md.")


@bp.get("/openapi.json")
@described("This document: OpenAPI 3, generated from the marshmallow schemas", out=None, tag="meta")
def openapi_document():
    """The OpenAPI 3 description of the API."""
    return build_spec()


@bp.get("/docs")
@described("Browsable API documentation (Swagger UI, served from this site: works offline)",
           media="text/html", tag="meta")
def docs():
    """A Swagger UI page over openapi.json; its assets are vendored, nothing comes from a CDN."""
    return render_template("api/docs.html", spec_url=url_for("api.openapi_document"))
