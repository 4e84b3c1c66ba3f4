"""Readable plain-text tables for the command line."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], width: int | None = None) -> str:
    """Columns padded to fit; the last column wraps to the terminal's width."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    cells = [[_cell(v) for v in row] for row in rows]
    fixed = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers[:-1])]
    last_width = max(40, width - sum(fixed) - 2 * len(fixed))
    lines = [_line(headers, fixed, last_width)[0], "  ".join("-" * w for w in fixed + [min(last_width, 40)])]
    for row in cells:
        lines.extend(_line(row, fixed, last_width))
    return "\n".join(line.rstrip() for line in lines)


def _line(row: Sequence[str], fixed: list[int], last_width: int) -> list[str]:
    head = "  ".join(str(v).ljust(w) for v, w in zip(row[:-1], fixed))
    wrapped = textwrap.wrap(str(row[-1]), last_width) or [""]
    indent = " " * (len(head) + 2) if fixed else ""
    return [f"{head}  {wrapped[0]}" if fixed else wrapped[0]] + [indent + more for more in wrapped[1:]]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    return " ".join(str(value).split())
