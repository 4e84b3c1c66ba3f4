"""The view state that lives in the URL: the day ("as of"), the lens and the recorded moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import request

from chronicle.application import InvalidQueryError
from chronicle.dates import FuzzyDateError, parse_day
from chronicle_web.context import chronicle, story


@dataclass(frozen=True)
class ViewState:
    """What a page shows: whose story (lens), as of which day, as the chronicle held it when."""

    as_of: str
    lens: str
    known_at: str | None = None

    def args(self, **changes: str | None) -> dict:
        """Query arguments for a link to this state with some parts changed."""
        values = {"as_of": self.as_of, "lens": self.lens, "known_at": self.known_at, **changes}
        return {k: v for k, v in values.items() if v}


def read_state(default_lens: str = "official") -> ViewState:
    """The view state from the query string; a missing day means the day the story last changed (today
    for a story in which nothing is stated yet)."""
    as_of = (request.args.get("as_of") or "").strip() or last_day()
    try:
        parse_day(as_of)
    except FuzzyDateError as error:
        raise InvalidQueryError(f"as of: {error}") from None
    lens = (request.args.get("lens") or "").strip() or default_lens
    return ViewState(as_of, lens, (request.args.get("known_at") or "").strip() or None)


def last_day() -> str:
    """The last stated day on which anything in the page's story changed: the everyone lens's last change day,
    which reads the story's rows alone (the story list's facts are counted over every story)."""
    last, _ = chronicle().changes_around("9999-12-31", "everyone", story=story())  # one MAX, not every day
    return last or date.today().isoformat()


def whole_number(name: str) -> int:
    """A page position from the query string (``offset``): a whole number, 0 if absent; else a 400."""
    text = (request.args.get(name) or "0").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise InvalidQueryError(f"{name}: {text[:50]!r} is not a whole number")
    return int(text)


def shift(day: str, days: int) -> str:
    """The ISO day ``days`` after (or before) ``day``."""
    return (parse_day(day) + timedelta(days=days)).isoformat()


# Beyond this many sources (or camps) the picker leaves them out: a lens is then chosen from a
# source's page or typed into the URL. A chronicle of a million statements has tens of thousands.
LISTED = 300


def lens_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The lens picker's options, grouped: everyone and official, each camp and each source, if few enough."""
    groups = [("Story", [("official", "Official"), ("everyone", "Everyone")])]
    camps = [camp for camp in chronicle().camps(LISTED + 2) if camp != "official"]
    if len(camps) <= LISTED:
        groups.append(("Camps", [(camp, camp.replace("-", " ").capitalize()) for camp in camps]))
    if chronicle().count("source") <= LISTED:
        sources = sorted(chronicle().entries("source"), key=lambda s: s["name"].casefold())
        groups.append(("Sources", [(s["slug"], s["name"]) for s in sources]))
    return groups
