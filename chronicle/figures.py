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
    "presumed",
    "confirmed",
    "estimated",
    "reported",
)

# Every store and every output holds integers of this size exactly (JSON readers keep 2**53).
LIMIT = 2**53


class FigureError(ValueError):
    """A figure that is neither a value, a well-formed range nor a low/best/high estimate."""


def check_number(number: float | int | None, name: str = "value") -> float | int | None:
    """Refuse what is not a finite number no larger than every store and output can hold."""
    if number is None:
        return None
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise FigureError(f"{name} must be a number, not {number!r}")
    if number != number or abs(number) > LIMIT:
        raise FigureError(f"{name} {number!r} is out of range: figures are finite and at most {LIMIT:,} in size")
    return _plain(number)


@dataclass(frozen=True)
class Part:
    """One line of a breakdown: "19 of them law enforcement"."""

    label: str
    value: float
    qualifier: str = "exactly"

    def __post_init__(self) -> None:
        check_number(self.value, "breakdown value")
        if self.qualifier not in QUALIFIERS:
            raise FigureError(f"unknown qualifier {self.qualifier!r}: use one of {', '.join(QUALIFIERS)}")

    def to_dict(self) -> dict:
        return {"label": self.label, "value": _plain(self.value), "qualifier": self.qualifier}


@dataclass(frozen=True)
class Figure:
    """A stated number, range or estimate: "more than 4,500 injured", "$2–3bn", "58 (50–80)".

    An estimate follows UCDP's convention: a ``best`` figure between a ``low`` and a ``high``.
    """

    unit: str
    value: float | None = None
    low: float | None = None
    high: float | None = None
    qualifier: str = "exactly"
    breakdown: tuple[Part, ...] = field(default_factory=tuple)
    best: float | None = None

    def __post_init__(self) -> None:
        if self.qualifier not in QUALIFIERS:
            raise FigureError(f"unknown qualifier {self.qualifier!r}: use one of {', '.join(QUALIFIERS)}")
        for name in ("value", "low", "high", "best"):
            check_number(getattr(self, name), name)
        is_range = self.low is not None or self.high is not None
        if self.value is not None and (is_range or self.best is not None):
            raise FigureError("a figure needs a value, a low and high, or a low, best and high: not a mix")
        if self.value is None and not is_range:
            raise FigureError("a figure needs a value, a low and high, or a low, best and high")
        if is_range and (self.low is None or self.high is None or self.low > self.high):
            raise FigureError("a range needs a low no greater than its high")
        if self.best is not None and not self.low <= self.best <= self.high:
            raise FigureError("an estimate's best figure must lie between its low and its high")

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
            best=data.get("best"),
        )

    def to_dict(self) -> dict:
        """The stored form, with integral numbers kept as integers."""
        return {
            "unit": self.unit,
            "value": _plain(self.value),
            "low": _plain(self.low),
            "best": _plain(self.best),
            "high": _plain(self.high),
            "qualifier": self.qualifier,
            "breakdown": [part.to_dict() for part in self.breakdown],
        }

    @property
    def point(self) -> float:
        """One number to plot or compare: the value, an estimate's best, or the middle of a range."""
        if self.value is not None:
            return self.value
        if self.best is not None:
            return self.best
        return _plain((self.low + self.high) / 2)

    def label(self) -> str:
        """A readable form: "fewer than 50 people", "2–3 bn USD"."""
        if self.value is not None:
            number = _readable(self.value)
        elif self.best is not None:
            number = f"{_readable(self.best)} (estimate {_readable_range(self.low, self.high)})"
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
