"""The ``chronicle`` command: load chronicles, ask them questions, record what sources said."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from chronicle import schemas
from chronicle.bootstrap import open_chronicle
from chronicle.cli_support import (
    COMMANDS, Context, command, emit, json_option, known_at_option, lens_option, progress_bar, story_option,
)
from chronicle.config import from_environment
from chronicle.domain import ChronicleError
from chronicle.loader import load_chronicle
from chronicle.tables import table


@click.group()
@click.option("--data", envvar="CHRONICLE_DATA", help="Data folder (default: CHRONICLE_DATA or ~/.local/share/chronicle).")
@click.option("--editor", envvar="CHRONICLE_EDITOR", help="Who is recording (stamped on every event).")
@click.version_option(package_name="chronicle")
@click.pass_context
def main(ctx: click.Context, data: str | None, editor: str | None) -> None:
    """An event-sourced chronicle of who said what, when, and what became of it."""
    ctx.obj = Context(data, editor)


@command("load")
@click.argument("path", type=click.Path(exists=False, path_type=Path))
@click.option("--story", help="The story for files that name none (default: the folder's name).")
@json_option
def load(ctx: Context, path: Path, story: str | None, as_json: bool) -> None:
    """Load a story's file or folder. Loading the same files twice records nothing."""
    with ctx.chronicle.editing_as(ctx.settings.editor):
        report = load_chronicle(ctx.chronicle, path, progress_bar("indexing"), story)
    if as_json:
        return emit(schemas.LoadReportOut(), report)
    plural = {"story": "stories"}
    made = ", ".join(f"{n} {plural.get(kind, kind + 's')}" for kind, n in report.created.items() if n) or "nothing new"
    click.echo(f"loaded {len(report.files)} file(s): {made}; {report.events} events recorded, "
               f"{report.unchanged} entries already present")


@command("narrative")
@click.option("--as-of", required=True, help="The day (YYYY-MM-DD) the story is told as of.")
@lens_option
@known_at_option
@story_option
@json_option
def narrative(ctx: Context, as_of: str, lens: str, known_at: str | None, story: str | None, as_json: bool) -> None:
    """The claims current on a day for a lens, by topic, with their status."""
    answer = ctx.chronicle.narrative(as_of, lens, known_at, story)
    if as_json:
        return emit(schemas.NarrativeOut(), answer)
    click.echo(f"Narrative of {answer['story']} as of {answer['as_of']}, lens {answer['lens']}"
               + (f", as known at {answer['known_at']}" if answer["known_at"] else ""))
    for group in answer["topics"]:
        topic = group["topic"]
        click.echo(f"\n## {topic['title']} ({topic['slug']})")
        rows = [(c["status"] + _flags(c), c["stated"]["label"], c["source"]["name"],
                 (c["figure"] or {}).get("label", ""), c["claim"], c["text"]) for c in group["claims"]]
        click.echo(table(["status", "stated", "source", "figure", "claim", "text"], rows))
    if not answer["topics"]:
        click.echo("(no claim of this lens stands by then)")


def _flags(claim: dict) -> str:
    flags = [name for name, on in (("disputed", claim["disputed"]), ("revised later", claim["revised_later"]),
                                   ("retracted later", claim["retracted_later"])) if on]
    return f" ({', '.join(flags)})" if flags else ""


@command("history")
@click.argument("topic")
@known_at_option
@story_option
@json_option
def history(ctx: Context, topic: str, known_at: str | None, story: str | None, as_json: bool) -> None:
    """Every version of every claim on a topic: who, when, what it replaced, why."""
    answer = ctx.chronicle.topic_history(topic, known_at, story)
    if as_json:
        return emit(schemas.TopicHistoryOut(), answer)
    click.echo(f"History of {answer['topic']['title']} ({answer['topic']['slug']})")
    rows = [(e["stated"]["label"], e["kind"], e["source"]["name"], (e["figure"] or {}).get("label", ""),
             (e["replaces"]["figure"] or {}).get("label", "") if e["replaces"] else "", e["claim"],
             e["reason"] or e["text"]) for e in answer["history"]]
    click.echo(table(["stated", "kind", "source", "figure", "replaces", "claim", "text or reason"], rows))


