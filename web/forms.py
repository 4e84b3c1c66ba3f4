"""The editor's forms: flat HTML fields in, the file format's records out, errors by field.

A form is validated by the same marshmallow schemas as chronicle files and the API
(:mod:`chronicle.schemas`), then by the domain when the command runs; both kinds of error come
back keyed by the form field they are about, so each message can be shown next to its field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from marshmallow import Schema, ValidationError

from chronicle.application import DuplicateEntryError, UnknownEntryError
from chronicle.domain import ChronicleError, DateOrderError
from chronicle.schemas import ClaimEventRecord, ClaimRecord, FigureRecord, LinkRecord

Errors = dict[str, list[str]]

# Where a schema's error path shows up in the form.
FIELD_OF = {
    "citations": "citation_document",
    "citations.0.document": "citation_document",
    "citations.0.url": "citation_url",
    "citations.0.date": "citation_date",
    "figure": "figure_value",
    "figure.value": "figure_value",
    "figure.low": "figure_low",
    "figure.high": "figure_high",
    "figure.unit": "figure_unit",
    "figure.qualifier": "figure_qualifier",
    "figure._schema": "figure_value",
    "links.0.relation": "link_relation",
    "links.0.target": "link_target",
    "stated": "stated",
    "changes": "_form",
}
MESSAGES = {
    "Missing data for required field.": "Required.",
    "Shorter than minimum length 1.": "Required.",
}


def _text(form: Mapping, name: str) -> str | None:
    value = (form.get(name) or "").strip()
    return value or None


def stated(form: Mapping, prefix: str = "stated") -> Any:
    """A fuzzy date from its three fields: the EDTF text, the part of day and a note."""
    text, part, note = _text(form, prefix), _text(form, f"{prefix}_part"), _text(form, f"{prefix}_note")
    if text is None:
        return None
    return {"date": text, "part_of_day": part, "note": note} if part or note else text


def figure(form: Mapping) -> dict | None:
    """A figure from its fields, or None when no number was given."""
    numbers = {name: _text(form, f"figure_{name}") for name in ("value", "low", "high")}
    if not any(numbers.values()):
        return None
    raw = {name: value.replace(",", "") for name, value in numbers.items() if value}
    raw["unit"] = _text(form, "figure_unit")
    raw["qualifier"] = _text(form, "figure_qualifier") or "exactly"
    return {k: v for k, v in raw.items() if v is not None}


def citation(form: Mapping) -> list[dict]:
    """The one citation a form carries, as the list the records expect."""
    fields = {"document": _text(form, "citation_document"), "url": _text(form, "citation_url"),
              "date": _text(form, "citation_date")}
    if not any(fields.values()):
        return []
    return [{k: v for k, v in fields.items() if v}]


def claim_record(form: Mapping) -> dict:
    """The raw ClaimRecord a new-claim form describes (blank fields left out)."""
    names = ("slug", "source", "via", "topic", "text", "quote", "note")
    raw: dict[str, Any] = {name: _text(form, name) for name in names}
    raw.update(stated=stated(form), figure=figure(form), citations=citation(form),
               incidents=[i for i in form.getlist("incidents") if i] if hasattr(form, "getlist") else [])
    relation, target = _text(form, "link_relation"), _text(form, "link_target")
    if relation or target:
        raw["links"] = [{"relation": relation, "target": target}]
    return {k: v for k, v in raw.items() if v is not None}


def revision_record(form: Mapping) -> dict:
    """The raw ClaimEventRecord of a revision."""
    raw = {"type": "revised", "stated": stated(form), "text": _text(form, "text"), "quote": _text(form, "quote"),
           "figure": figure(form), "citations": citation(form), "note": _text(form, "note")}
    return {k: v for k, v in raw.items() if v is not None}


def retraction_record(form: Mapping) -> dict:
    """The raw ClaimEventRecord of a retraction."""
    raw = {"type": "retracted", "stated": stated(form), "reason": _text(form, "reason"), "citations": citation(form)}
    return {k: v for k, v in raw.items() if v is not None}


def reinstatement_record(form: Mapping) -> dict:
    """The raw ClaimEventRecord of a reinstatement: the source stands by its retracted claim again."""
    raw = {"type": "reinstated", "stated": stated(form), "note": _text(form, "note"), "citations": citation(form)}
    return {k: v for k, v in raw.items() if v is not None}


def link_record(form: Mapping) -> dict:
    """The raw LinkRecord of a link between claims."""
    raw = {"relation": _text(form, "link_relation"), "target": _text(form, "link_target"),
           "stated": stated(form), "note": _text(form, "note")}
    return {k: v for k, v in raw.items() if v is not None}


def load(schema: Schema, raw: dict) -> tuple[dict, Errors]:
    """Validate a raw record with a schema; return the loaded data, or the errors by form field."""
    try:
        return schema.load(raw), {}
    except ValidationError as error:
        return {}, by_field(error.messages)


def load_claim(raw: dict) -> tuple[dict, Errors]:
    return load(ClaimRecord(), raw)


def load_event(raw: dict) -> tuple[dict, Errors]:
    return load(ClaimEventRecord(), raw)


def load_link(raw: dict) -> tuple[dict, Errors]:
    return load(LinkRecord(), raw)


def load_figure(raw: dict | None) -> tuple[dict | None, Errors]:
    """A corrected figure, validated like any other figure (its errors named figure_...)."""
    if raw is None:
        return None, {}
    try:
        return FigureRecord().load(raw), {}
    except ValidationError as error:
        return None, by_field({"figure": error.messages})


def by_field(messages: Any, path: str = "") -> Errors:
    """Flatten marshmallow's nested messages into {form field: [messages]}."""
    errors: Errors = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            for name, texts in by_field(value, f"{path}.{key}" if path else str(key)).items():
                errors.setdefault(name, []).extend(texts)
        return errors
    texts = messages if isinstance(messages, list) else [messages]
    name = FIELD_OF.get(path) or ("_form" if path.endswith("_schema") else path.replace(".", "_"))
    errors[name] = [MESSAGES.get(str(t), str(t)) for t in texts if not isinstance(t, dict | list)]
    return errors


def domain_errors(error: ChronicleError) -> Errors:
    """A refusal from the domain, put next to the field it is about."""
    text = str(error)
    if isinstance(error, DuplicateEntryError):
        return {"slug": [text]}
    if isinstance(error, DateOrderError):
        return {"stated": [text]}
    if isinstance(error, UnknownEntryError):
        for name in ("source", "topic", "incident", "claim"):
            if f"no {name} " in text or f"any of these {name}s" in text:
                return {{"claim": "link_target", "incident": "incidents"}.get(name, name): [text]}
    match = re.match(r"^(stated|figure|slug)\b", text)
    if match:
        return {{"figure": "figure_value"}.get(match[1], match[1]): [text]}
    return {"_form": [text]}


def slugify(text: str, limit: int = 60) -> str:
    """A slug from words: lowercase letters, digits and hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:limit].strip("-")
    return slug or "claim"
