"""Fuzzy dates: when something happened or was said, at the precision the record gives.

The text form is a subset of EDTF (ISO 8601-2): ``2022-01-07``, ``2022-01`` (a month),
``2022`` (a year), ``2022-01-06~`` (approximate), ``2022-01-06?`` (uncertain) and
``2022-01-21/2022-01-31`` (a range). A part of the day ("night", "morning", ...) and a
free-text note travel beside it, since EDTF has no words for "overnight on 7 January".
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

PARTS_OF_DAY = ("night", "early-morning", "morning", "afternoon", "evening")

# ASCII digits only ("\d" also matches Arabic-Indic and fullwidth ones), and no trailing newline.
_SINGLE = re.compile(r"^(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{2})(?:-(?P<d>[0-9]{2}))?)?(?P<flags>[~?%]?)\Z")


class FuzzyDateError(ValueError):
    """A date that is not in the accepted EDTF subset, or is impossible."""


@dataclass(frozen=True)
class FuzzyDate:
    """A day, month, year or range, possibly approximate, with an optional part of day."""

    start: date
    end: date
    precision: str
    approximate: bool = False
    uncertain: bool = False
    part_of_day: str | None = None
    note: str | None = None

    @classmethod
    def parse(cls, text: str, part_of_day: str | None = None, note: str | None = None) -> FuzzyDate:
        """Parse an EDTF-subset string into a fuzzy date."""
        text = (text or "").strip()
        if part_of_day is not None and part_of_day not in PARTS_OF_DAY:
            raise FuzzyDateError(
                f"unknown part of day {part_of_day!r}: use one of {', '.join(PARTS_OF_DAY)}"
            )
        if "/" in text:
            return cls._parse_range(text, part_of_day, note)
        start, end, precision, flags = _parse_single(text)
        if part_of_day and precision != "day":
            raise FuzzyDateError(f"a part of day needs a day, not {text!r}")
        return cls(
            start=start,
            end=end,
            precision="part-of-day" if part_of_day else precision,
            approximate="~" in flags or "%" in flags,
            uncertain="?" in flags or "%" in flags,
            part_of_day=part_of_day,
            note=note,
        )

    @classmethod
    def _parse_range(cls, text: str, part_of_day: str | None, note: str | None) -> FuzzyDate:
        first, _, last = text.partition("/")
        if part_of_day:
            raise FuzzyDateError(f"a range cannot have a part of day: {text!r}")
        start, _, _, flags_a = _parse_single(first)
        _, end, _, flags_b = _parse_single(last)
        if end < start:
            raise FuzzyDateError(f"range {text!r} ends before it starts")
        flags = flags_a + flags_b
        return cls(
            start=start,
            end=end,
            precision="range",
            approximate="~" in flags or "%" in flags,
            uncertain="?" in flags or "%" in flags,
            note=note,
        )

    @classmethod
    def from_dict(cls, data: dict) -> FuzzyDate:
        """Rebuild from the stored form made by :meth:`to_dict`."""
        return cls.parse(data["edtf"], data.get("part_of_day"), data.get("note"))

    def to_dict(self) -> dict:
        """The stored form: the EDTF text, the part of day and the note."""
        return {"edtf": self.edtf, "part_of_day": self.part_of_day, "note": self.note}

    @property
    def edtf(self) -> str:
        """The EDTF text, which keeps the precision."""
        flags = _flags(self.approximate, self.uncertain)
        if self.precision == "range":
            return f"{self.start.isoformat()}/{self.end.isoformat()}{flags}"
        if self.precision == "year":
            return f"{self.start.year:04d}{flags}"
        if self.precision == "month":
            return f"{self.start.year:04d}-{self.start.month:02d}{flags}"
        return f"{self.start.isoformat()}{flags}"

    @property
    def sort_key(self) -> str:
        """The ISO day used to order statements and answer "as of": the earliest possible day."""
        return self.start.isoformat()

    def label(self) -> str:
        """A short human reading, e.g. ``2022-01-07 (night)`` or ``about 2022-01-06``."""
        text = self.edtf.rstrip("~?%")
        if self.approximate:
            text = f"about {text}"
        if self.uncertain:
            text = f"{text}?"
        if self.part_of_day:
            text = f"{text} ({self.part_of_day})"
        return text


def _flags(approximate: bool, uncertain: bool) -> str:
    if approximate and uncertain:
        return "%"
    return "~" if approximate else ("?" if uncertain else "")


def _parse_single(text: str) -> tuple[date, date, str, str]:
    match = _SINGLE.match(text.strip())
    if not match:
        raise FuzzyDateError(
            f"{text!r} is not a date: use YYYY-MM-DD, YYYY-MM, YYYY, "
            "optionally followed by ~ (approximate) or ? (uncertain), or a range A/B"
        )
    year, month, day = match["y"], match["m"], match["d"]
    try:
        if day:
            start = end = date(int(year), int(month), int(day))
            precision = "day"
        elif month:
            start = date(int(year), int(month), 1)
            end = date(int(year), int(month), calendar.monthrange(int(year), int(month))[1])
            precision = "month"
        else:
            start, end, precision = date(int(year), 1, 1), date(int(year), 12, 31), "year"
    except ValueError as error:
        raise FuzzyDateError(f"{text!r} is not a real date: {error}") from None
    return start, end, precision, match["flags"]


def parse_day(text: str) -> date:
    """Parse a plain ISO day (``YYYY-MM-DD``), as used for "as of" questions."""
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise FuzzyDateError(f"{text!r} is not a day: use YYYY-MM-DD") from None
