"""The ``chronicle`` commands that record: what sources said and did, and what editors fixed."""

from __future__ import annotations

import json
from typing import Any

import click

from chronicle.cli_support import Context, command, story_option


@command("revise")
@click.argument("claim")
@click.option("--stated", required=True, help="When the source revised it (EDTF date).")
@click.option("--text")
@click.option("--quote")
@click.option("--figure", help='JSON, e.g. {"value": 227, "unit": "people"}')
@click.option("--citation", "document", help="The document the revision was reported in.")
@click.option("--figures", help='JSON: figures on other topics, e.g. [{"topic": "injured", "value": 80, "unit": "people"}]')
@click.option("--if-version", type=int, help="Refuse unless the claim is still at this entry version.")
@story_option
def revise(ctx: Context, claim: str, stated: str, text: str | None, quote: str | None, figure: str | None,
           document: str | None, figures: str | None, if_version: int | None, story: str | None) -> None:
    """Record that a source revised its claim (placed in its history by the date it was stated)."""
    words = {"figures": _json_arg(figures, "--figures")} if figures else {}
    with ctx.chronicle.editing_as(ctx.settings.editor):
        version = ctx.chronicle.revise_claim(claim, stated, if_version, story, text=text, quote=quote,
                                             figure=_json_arg(figure, "--figure"), citations=_citations(document),
                                             **words)
    click.echo(f"revised {claim}: entry version {version}")


@command("retract")
@click.argument("claim")
@click.option("--stated", required=True, help="When the source withdrew it (EDTF date).")
@click.option("--reason", required=True)
@click.option("--citation", "document", help="The document the retraction was reported in.")
@click.option("--if-version", type=int, help="Refuse unless the claim is still at this entry version.")
@story_option
def retract(ctx: Context, claim: str, stated: str, reason: str, document: str | None, if_version: int | None,
            story: str | None) -> None:
    """Record that a source retracted its claim."""
    with ctx.chronicle.editing_as(ctx.settings.editor):
        version = ctx.chronicle.retract_claim(claim, stated, reason, _citations(document), if_version, story)
    click.echo(f"retracted {claim}: entry version {version}")


@command("reinstate")
@click.argument("claim")
@click.option("--stated", required=True, help="When the source stood by its words again (EDTF date).")
@click.option("--note", help="What the source said.")
@click.option("--citation", "document", help="The document the reinstatement was reported in.")
@click.option("--if-version", type=int, help="Refuse unless the claim is still at this entry version.")
@story_option
def reinstate(ctx: Context, claim: str, stated: str, note: str | None, document: str | None,
              if_version: int | None, story: str | None) -> None:
    """Record that a source stood by a claim it had retracted."""
    with ctx.chronicle.editing_as(ctx.settings.editor):
        version = ctx.chronicle.reinstate_claim(claim, stated, note, _citations(document), if_version, story)
    click.echo(f"reinstated {claim}: entry version {version}")


@command("move")
@click.argument("source")
@click.option("--camp", required=True, help="The camp the source is in from --since on.")
@click.option("--since", required=True, help="When it joined the camp (EDTF date).")
@click.option("--note")
@click.option("--citation", "document", help="The document that reports the change.")
def move(ctx: Context, source: str, camp: str, since: str, note: str | None, document: str | None) -> None:
    """Record that a source changed camp (an official dismissed, a party leaving government)."""
    with ctx.chronicle.editing_as(ctx.settings.editor):
        version = ctx.chronicle.move_source(source, camp, since, note, _citations(document))
    click.echo(f"moved {source} to {camp} from {since}: entry version {version}")


@command("correct")
@click.argument("claim")
@click.option("--reason", required=True, help="Why the chronicle's entry was wrong.")
@click.option("--version", "claim_version", type=int, help="Which version of the claim to fix (0 = the statement).")
@click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE",
              help="A field to fix: text, quote, note, stated, figure (JSON), source, topic, via.")
@click.option("--if-version", type=int, help="Refuse unless the claim is still at this entry version.")
@story_option
def correct(ctx: Context, claim: str, reason: str, claim_version: int | None, assignments: tuple[str, ...],
            if_version: int | None, story: str | None) -> None:
    """Fix the chronicle's own entry for a claim (an editorial correction, not a revision)."""
    renamed = {"source": "source_id", "via": "via_id", "topic": "topic_id"}
    changes = {}
    for assignment in assignments:
        name, sep, value = assignment.partition("=")
        if not sep:
            raise click.BadParameter(f"{assignment!r} is not FIELD=VALUE", param_hint="--set")
        json_fields = ("figure", "figures", "citations", "original")
        changes[renamed.get(name, name)] = _json_arg(value, f"--set {name}") if name in json_fields else value
    with ctx.chronicle.editing_as(ctx.settings.editor):
        version = ctx.chronicle.correct_claim(claim, changes, reason, claim_version, if_version, story)
    click.echo(f"corrected {claim}: entry version {version}")


def _json_arg(text: str | None, name: str) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"not JSON: {error}", param_hint=name) from None


def _citations(document: str | None) -> list:
    return [{"document": document}] if document else []
