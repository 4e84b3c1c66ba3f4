"""The log's integrity: its head hash, whether the chain verifies, and the export that carries it."""

from __future__ import annotations

from flask import Response, stream_with_context
from marshmallow import fields

from chronicle import schemas
from chronicle.transfer import export_lines
from chronicle_web.api import bp
from chronicle_web.api.openapi import described
from chronicle_web.context import chronicle
from chronicle_web.integrity import chain_status


class IntegrityOut(schemas.Out):
    position = fields.Integer(metadata={"description": "the last recorded event's position"})
    head = fields.String(metadata={"description": "its chained SHA-256 hash: publish it, compare copies with it"})
    verified = fields.Boolean(metadata={"description": "whether the whole chain recomputes to this head"})
    checked = fields.Integer(metadata={"description": "how many events were checked"})
    broken_at = fields.Integer(allow_none=True, metadata={"description": "the first broken link's position"})
    problem = fields.String(allow_none=True)
    view = fields.Dict(metadata={"description": "how far the read models have folded the log (position of head), "
                                                "the event they stopped at (fault) or why they lag (behind)"})


@bp.get("/integrity")
@described("The head hash of the event log and whether its hash chain verifies", out=IntegrityOut, tag="integrity")
def integrity():
    """Recomputes the chain over every event; the answer is cached for up to a minute."""
    return IntegrityOut().dump({**chain_status(), "view": chronicle().view_status()})


@bp.get("/export.jsonl")
@described("Every event with its chained hash as JSON Lines; the last line carries the head hash",
           media="application/jsonl", tag="integrity")
def export():
    """The same format as `chronicle export`: import it with `chronicle import` into an empty store."""
    lines = (line + "\n" for line in export_lines(chronicle()))
    return Response(stream_with_context(lines), mimetype="application/jsonl",
                    headers={"Content-Disposition": 'attachment; filename="chronicle-export.jsonl"'})
