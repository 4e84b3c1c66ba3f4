"""What the ``chronicle`` commands share: their context, their options and how they print."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click
from marshmallow import Schema

from chronicle.bootstrap import open_chronicle
from chronicle.config import from_environment
from chronicle.domain import ChronicleError

# Every subcommand, in the order defined; chronicle.cli adds them to its group.
COMMANDS: list[click.Command] = []


class Context:
    """What every command needs: settings, and the chronicle opened on first use."""

    def __init__(self, data: str | None, editor: str | None):
        self.settings = from_environment(data_dir=Path(data) if data else None, editor=editor)
        self._chronicle = None

    @property
    def chronicle(self):
        if self._chronicle is None:
            self._chronicle = open_chronicle(self.settings)
        return self._chronicle


def command(*args: Any, **kwargs: Any) -> Callable:
    """A subcommand whose chronicle errors become one line on stderr and exit status 1."""
    def decorate(function: Callable) -> Callable:
        @wraps(function)
        def run(*a: Any, **kw: Any) -> Any:
            try:
                return function(*a, **kw)
            except (ChronicleError, ValueError) as error:
                click.echo(f"error: {error}", err=True)
                sys.exit(1)
        made = click.command(*args, **kwargs)(click.pass_obj(run))
        COMMANDS.append(made)
        return made
    return decorate


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON described by the chronicle's schemas.")
story_option = click.option("--story", help="The story asked about (may be left out when the chronicle holds one).")
known_at_option = click.option("--known-at", help="Answer as the chronicle stood at this time (ISO 8601).")
lens_option = click.option("--lens", default="official", show_default=True,
                           help="official, everyone, a camp, a source, or several joined by commas.")


def emit(schema: Schema, data: Any, many: bool = False) -> None:
    click.echo(json.dumps(schema.dump(data, many=many), ensure_ascii=False, indent=2, default=str))


def progress_bar(label: str) -> Callable[[int, int], None] | None:
    """A progress line on a terminal; nothing when stderr is piped."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        click.echo(f"\r{label}: {done}/{total} events", nl=done >= total, err=True)
    return show
