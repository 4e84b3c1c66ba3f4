"""The SQL of a lens's change days, shared by the SQLite and PostgreSQL view stores.

Each store passes its own pieces (its parameter style, its lens condition and the join that
condition needs); the shape of the query is written once here.
"""

from __future__ import annotations


def change_days_query(*, held: str, in_lens: str, join: str, linked: str, everyone: bool, pick: str,
                      since: str = "", day: str = "") -> str:
    """One select of a lens's change days: its versions', and those of links touching its claims.

    ``held`` and ``in_lens`` are conditions on the versions row ``v`` (``join`` is what ``in_lens``
    needs joined), ``linked`` one on the links row ``l``. ``pick`` is "DISTINCT", "MAX" or "MIN";
    ``since`` a comparison ("<" or ">") with the placeholder ``day``, if any.
    """

    def on(alias: str) -> str:
        return f"{alias}.stated_on {since} {day}" if since else "TRUE"

    def column(alias: str) -> str:
        return f"DISTINCT {alias}.stated_on AS day" if pick == "DISTINCT" else f"{pick}({alias}.stated_on) AS day"

    if everyone:
        links = f"SELECT {column('l')} FROM links l WHERE {linked} AND {on('l')}"
    else:
        # From the lens's own rows to their links: a lens is far smaller than the links of everyone.
        links = (f"SELECT {column('l')} FROM versions v{join} JOIN links l ON l.claim_id = v.claim_id OR "
                 f"l.target_id = v.claim_id WHERE {held} AND {in_lens} AND {linked} AND {on('l')}")
    return (f"SELECT {column('v')} FROM versions v{join} WHERE {held} AND {in_lens} AND {on('v')} "
            f"UNION{'' if pick == 'DISTINCT' else ' ALL'} {links}")
