"""How names are matched: "Kassym-Zhomart Tokayev", "kassym zhomart tokayev" and "KASSYM-ZHOMART TOKAYEV" are one key."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise(name: str) -> str:
    """Fold case, accents, punctuation and spacing so that spellings of one name compare equal."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", bare).strip()


def name_keys(slug: str, name: str, aliases: list[str]) -> list[str]:
    """Every key under which a source can be found: its slug, its name and each alias."""
    keys = {normalise(slug), normalise(name)} | {normalise(alias) for alias in aliases}
    return sorted(key for key in keys if key)
