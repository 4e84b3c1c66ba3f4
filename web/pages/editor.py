"""The editor: add a claim to a story, revise, retract, reinstate, link (dispute) or correct one of its
claims, signed in and CSRF-checked.

Every form is validated by the file format's schemas and then by the domain; each error is
shown next to its field. Writes are stamped ``editor:<token name>``. Revisions, retractions and
corrections carry the entry version the editor saw: if someone else changed the claim first,
the edit is refused and both versions are shown.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from chronicle.application import StaleVersionError, UnknownEntryError
from chronicle.dates import PARTS_OF_DAY, FuzzyDate
from chronicle.domain import RELATIONS, ChronicleError
from chronicle.figures import QUALIFIERS
from chronicle_web import forms
from chronicle_web.context import chronicle, story
from chronicle_web.pages import STORY, bp
from chronicle_web.pages.auth import current_editor, editor_required

VERSION_FIELDS = ("text", "quote", "note", "stated", "figure")
ENTRY_FIELDS = {"source": "source_id", "via": "via_id", "topic": "topic_id"}


@bp.route(f"{STORY}/claims/new", methods=["GET", "POST"])
@editor_required
def new_claim():
    """Record what a source stated; optionally that it disputes (or supports...) another claim."""
    if request.method == "GET":
        return _form("new", _new_claim_defaults())
    raw = forms.claim_record(request.form)
    raw.setdefault("slug", _free_slug(raw.get("text") or raw.get("quote") or "claim"))
    _default_unit(raw.get("figure"), raw.get("topic"))
    data, errors = forms.load_claim(raw)
    if not errors and data["links"]:
        errors = _unknown_claim(data["links"][0]["target"])
    if errors:
        return _form("new", request.form, errors, status=400)
    try:
        with chronicle().editing_as(f"editor:{current_editor()}"):
            chronicle().state_claim(
                data["slug"], data["source"], data["topic"], data["stated"], data["text"], data.get("quote"),
                data.get("figure"), data["citations"], data.get("note"), data.get("via"), data["incidents"],
                data["links"], story=story())
    except ChronicleError as error:
        return _form("new", request.form, forms.domain_errors(error), status=400)
    day = FuzzyDate.from_dict(data["stated"]).sort_key
    flash(f"Recorded the claim {data['slug']}; here it is in everyone's narrative as of {day}.")
    return redirect(url_for("pages.narrative", as_of=day, lens="everyone", _anchor=f"claim-{data['slug']}"))


@bp.route(f"{STORY}/claims/<slug>/revise", methods=["GET", "POST"])
@editor_required
def revise(slug: str):
    """The source changed its words or its figure."""
    history = chronicle().claim_history(slug, story=story())
    latest = history["versions"][-1]
    if request.method == "GET":
        return _form("revise", _words_of(latest, history["entry_version"]), history=history)
    raw = forms.revision_record(request.form)
    _default_unit(raw.get("figure"), latest["topic"])
    data, errors = forms.load_event(raw)
    if not errors and _same_words(data, latest):
        errors = {"_form": ["Nothing changed: a revision needs new text, a new quote or a new figure."]}
    if errors:
        return _form("revise", request.form, errors, history=history, status=400)
    expected = _expected_version()
    return _write("revise", history, expected, lambda: chronicle().revise_claim(
        slug, data["stated"], expected, story=story(), text=data.get("text"), quote=data.get("quote"),
        figure=data.get("figure"), citations=data["citations"], note=data.get("note")))


@bp.route(f"{STORY}/claims/<slug>/retract", methods=["GET", "POST"])
@editor_required
def retract(slug: str):
    """The source withdrew the claim."""
    history = chronicle().claim_history(slug, story=story())
    if request.method == "GET":
        return _form("retract", MultiDict({"expected_version": history["entry_version"]}), history=history)
    data, errors = forms.load_event(forms.retraction_record(request.form))
    if errors:
        return _form("retract", request.form, errors, history=history, status=400)
    expected = _expected_version()
    return _write("retract", history, expected, lambda: chronicle().retract_claim(
        slug, data["stated"], data["reason"], data["citations"], expected_version=expected, story=story()))


@bp.route(f"{STORY}/claims/<slug>/reinstate", methods=["GET", "POST"])
@editor_required
def reinstate(slug: str):
    """The source stood by its retracted claim again."""
    history = chronicle().claim_history(slug, story=story())
    if request.method == "GET":
        return _form("reinstate", MultiDict({"expected_version": history["entry_version"]}), history=history)
    data, errors = forms.load_event(forms.reinstatement_record(request.form))
    if errors:
        return _form("reinstate", request.form, errors, history=history, status=400)
    expected = _expected_version()
    return _write("reinstate", history, expected, lambda: chronicle().reinstate_claim(
        slug, data["stated"], data.get("note"), data["citations"], expected_version=expected, story=story()))


@bp.route(f"{STORY}/claims/<slug>/link", methods=["GET", "POST"])
@editor_required
def link(slug: str):
    """This claim disputes, contradicts, reframes or supports another one of its story."""
    history = chronicle().claim_history(slug, story=story())
    if request.method == "GET":
        return _form("link", MultiDict({"link_relation": "disputes"}), history=history)
    data, errors = forms.load_link(forms.link_record(request.form))
    if not errors:
        errors = _unknown_claim(data["target"]) or (
            {"link_target": ["A claim cannot be linked to itself."]} if data["target"] == slug else {})
    if errors:
        return _form("link", request.form, errors, history=history, status=400)
    # A link adds to the claim without changing its words, so it cannot clash with another edit.
    return _write("link", history, None, lambda: chronicle().link_claims(
        slug, data["relation"], data["target"], data.get("stated"), data.get("note"), story=story()))


@bp.route(f"{STORY}/claims/<slug>/correct", methods=["GET", "POST"])
@editor_required
def correct(slug: str):
    """An editor fixes our entry (a typo, a wrong date or attribution), saying why; the source said nothing new."""
    history = chronicle().claim_history(slug, story=story())
    number = _version_number(history)
    version = history["versions"][number]
    if request.method == "GET":
        return _form("correct", _correction_defaults(version, history), history=history, number=number)
    changes, errors = _corrections(request.form, version)
    if not errors and not changes:
        errors = {"_form": ["Nothing was changed: edit a field, then record the correction."]}
    reason = (request.form.get("reason") or "").strip()
    if not errors:
        raw = {"type": "corrected", "reason": reason or None, "version": number, "changes": changes,
               **{k: changes[k] for k in ("stated", "figure") if k in changes}}
        data, errors = forms.load_event({k: v for k, v in raw.items() if v is not None})
        changes.update({k: data[k] for k in ("stated", "figure") if k in changes and k in data})
    if errors:
        return _form("correct", request.form, errors, history=history, number=number, status=400)
    fixes = {ENTRY_FIELDS.get(k, k): v for k, v in changes.items()}
    on_version = number if set(changes) & set(VERSION_FIELDS) else None
    expected = _expected_version()
    return _write("correct", history, expected, lambda: chronicle().correct_claim(
        slug, fixes, reason, on_version, expected_version=expected, story=story()))


def _write(action: str, history: dict, expected: int | None, command: Any):
    """Run a command as the signed-in editor; a stale or refused edit goes back to its form."""
    try:
        with chronicle().editing_as(f"editor:{current_editor()}"):
            command()
    except StaleVersionError:
        since = chronicle().claim_since(history["claim"], expected, story=story())
        values = request.form.copy()
        values["expected_version"] = str(since["now"]["entry_version"])
        return _form(action, values, {"_form": ["Someone else changed this claim after you opened the form. "
                                                 "Compare the two versions below before you submit again."]},
                     history=chronicle().claim_history(history["claim"], story=story()), stale=since,
                     number=request.args.get("version", type=int), status=409)
    except ChronicleError as error:
        return _form(action, request.form, forms.domain_errors(error), history=history,
                     number=request.args.get("version", type=int), status=400)
    flash({"revise": "Recorded the revision.", "retract": "Recorded the retraction.", "link": "Recorded the link.",
           "reinstate": "Recorded the reinstatement.", "correct": "Recorded the editorial correction."}[action])
    return redirect(url_for("pages.claim", slug=history["claim"]))


def _form(action: str, values: Any, errors: dict | None = None, status: int = 200, **context: Any):
    """Render an editor form with its values, its errors by field and the lists its selects offer."""
    if not isinstance(values, MultiDict):
        values = MultiDict(values)
    sources = sorted(chronicle().entries("source"), key=lambda s: s["name"].casefold())
    return render_template(
        f"pages/editor/{action}.html", values=values, errors=errors or {},
        source_options=[(s["slug"], s["name"]) for s in sources],
        topic_options=[(t["slug"], t["title"]) for t in chronicle().entries("topic", story())],
        incident_options=[(i["slug"], f"{i['title']} ({i['occurred']['label']})")
                          for i in chronicle().incidents(story=story())],
        claims=[c["slug"] for c in chronicle().entries("claim", story())], relations=RELATIONS,
        qualifiers=QUALIFIERS, parts_of_day=PARTS_OF_DAY, **context), status


def _expected_version() -> int:
    try:
        return int(request.form.get("expected_version", ""))
    except ValueError:
        abort(400, "The form is missing the version of the claim it edits. Reload the page and try again.")


def _new_claim_defaults() -> MultiDict:
    values = MultiDict({k: v for k, v in request.args.items() if k in ("source", "topic", "stated")})
    disputed = request.args.get("disputes")
    if disputed:
        values.update({"link_relation": "disputes", "link_target": disputed})
        try:
            values.setdefault("topic", chronicle().claim_history(disputed, story=story())["versions"][0]["topic"])
        except UnknownEntryError:
            pass
    return values


def _words_of(version: dict, entry_version: int) -> MultiDict:
    values = {"text": version["text"], "quote": version["quote"], "expected_version": entry_version}
    figure = version["figure"]
    if figure:
        values.update({f"figure_{k}": _plain(figure[k]) for k in ("value", "low", "high") if figure[k] is not None})
        values.update(figure_unit=figure["unit"], figure_qualifier=figure["qualifier"])
    return MultiDict({k: v for k, v in values.items() if v is not None})


def _correction_defaults(version: dict, history: dict) -> MultiDict:
    values = _words_of(version, history["entry_version"])
    stated = version["stated"]
    values.update({"note": version["note"] or "", "stated": stated["edtf"],
                   "stated_part": stated["part_of_day"] or "", "stated_note": stated["note"] or "",
                   "source": version["source"]["slug"], "via": (version["via"] or {}).get("slug", ""),
                   "topic": version["topic"]})
    return values


def _corrections(form: Any, version: dict) -> tuple[dict, dict]:
    """The fields the editor changed, compared with what the version records now."""
    before = _correction_defaults(version, {"entry_version": 0})
    changes: dict[str, Any] = {}
    for name in ("text", "quote", "note"):
        if _edited(form, before, name):
            changes[name] = (form.get(name) or "").strip() or None
    if _edited(form, before, "stated", "stated_part", "stated_note"):
        changes["stated"] = forms.stated(form)
    if _edited(form, before, "figure_value", "figure_low", "figure_high", "figure_unit", "figure_qualifier"):
        figure, errors = forms.load_figure(forms.figure(form))
        if errors:
            return {}, errors
        if figure and version["figure"] and version["figure"]["breakdown"]:
            figure["breakdown"] = version["figure"]["breakdown"]  # the form does not edit breakdowns: keep them
        changes["figure"] = figure
    if "text" in changes and not changes["text"]:
        return {}, {"text": ["Required: a claim keeps its text; correct it instead of removing it."]}
    for name in ENTRY_FIELDS:
        if _edited(form, before, name):
            changes[name] = (form.get(name) or "").strip() or None
    return changes, {}


def _edited(form: Any, before: Any, *names: str) -> bool:
    return any((form.get(n) or "").strip() != (before.get(n) or "").strip() for n in names)


def _version_number(history: dict) -> int:
    number = request.args.get("version", type=int)
    last = len(history["versions"]) - 1
    return number if number is not None and 0 <= number <= last else last


def _same_words(data: dict, latest: dict) -> bool:
    figure = data.get("figure")
    return (data.get("text") == latest["text"] and data.get("quote") == latest["quote"]
            and _figure_key(figure) == _figure_key(latest["figure"]))


def _figure_key(figure: dict | None) -> tuple | None:
    if not figure:
        return None
    return tuple(figure.get(k) for k in ("unit", "value", "low", "high", "qualifier"))


def _default_unit(figure: dict | None, topic: str | None) -> None:
    """A figure without a unit takes its topic's unit."""
    if figure is not None and not figure.get("unit") and topic:
        try:
            unit = chronicle().resolve("topic", topic, story()).get("unit")
        except UnknownEntryError:
            unit = None
        if unit:
            figure["unit"] = unit


def _unknown_claim(slug: str) -> dict:
    try:
        chronicle().resolve("claim", slug, story())
    except UnknownEntryError as error:
        return {"link_target": [str(error)]}
    return {}


def _free_slug(text: str) -> str:
    """A slug made from the claim's first words, numbered if it is taken."""
    base = forms.slugify(" ".join(text.split()[:8]))
    slug, number = base, 1
    while True:
        try:
            chronicle().resolve("claim", slug, story())
        except UnknownEntryError:
            return slug
        number += 1
        slug = f"{base}-{number}"


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
