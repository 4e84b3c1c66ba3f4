"""The JSON API under /api/v1."""

from __future__ import annotations

from flask import Blueprint, request

from chronicle import schemas
from chronicle_web.context import chronicle

bp = Blueprint("api", __name__)


@bp.get("/narrative")
def narrative():
    """The narrative of a lens as of a day."""
    args = request.args
    answer = chronicle().narrative(args.get("as_of", ""), args.get("lens", "official"), args.get("known_at"))
    return schemas.NarrativeOut().dump(answer)
