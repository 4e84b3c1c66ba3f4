"""Figures: a number someone stated, with its unit, its hedging and its breakdown."""

from __future__ import annotations

from dataclasses import dataclass, field

QUALIFIERS = (
    "exactly",
    "about",
    "nearly",
    "at least",
    "more than",
    "fewer than",
    "at most",
    "up to",
)


class FigureError(ValueError):
    """A figure that is neither a value nor a well-formed range."""


@dataclass(frozen=True)
class Part:
    """One line of a breakdown: "19 of them law enforcement"."""

    label: str
    value: float
    qualifier: str = "exactly"

    def to_dict(self) -> dict:
        return {"label": self.label, "value": _plain(self.value), "qualifier": self.qualifier}


@dataclass(frozen=True)
class Figure:
    """A stated number (or range), e.g. "more than 4,500 injured" or "$2–3bn"."""

    unit: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    qualifier: str = "exactly"
    breakdown: tuple[Part, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.qualifier not in QUALIFIERS:
            raise FigureError(f"unknown qualifier {self.qualifier!r}: use one of {', '.join(QUALIFIERS)}")
        is_range = self.low is not None or self.high is not None
        if (self.value is None) == (not is_range):
            raise FigureError("a figure needs either a value or a low and high, not both")
        if is_range and (self.low is None or self.high is None or self.low > self.high):
            raise FigureError("a range needs a low no greater than its high")

    @classmethod
    def from_dict(cls, data: dict | None) -> Figure | None:
        """Build from the stored (and fixture) form; None stays None."""
        if data is None:
            return None
        parts = tuple(
            Part(p["label"], p["value"], p.get("qualifier") or "exactly") for p in data.get("breakdown") or ()
        )
        return cls(
            unit=data["unit"],
            value=data.get("value"),
            low=data.get("low"),
            high=data.get("high"),
            qualifier=data.get("qualifier") or "exactly",
            breakdown=parts,
        )

    def to_dict(self) -> dict:
        """The stored form, with integral numbers kept as integers."""
        return {
            "unit": self.unit,
            "value": _plain(self.value),
            "low": _plain(self.low),
            "high": _plain(self.high),
            "qualifier": self.qualifier,
            "breakdown": [part.to_dict() for part in self.breakdown],
        }

    @property
    def point(self) -> float:
        """One number to plot or compare: the value, or the middle of a range."""
        if self.value is not None:
            return self.value
        return (self.low + self.high) / 2

    def label(self) -> str:
        """A readable form: "fewer than 50 people", "2–3 bn USD"."""
        if self.value is not None:
            number = _readable(self.value)
        else:
            number = _readable_range(self.low, self.high)
        prefix = "" if self.qualifier == "exactly" else f"{self.qualifier} "
        return f"{prefix}{number} {self.unit}".strip()


def _plain(number: float | None) -> float | int | None:
    if number is None:
        return None
    return int(number) if float(number).is_integer() else number


_SCALES = ((1e9, "bn"), (1e6, "m"))


def _readable(number: float) -> str:
    for size, suffix in _SCALES:
        if abs(number) >= size:
            return f"{number / size:g} {suffix}"
    plain = _plain(number)
    return f"{plain:,}" if isinstance(plain, int) else f"{plain:g}"


def _readable_range(low: float, high: float) -> str:
    for size, suffix in _SCALES:
        if abs(low) >= size and abs(high) >= size:
            return f"{low / size:g}–{high / size:g} {suffix}"
    return f"{_readable(low)}–{_readable(high)}"
