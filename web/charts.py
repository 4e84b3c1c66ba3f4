"""A step chart of a figure's values over stated time, drawn as SVG text on the server.

Pure functions of a topic's history (the plain data :meth:`Chronicle.topic_history` returns):
no Flask, no database. The official camp is one series in one colour, folded the way the
narrative folds it (the latest stated, non-retracted figure stands); every other source is a
series of its own. The horizontal axis is spaced by statement, not to scale, because official
figures change several times in a week and then not for months; each step is labelled with its
date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from html import escape

OFFICIAL = "official"
OFFICIAL_COLOUR = "#a4161a"
# Colours with at least 3:1 contrast on white, told apart by marker shape as well as hue.
PALETTE = ("#0b5fa5", "#8a5a00", "#1b7a3d", "#7b3294", "#00707a", "#5c5c5c", "#b0306a")
SHAPES = ("square", "diamond", "triangle", "circle")
SIGNS = {"fewer than": "<", "more than": ">", "at least": "≥", "at most": "≤", "up to": "≤",
         "about": "~", "nearly": "~"}

WIDTH, HEIGHT = 800, 380
LEFT, RIGHT, TOP, BOTTOM = 64, 28, 28, 70


@dataclass(frozen=True)
class Point:
    """One stated value of a series: who said it, when, and whether it was later retracted."""

    day: str
    value: float
    label: str
    claim: str
    version: int
    source: str
    stated: str
    qualifier: str = "exactly"
    retracted_on: str | None = None

    @property
    def short(self) -> str:
        """The value as the chart prints it: "<50", "~2,000", "164"."""
        return SIGNS.get(self.qualifier, "") + _number(self.value)


@dataclass
class Series:
    """A line on the chart: the official camp, or one other source."""

    key: str
    name: str
    colour: str
    shape: str
    points: list[Point] = field(default_factory=list)
    steps: list[tuple[str, Point | None]] = field(default_factory=list)

    @property
    def official(self) -> bool:
        return self.key == OFFICIAL


def figure_series(history: list[dict]) -> list[Series]:
    """The chart's series from a topic's history: official first, then each other source as it first spoke."""
    groups: dict[str, list[dict]] = {}
    names: dict[str, str] = {}
    for entry in history:
        key = OFFICIAL if _is_official(entry) else entry["source"]["slug"]
        groups.setdefault(key, []).append(entry)
        names.setdefault(key, "Official" if key == OFFICIAL else entry["source"]["name"])
    keys = sorted(groups, key=lambda k: (k != OFFICIAL, groups[k][0]["stated"]["on"], k))
    series = []
    for number, key in enumerate(k for k in keys if k != OFFICIAL):
        series.append(Series(key, names[key], PALETTE[number % len(PALETTE)], SHAPES[number % len(SHAPES)]))
    if OFFICIAL in groups:
        series.insert(0, Series(OFFICIAL, names[OFFICIAL], OFFICIAL_COLOUR, "circle"))
    for line in series:
        line.points = _points(groups[line.key])
        line.steps = _steps(groups[line.key], line.points)
    return [line for line in series if line.points]


def _is_official(entry: dict) -> bool:
    return entry["source"]["camp"] == OFFICIAL or (entry.get("via") or {}).get("camp") == OFFICIAL


def _points(entries: list[dict]) -> list[Point]:
    points = []
    for entry in entries:
        if entry["kind"] == "retracted" or not entry["figure"]:
            continue
        change = entry.get("next_change") or {}
        points.append(Point(
            day=entry["stated"]["on"], value=entry["figure"]["point"], label=entry["figure"]["label"],
            claim=entry["claim"], version=entry["version"], source=entry["source"]["name"],
            stated=entry["stated"]["label"], qualifier=entry["figure"]["qualifier"],
            retracted_on=change.get("on") if change.get("kind") == "retracted" else None,
        ))
    return points


def _steps(entries: list[dict], points: list[Point]) -> list[tuple[str, Point | None]]:
    """The value that stood on each day something changed: the latest stated, non-retracted figure."""
    by_version = {(p.claim, p.version): p for p in points}
    steps: list[tuple[str, Point | None]] = []
    for day in sorted({e["stated"]["on"] for e in entries}):
        latest: dict[str, dict] = {}
        for entry in entries:
            if entry["stated"]["on"] <= day:
                latest[entry["claim"]] = entry
        standing = [e for e in latest.values() if e["kind"] != "retracted" and e["figure"]]
        best = max(standing, key=lambda e: (e["stated"]["on"], e["stated"]["until"], e["claim"]), default=None)
        point = by_version.get((best["claim"], best["version"])) if best else None
        if not steps or steps[-1][1] != point:
            steps.append((day, point))
    return steps


def step_chart(series: list[Series], unit: str, title: str) -> str:
    """The SVG of a step chart of the series, with a text description for screen readers."""
    days = sorted({p.day for s in series for p in s.points} | {d for s in series for d, _ in s.steps})
    if not days:
        return ""
    slot = (WIDTH - LEFT - RIGHT) / len(days)
    x_of = {day: LEFT + slot * (i + 0.5) for i, day in enumerate(days)}
    top = _nice_ceiling(max(p.value for s in series for p in s.points))
    y = lambda value: TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)  # noqa: E731
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(describe(series))}</desc>',
        *_axes(days, x_of, y, top, unit, series),
    ]
    for line in series:
        parts.append(_line(line, x_of, y))
    for line in series:
        parts.extend(_marker(line, point, x_of[point.day], y(point.value)) for point in line.points)
    parts.append("</svg>")
    return "\n".join(parts)


def describe(series: list[Series]) -> str:
    """The chart in words: each series and its values in stated order."""
    sentences = []
    for line in series:
        values = [f"{p.label} ({p.stated}{', retracted ' + p.retracted_on if p.retracted_on else ''})"
                  for p in line.points]
        sentences.append(f"{line.name}: {'; '.join(values)}.")
    return " ".join(sentences)


def _axes(days: list[str], x_of: dict[str, float], y, top: float, unit: str, series: list[Series]) -> list[str]:
    parts = ['<g class="axis">']
    for tick in _ticks(top):
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 8}" y="{y(tick) + 4:.1f}" text-anchor="end">'
                     f'{_number(tick)}</text>')
    parts.append(f'<text class="unit" x="{LEFT - 8}" y="{TOP - 12}" text-anchor="end">{escape(unit)}</text>')
    labels = _day_labels(days, series)
    previous_year = None
    for day in days:
        x = x_of[day]
        parts.append(f'<line class="day" x1="{x:.1f}" x2="{x:.1f}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM + 6}"/>')
        parts.append(f'<text class="tick" x="{x:.1f}" y="{HEIGHT - BOTTOM + 22}" text-anchor="middle">'
                     f'{escape(labels[day])}</text>')
        if day[:4] != previous_year:
            parts.append(f'<text class="tick year" x="{x:.1f}" y="{HEIGHT - BOTTOM + 40}" '
                         f'text-anchor="middle">{day[:4]}</text>')
            previous_year = day[:4]
    parts.append(f'<line class="baseline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" '
                 f'y2="{HEIGHT - BOTTOM}"/>')
    parts.append(f'<text class="note" x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" text-anchor="end">'
                 'spaced by statement, not to scale</text>')
    parts.append("</g>")
    return parts


def _day_labels(days: list[str], series: list[Series]) -> dict[str, str]:
    """A short date under each step; a fuzzy statement keeps its fuzziness ("Aug", "21–31 Jan", "~6 Jan")."""
    fuzzy = {p.day: p.stated for s in series for p in s.points if p.stated != p.day}
    return {day: short_date(day, fuzzy.get(day)) for day in days}


def short_date(day: str, stated: str | None = None) -> str:
    """ "6 Jan", or for a fuzzy statement "~6 Jan", "Aug", "21–31 Jan"."""
    on = date.fromisoformat(day)
    plain = f"{on.day} {on:%b}"
    if not stated:
        return plain
    if "/" in stated:
        first, _, last = stated.partition("/")
        end = date.fromisoformat(last[:10]) if len(last) >= 10 else None
        if end and end.month == on.month:
            return f"{on.day}–{end.day} {on:%b}"
        return f"{plain}–" + (f"{end.day} {end:%b}" if end else last)
    if stated.startswith("about "):
        return f"~{plain}"
    if len(stated.rstrip("?")) == 7:
        return f"{on:%b}"
    return plain + ("?" if stated.endswith("?") else "")


def _line(line: Series, x_of: dict[str, float], y) -> str:
    """The series as a step path; a gap where nothing stood (after a retraction with nothing before it)."""
    commands = []
    current = None
    for day, point in line.steps:
        x = x_of[day]
        if point is None:
            if current is not None:
                commands.append(f"H{x:.1f}")
        elif current is None:
            commands.append(f"M{x:.1f},{y(point.value):.1f}")
        else:
            commands.append(f"H{x:.1f}V{y(point.value):.1f}")
        current = point
    if current is not None:
        commands.append(f"H{WIDTH - RIGHT}")
    width = 3 if line.official else 2
    return (f'<path class="step series-{escape(line.key)}" d="{" ".join(commands)}" fill="none" '
            f'stroke="{line.colour}" stroke-width="{width}" stroke-linejoin="round"/>')


def _marker(line: Series, point: Point, x: float, y: float) -> str:
    retracted = point.retracted_on is not None
    classes = "point official" if line.official else "point"
    tip = f"{point.label}: {point.source}, {point.stated}" + (f"; retracted {point.retracted_on}" if retracted else "")
    shape = _shape(line.shape, x, y, line.colour, hollow=retracted)
    cross = (f'<path d="M{x - 6:.1f},{y - 6:.1f}L{x + 6:.1f},{y + 6:.1f}M{x - 6:.1f},{y + 6:.1f}'
             f'L{x + 6:.1f},{y - 6:.1f}" stroke="{line.colour}" stroke-width="2"/>' if retracted else "")
    text = escape(point.short) + (" · retracted" if retracted else "")
    return (f'<g class="{classes}{" retracted" if retracted else ""}" data-series="{escape(line.key)}" '
            f'data-claim="{escape(point.claim)}" data-version="{point.version}" data-value="{_number(point.value)}">'
            f'<title>{escape(tip)}</title>{shape}{cross}'
            f'<text class="value" x="{x:.1f}" y="{y - 12:.1f}" text-anchor="middle" fill="{line.colour}">{text}</text>'
            "</g>")


def _shape(shape: str, x: float, y: float, colour: str, hollow: bool) -> str:
    fill = "#fff" if hollow else colour
    paint = f'fill="{fill}" stroke="{colour}" stroke-width="2"'
    if shape == "square":
        return f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" {paint}/>'
    if shape == "diamond":
        return f'<path d="M{x:.1f},{y - 7:.1f}L{x + 7:.1f},{y:.1f}L{x:.1f},{y + 7:.1f}L{x - 7:.1f},{y:.1f}Z" {paint}/>'
    if shape == "triangle":
        return f'<path d="M{x:.1f},{y - 7:.1f}L{x + 7:.1f},{y + 6:.1f}L{x - 7:.1f},{y + 6:.1f}Z" {paint}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" {paint}/>'


def _nice_ceiling(value: float) -> float:
    """Four round steps reaching a little above the largest value, so the top point is not on the frame."""
    if value <= 0:
        return 1
    raw = value * 1.1 / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8, 10) if m * magnitude >= raw)
    return step * 4


def _ticks(top: float) -> list[float]:
    return [top * i / 4 for i in range(5)]


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.4g}"
