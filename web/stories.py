"""The story in the URL: every story question lives under ``/stories/<story>/`` (pages) and
``/api/v1/stories/<story>/`` (API).

The ``story`` part of such a URL is taken out of the view arguments and resolved once, before the
view runs (an unknown story is a 404, a problem on the API); the view reads it with
:func:`chronicle_web.context.story`. Building a URL to a story endpoint without naming a story
gives the current one, so a story's pages link to that story.

The URLs from before stories (``/timeline``, ``/api/v1/claims/<claim>``...) still answer: when the
chronicle holds exactly one story they redirect to the same path under it, query string kept (302
for a page, 308 for the API and for a form's POST, so the method and the body are kept); with
several stories they are a 404 that lists where the question lives in each story.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Flask, current_app, g, redirect, render_template, request

from chronicle.application import UnknownEntryError
from chronicle_web.context import chronicle
from chronicle_web.errors import problem

API = "/api/v1"
PREFIXES = (f"{API}/stories/<story>/", "/stories/<story>/")
LEGACY = "legacy_story_url"
# What a path may keep unescaped when it is put in a Location header.
SAFE = "/:@!$&'()*+,;=-._~"


def register(app: Flask) -> None:
    """Resolve the story of every story URL, default it when building URLs, and keep the old URLs."""
    app.url_value_preprocessor(_take_story)
    app.url_defaults(_add_story)
    for rule in list(app.url_map.iter_rules()):
        prefix = next((p for p in PREFIXES if rule.rule.startswith(p)), None)
        if prefix is None:
            continue
        old = prefix.removesuffix("stories/<story>/") + rule.rule[len(prefix):]
        methods = sorted(set(rule.methods or ()) - {"HEAD", "OPTIONS"})
        app.add_url_rule(old, endpoint=LEGACY, view_func=legacy, methods=methods)


def _take_story(endpoint: str | None, values: dict | None) -> None:
    if values and "story" in values:
        g.story = resolve(values.pop("story"))


def _add_story(endpoint: str, values: dict) -> None:
    if values.get("story") is None and g.get("story") and current_app.url_map.is_endpoint_expecting(endpoint, "story"):
        values["story"] = g.story["slug"]


def resolve(key: str) -> dict:
    """A story by slug (or id); one started by another process since this one last looked is found too."""
    app = chronicle()
    try:
        return app.resolve_story(key)
    except UnknownEntryError:
        app.catch_up()
        return app.resolve_story(key)


def facts(slug: str) -> dict:
    """One story with its presented period, its counts and the first and last days its story changed."""
    return chronicle().story(slug)


def legacy(**_: str):
    """An old URL: redirect to the only story's, or list each story's when there are several."""
    api = request.path.startswith(f"{API}/")
    base = API if api else ""
    query = "?" + request.query_string.decode("latin-1") if request.query_string else ""
    stories = chronicle().entries("story")  # catches up: a story started by another process counts

    def moved(slug: str) -> str:
        return request.root_path + quote(f"{base}/stories/{slug}{request.path[len(base):]}", safe=SAFE) + query

    if len(stories) == 1:
        return redirect(moved(stories[0]["slug"]), 308 if api or request.method not in ("GET", "HEAD") else 302)
    urls = [{"slug": s["slug"], "title": s["title"], "url": request.host_url.rstrip("/") + moved(s["slug"])}
            for s in stories]
    if not stories:
        detail = "this chronicle holds no story yet: load one first"
    else:
        detail = (f"this chronicle holds {len(stories)} stories, so this URL must name one: "
                  + ", ".join(u["url"] for u in urls))
    if api:
        return problem(404, "Not Found", detail, stories=urls)
    if stories:
        detail = f"This chronicle holds {len(stories)} stories, and this page is in each of them: choose one."
    return render_template("error.html", status=404, title="Which story?", detail=detail, stories=urls), 404