@command("claim")
@click.argument("claim")
@known_at_option
@story_option
@json_option
def claim(ctx: Context, claim: str, known_at: str | None, story: str | None, as_json: bool) -> None:
    """A claim's versions with what changed, its editorial corrections and its links."""
    answer = ctx.chronicle.claim_history(claim, known_at, story)
    if as_json:
        return emit(schemas.ClaimHistoryOut(), answer)
    click.echo(f"Claim {answer['claim']} (entry version {answer['entry_version']})")
    rows = [(v["version"], v["kind"], v["stated"]["label"], v["source"]["name"], v["recorded_by"],
             (v["figure"] or {}).get("label", ""), v["reason"] or v["text"]) for v in answer["versions"]]
    click.echo(table(["#", "kind", "stated", "source", "recorded by", "figure", "text or reason"], rows))
    for fix in answer["corrections"]:
        click.echo(f"editorial correction {fix['at']} by {fix['by']}: {', '.join(fix['fields'])}: {fix['reason']}")
    for link in answer["links"]:
        arrow = "->" if link["direction"] == "out" else "<-"
        click.echo(f"{link['relation']} {arrow} {link['claim']} ({link['on']})")


@command("diff")
@click.argument("start")
@click.argument("end")
@lens_option
@known_at_option
@story_option
@json_option
def diff(ctx: Context, start: str, end: str, lens: str, known_at: str | None, story: str | None,
         as_json: bool) -> None:
    """What changed in a lens's story between two days."""
    answer = ctx.chronicle.diff(start, end, lens, known_at, story)
    if as_json:
        return emit(schemas.DiffOut(), answer)
    click.echo(f"Changes from {answer['from']} to {answer['to']}, lens {answer['lens']}")
    rows = []
    for change in ("added", "revised", "retracted", "superseded", "disputed"):
        for item in answer[change]:
            c = item["claim"]
            detail = c["reason"] if change == "retracted" else c["text"]
            if change == "revised":
                detail = f"{_said(item['before'])} -> {_said(c)}"
            elif change in ("superseded", "disputed"):
                detail = f"by {item['by']}: {c['text']}"
            rows.append((change, c["stated"]["label"], c["source"]["name"], c["claim"], detail))
    click.echo(table(["change", "stated", "source", "claim", "detail"], rows) if rows else "(no change)")


def _said(claim: dict) -> str:
    return (claim["figure"] or {}).get("label") or claim["text"]


@command("source")
@click.argument("name")
@known_at_option
@json_option
def source(ctx: Context, name: str, known_at: str | None, as_json: bool) -> None:
    """A source (by slug, name or alias): its camp, aliases and every claim."""
    answer = ctx.chronicle.source_claims(name, known_at)
    if as_json:
        return emit(schemas.SourceClaimsOut(), answer)
    src = answer["source"]
    click.echo(f"{src['name']} ({src['slug']}), camp {src['camp']}; also {', '.join(src['aliases']) or '-'}")
    click.echo(", ".join(f"{n} {k}" for k, n in answer["counts"].items()))
    rows = [(v["story"], v["stated"]["label"], v["kind"], v["claim"], v["reason"] or v["text"])
            for v in answer["versions"]]
    click.echo(table(["story", "stated", "kind", "claim", "text or reason"], rows))


