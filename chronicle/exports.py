"""Exports for newsrooms: CSV tables, TimelineJS's JSON and Atom feeds, from answers already dumped.

Pure functions over the dicts the output schemas produce, so they run (and are tested)
without a web server.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterable
from uuid import NAMESPACE_URL, uuid5
from xml.etree import ElementTree

ATOM = "http://www.w3.org/2005/Atom"
NARRATIVE_COLUMNS = (
    "topic", "topic_title", "status", "claim", "version", "kind", "stated", "stated_on", "precision",
    "source", "source_name", "camp", "via", "figure", "figure_value", "figure_low", "figure_high", "unit",
    "text", "quote", "superseded_by", "disputed", "revised_later", "retracted_later", "recorded_at", "recorded_by",
)
HISTORY_COLUMNS = (
    "stated", "stated_on", "precision", "kind", "claim", "version", "source", "source_name", "camp",
    "figure", "figure_value", "unit", "replaces_figure", "text", "reason", "recorded_at", "recorded_by",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 cannot carry at all, not even as a character reference: most C0 controls, lone
# surrogates, U+FFFE and U+FFFF. Text is stored as given; in a feed these become U+FFFD, so that one
# claim cannot make the whole feed malformed.
NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def narrative_rows(narrative: dict) -> list[dict]:
    """One row per claim in a narrative, topic by topic."""
    rows = []
    for group in narrative["topics"]:
        for claim in group["claims"]:
            rows.append({**_version_cells(claim), "topic": group["topic"]["slug"],
                         "topic_title": group["topic"]["title"], "status": claim["status"],
                         "superseded_by": claim["superseded_by"], "disputed": claim["disputed"],
                         "revised_later": claim["revised_later"], "retracted_later": claim["retracted_later"]})
    return rows


def history_rows(history: list[dict]) -> list[dict]:
    """One row per version in a topic's (or a lens's) history."""
    return [{**_version_cells(entry), "replaces_figure": ((entry["replaces"] or {}).get("figure") or {}).get("label")}
            for entry in history]


def _version_cells(version: dict) -> dict:
    figure = version["figure"] or {}
    return {"claim": version["claim"], "version": version["version"], "kind": version["kind"],
            "stated": version["stated"]["edtf"], "stated_on": version["stated"]["on"],
            "precision": version["stated"]["precision"], "source": version["source"]["slug"],
            "source_name": version["source"]["name"], "camp": version["source"]["camp"],
            "via": (version["via"] or {}).get("slug"), "figure": figure.get("label"),
            "figure_value": figure.get("value"), "figure_low": figure.get("low"), "figure_high": figure.get("high"),
            "unit": figure.get("unit"), "text": version["text"], "quote": version["quote"],
            "reason": version["reason"], "recorded_at": version["recorded_at"], "recorded_by": version["recorded_by"]}


def to_csv(columns: Iterable[str], rows: Iterable[dict]) -> str:
    """CSV with a header row; text that a spreadsheet would run as a formula is prefixed with '."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def json_lines(items: Iterable[dict]) -> Iterable[str]:
    """Each item as one line of JSON (JSON Lines)."""
    for item in items:
        yield json.dumps(item, ensure_ascii=False, default=str) + "\n"


def timeline(history: list[dict], headline: str, text: str) -> dict:
    """A lens's history as TimelineJS 3 JSON: one slide per statement, revision or retraction.

    TimelineJS renders its text fields as HTML, so every text it shows is HTML-escaped here."""
    return {"title": {"text": {"headline": _escape(headline), "text": _escape(text)}},
            "events": [_slide(entry) for entry in history]}


def _slide(entry: dict) -> dict:
    stated = entry["stated"]
    said = (entry["figure"] or {}).get("label") or entry["text"] or ""
    headline = {"stated": said, "revised": f"Revised: {said}", "retracted": "Retracted"}[entry["kind"]]
    slide = {"unique_id": f"{entry['claim']}-v{entry['version']}",
             "start_date": {**_date_parts(stated["on"], stated["precision"]),
                            "display_date": _escape(stated["label"])},
             "text": {"headline": _escape(f"{entry['source']['name']}: {headline}"),
                      "text": _escape(entry["reason"] if entry["kind"] == "retracted" else entry["text"] or "")},
             "group": _escape(entry["topic"])}
    if stated["precision"] == "range":
        slide["end_date"] = _date_parts(stated["until"], "day")
    return slide


def _date_parts(day: str, precision: str) -> dict:
    """TimelineJS dates carry only the parts the record knows: a month stays a month."""
    year, month, date = (int(part) for part in day.split("-"))
    if precision == "year":
        return {"year": year}
    if precision == "month":
        return {"year": year, "month": month}
    return {"year": year, "month": month, "day": date}


def _escape(text: str | None) -> str:
    """TimelineJS renders text as HTML: markup in a claim shows as text, never runs."""
    return html.escape(text or "", quote=True)


def atom_feed(feed_id: str, title: str, self_url: str, entries: list[dict], claim_url: str) -> str:
    """An Atom (RFC 4287) feed of revisions and retractions, newest statement first.

    ``claim_url`` is a format string with ``{claim}``; ids are stable URNs, so a reader that
    sees the same version again knows it.
    """
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", _urn(feed_id))
    _text(feed, "title", title)
    changes = sorted((e for e in entries if e["kind"] in ("revised", "retracted")),
                     key=lambda e: (e["stated"]["on"], e["recorded_at"] or "", e["claim"]), reverse=True)
    _text(feed, "updated", max((e["recorded_at"] or "" for e in changes), default="1970-01-01T00:00:00+00:00"))
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=_xml(self_url), type="application/atom+xml")
    _text(ElementTree.SubElement(feed, f"{{{ATOM}}}author"), "name", "chronicle")
    for change in changes:
        _entry(feed, change, claim_url.format(claim=change["claim"]))
    return ElementTree.tostring(feed, encoding="unicode", xml_declaration=True)


def _entry(feed: ElementTree.Element, change: dict, url: str) -> None:
    entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
    _text(entry, "id", _urn(f"{change['id']}/{change['version']}"))
    said = (change["figure"] or {}).get("label") or change["text"] or ""
    was = ((change["replaces"] or {}).get("figure") or {}).get("label") or (change["replaces"] or {}).get("text")
    what = f"revised: {was} → {said}" if change["kind"] == "revised" else f"retracted: {was}"
    _text(entry, "title", f"{change['source']['name']} {what} ({change['stated']['label']})")
    _text(entry, "updated", change["recorded_at"] or "1970-01-01T00:00:00+00:00")
    _text(entry, "published", f"{change['stated']['on']}T00:00:00Z")
    _text(ElementTree.SubElement(entry, f"{{{ATOM}}}author"), "name", change["source"]["name"])
    ElementTree.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=_xml(url), type="application/json")
    ElementTree.SubElement(entry, f"{{{ATOM}}}category", term=change["kind"])
    ElementTree.SubElement(entry, f"{{{ATOM}}}category", term=_xml(change["topic"]))
    body = change["reason"] if change["kind"] == "retracted" else change["text"]
    _text(entry, "summary", f"{body} (recorded by {change['recorded_by']})")


def _text(parent: ElementTree.Element, name: str, value: str) -> None:
    """A text element; the serializer escapes &, < and >, so text never becomes markup."""
    ElementTree.SubElement(parent, f"{{{ATOM}}}{name}").text = _xml(value)


def _xml(value: str) -> str:
    return NOT_XML.sub("\ufffd", value)


def _urn(key: str) -> str:
    return f"urn:uuid:{uuid5(NAMESPACE_URL, 'chronicle:' + key)}"
