"""Template filters the pages share: how dates, relations and search snippets read."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from markupsafe import Markup, escape

from chronicle_web.pages import bp


@bp.app_template_filter("breakable")
def breakable(label: str) -> Markup:
    """A date label that may wrap after the slash of a range (2022-01-05/<wbr>2022-01-10)."""
    return Markup("/<wbr>").join(escape(part) for part in str(label).split("/"))


@bp.app_template_filter("passive")
def passive(relation: str) -> str:
    """ "disputes" → "disputed", for "disputed by ..."."""
    return {"disputes": "disputed", "contradicts": "contradicted", "reframes": "reframed",
            "supports": "supported"}.get(relation, relation)


@bp.app_template_filter("marked")
def marked(snippet: str) -> Markup:
    """A search snippet with its matched words (between [ and ]) in <mark>, everything else escaped."""
    parts, open_mark = [], False
    for piece in re.split(r"([\[\]])", snippet or ""):
        if piece == "[" and not open_mark:
            parts.append("<mark>")
            open_mark = True
        elif piece == "]" and open_mark:
            parts.append("</mark>")
            open_mark = False
        else:
            parts.append(str(escape(piece)))
    return Markup("".join(parts) + ("</mark>" if open_mark else ""))


@bp.app_template_filter("moment")
def moment(stamp: str | None) -> str:
    """A recorded instant as people read it: "2026-11-25 16:12:36 UTC"."""
    if not stamp:
        return ""
    try:
        return datetime.fromisoformat(stamp).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except ValueError:
        return stamp