@command("list")
@click.argument("kind", type=click.Choice(["sources", "topics", "incidents"]))
@story_option
@json_option
def list_entries(ctx: Context, kind: str, story: str | None, as_json: bool) -> None:
    """List the sources (of every story), or a story's topics or incidents."""
    entries = ctx.chronicle.entries(kind[:-1], story)
    schema = {"sources": schemas.SourceOut, "topics": schemas.TopicOut, "incidents": schemas.IncidentOut}[kind]
    if as_json:
        return emit(schema(), entries, many=True)
    columns = {"sources": ("slug", "camp", "name"), "topics": ("slug", "kind", "title"),
               "incidents": ("slug", "place", "title")}[kind]
    click.echo(table(list(columns), [[e.get(c) for c in columns] for e in entries]))


@command("stories")
@json_option
def stories(ctx: Context, as_json: bool) -> None:
    """The stories the chronicle holds, each with its period, its counts and the day it last changed."""
    found = ctx.chronicle.stories()
    if as_json:
        return emit(schemas.StoryOut(), found, many=True)
    rows = [(s["slug"], (s["period"] or {}).get("label", ""), s["counts"]["claims"], s["last_day"] or "", s["title"])
            for s in found]
    click.echo(table(["story", "period", "claims", "last change", "title"], rows))


@command("events")
@click.option("--after", default=0, help="Start after this position.")
@click.option("--limit", type=int, help="At most this many events.")
@json_option
def events(ctx: Context, after: int, limit: int | None, as_json: bool) -> None:
    """The raw event log, in recorded order."""
    log = ctx.chronicle.event_log(after, limit)
    if as_json:
        return emit(schemas.EventOut(), list(log), many=True)
    rows = [(e["position"], e["recorded_at"], e["editor"], e["type"].split(":")[-1],
             e["data"].get("slug") or e["id"]) for e in log]
    click.echo(table(["#", "recorded at", "editor", "event", "entry"], rows))


@command("verify")
@json_option
def verify(ctx: Context, as_json: bool) -> None:
    """Recompute the hash chain over the event log and report the first broken link."""
    report = ctx.chronicle.verify_chain()
    fault = ctx.chronicle.view_fault()
    if as_json:
        click.echo(json.dumps({"ok": report.ok, "checked": report.checked, "head": report.head,
                               "broken_at": report.broken_at, "problem": report.problem, "entry": report.entry,
                               "view_stopped": fault}))
    elif report.ok:
        click.echo(f"verified {report.checked} events; head hash {report.head}")
    else:
        click.echo(f"BROKEN at position {report.broken_at} ({report.entry or 'no event'}): {report.problem}; "
                   f"{report.checked} events verified before it", err=True)
    if fault and not as_json:
        click.echo(f"the read models stopped before event {fault['position']} ({fault['event']}): {fault['reason']}",
                   err=True)
    if not report.ok:
        sys.exit(2)


@command("export")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-",
              help="Where to write the JSON Lines (default: standard output).")
def export(ctx: Context, output) -> None:
    """Export every event, with its chained hash, as JSON Lines; the last line holds the head hash."""
    from chronicle.transfer import export_lines

    for line in export_lines(ctx.chronicle):
        output.write(line + "\n")


@command("import")
@click.argument("source", type=click.File("r", encoding="utf-8"))
def import_(ctx: Context, source) -> None:
    """Import an export into an empty chronicle, checking every hash first; all or nothing."""
    from chronicle.transfer import import_events

    count = import_events(ctx.chronicle, source)
    click.echo(f"imported {count} events; head hash {ctx.chronicle.head()['hash']}")


@command("rebuild")
@click.option("--accept-broken-chain", is_flag=True, help="Rebuild even if the event log's hash chain does not verify.")
def rebuild(ctx: Context, accept_broken_chain: bool) -> None:
    """Rebuild every read model from the event log into a fresh view, then switch to it."""
    count = ctx.chronicle.rebuild(progress_bar("rebuilding"), accept_broken_chain)
    click.echo(f"rebuilt the view from {count} events")


@command("migrate")
@click.option("--to", "url", required=True, metavar="URL",
              help="The store to copy into: postgresql://user@host/db[?schema=name], or sqlite:///folder.")
@click.option("--batch", default=2000, show_default=True, help="Events per transaction.")
def migrate(ctx: Context, url: str, batch: int) -> None:
    """Copy every event, in order, to another store and build its read models; run again to copy what is new."""
    from chronicle.migrate import migrate as copy_chronicle

    target_settings = from_environment({"CHRONICLE_DATABASE_URL": url}, editor=ctx.settings.editor)
    if target_settings == ctx.settings:
        raise click.BadParameter("the target is the chronicle being copied", param_hint="--to")
    target = open_chronicle(target_settings)
    report = copy_chronicle(ctx.chronicle, target, batch, progress_bar("copying"))
    click.echo(f"copied {report.copied} events ({report.already} were already there); head hash {report.head} "
               f"matches; read models caught up ({report.indexed} events indexed)")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Request threads in the one server process.")
@click.pass_obj
def serve(ctx: Context, host: str, port: int, threads: int) -> None:
    """Serve the web front end and the API with waitress: one process, a pool of request threads.

    The application is built here, in the serving process, never at import; to use more cores, run
    several `chronicle serve` on other ports behind a proxy: each builds its own (docs/api.md).
    """
    import waitress

    from chronicle_web import create_app

    # Absolute URLs (Location, Link, feeds) come from the base URL, never from a client's Host header.
    base_url = os.environ.get("CHRONICLE_BASE_URL") or _bound_url(host, port)
    app = create_app({"CHRONICLE_DATA": str(ctx.settings.data_dir), "CHRONICLE_BASE_URL": base_url})
    click.echo(f"chronicle serving {ctx.settings.data_dir} on http://{host}:{port}/ as {base_url} "
               f"(1 process, {threads} threads)", err=True)
    # Flask answers bodies over MAX_CONTENT_LENGTH with a 413 problem; waitress cuts off far larger
    # ones before buffering them.
    waitress.serve(app, host=host, port=port, threads=threads, ident="chronicle",
                   max_request_body_size=2 * app.config["MAX_CONTENT_LENGTH"])


def _bound_url(host: str, port: int) -> str:
    """The address serve binds, as a base URL (a wildcard address names this machine instead)."""
    if host in ("", "0.0.0.0", "::"):
        import socket

        host = socket.getfqdn()
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@main.group("token")
def token() -> None:
    """Access tokens for programs and editors that write."""


@token.command("create")
@click.option("--name", required=True, help="Who or what the token is for (a slug).")
@click.option("--read-only", is_flag=True, help="The token may read but not write.")
@click.pass_obj
def token_create(ctx: Context, name: str, read_only: bool) -> None:
    """Create a token and print its secret once; only its hash is stored."""
    from chronicle.bootstrap import open_tokens

    try:
        secret = open_tokens(ctx.settings).create(name, read_only)
    except ChronicleError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    click.echo(secret)


@token.command("list")
@click.pass_obj
def token_list(ctx: Context) -> None:
    """List tokens (names and rights, never secrets)."""
    from chronicle.bootstrap import open_tokens

    rows = [(t.name, "read-only" if t.read_only else "write", t.created_at, t.revoked_at or "")
            for t in open_tokens(ctx.settings).all()]
    click.echo(table(["name", "rights", "created", "revoked"], rows))


@token.command("revoke")
@click.option("--name", required=True)
@click.pass_obj
def token_revoke(ctx: Context, name: str) -> None:
    """Revoke every token with this name."""
    from chronicle.bootstrap import open_tokens

    if not open_tokens(ctx.settings).revoke(name):
        click.echo(f"error: no live token is named {name!r}", err=True)
        sys.exit(1)
    click.echo(f"revoked {name}")


# The commands that record what sources said and what editors fixed.
from chronicle import cli_writes  # noqa: E402,F401

for _command in COMMANDS:
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover
    main()
