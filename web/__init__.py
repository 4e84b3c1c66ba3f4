"""The Flask front end of chronicle (installed as ``chronicle_web``): one factory wires it all."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, g, request

from chronicle.bootstrap import open_chronicle, open_tokens
from chronicle.config import from_environment

MAX_BODY_BYTES = 1024 * 1024


def create_app(test_config: dict | None = None) -> Flask:
    """Build the web application; each server worker calls this once, after it starts."""
    app = Flask(__name__)
    from chronicle_web.json_provider import OrjsonProvider
    from chronicle_web.templating import PlainDataEnvironment

    app.jinja_environment = PlainDataEnvironment  # before the environment is first made
    app.json = OrjsonProvider(app)
    app.json.sort_keys = False
    app.config.from_mapping(MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
                            SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    if test_config:
        app.config.update(test_config)
    data = app.config.get("CHRONICLE_DATA")
    settings = from_environment(data_dir=Path(data) if data else None)
    if not app.config.get("SECRET_KEY"):  # Flask's defaults hold SECRET_KEY = None, so setdefault would keep it
        app.config["SECRET_KEY"] = os.environ.get("CHRONICLE_SECRET_KEY") or _secret_key(settings.data_dir)
    app.extensions["chronicle"] = open_chronicle(settings)
    app.extensions["chronicle_tokens"] = open_tokens(settings)
    app.extensions["chronicle_settings"] = settings
    app.config.setdefault("CHRONICLE_QUERY_TIMEOUT", settings.query_timeout)
    _bound_reads(app)
    _bound_expensive(app)

    from chronicle_web import api, caching, cards, errors, links, pages, security, stories

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    caching.register(app)  # before the story is resolved: a request reads at one position throughout
    stories.register(app)  # after the blueprints: it keeps the old URLs of their story routes
    errors.register(app)
    security.register(app)
    links.register(app)
    cards.register(app)
    return app


def _bound_reads(app: Flask) -> None:
    """Cut off a request's reads past the query timeout (503), so that one slow question cannot hold a worker."""

    @app.before_request
    def bound() -> None:
        g.bounded = app.extensions["chronicle"].view.bounded(app.config["CHRONICLE_QUERY_TIMEOUT"])
        g.bounded.__enter__()

    @app.after_request
    def say_if_behind(response):
        """Every answer says when the read models serve the chronicle as it stood at an earlier event."""
        app_ = app.extensions["chronicle"]
        stopped, behind = app_.projection.stopped, app_.behind
        if stopped or behind:
            reason = f"event {stopped['position']} cannot be indexed" if stopped else behind
            response.headers["Chronicle-View"] = f'behind; reason="{reason[:200]}"'.replace("\n", " ")
        return response

    @app.teardown_request
    def unbound(_error: BaseException | None) -> None:
        bounded = g.pop("bounded", None)
        if bounded is not None:
            bounded.__exit__(None, None, None)


# Requests whose cost grows with the chronicle (exports, feeds, search), or with a story when they read the
# everyone lens. At most CHRONICLE_EXPENSIVE_REQUESTS of them run at once in a process; past that they are
# answered 503 at once, so the server's other threads stay free for cheap requests (docs/api.md).
ALWAYS_EXPENSIVE = {"api.narrative_csv", "api.topic_history_csv", "api.events_jsonl", "api.timeline", "api.export",
                    "api.topic_feed", "api.lens_feed", "api.search", "pages.search",
                    "api.recorded_memento"}  # a recorded-axis memento lists every second of the log
EXPENSIVE_WITH_EVERYONE = {"api.narrative", "api.diff", "api.lens_history", "api.original", "api.stated_memento",
                           "api.timemap", "api.timegate", "pages.narrative", "pages.compare", "pages.timeline"}
EXPENSIVE_AT_ONCE = 4


def _bound_expensive(app: Flask) -> None:
    """A non-blocking semaphore over the expensive requests: one that finds no slot is refused (503,
    Retry-After) rather than queued."""
    from threading import BoundedSemaphore

    from chronicle.application import EVERYONE

    slots = int(app.config.get("CHRONICLE_EXPENSIVE_REQUESTS")
                or os.environ.get("CHRONICLE_EXPENSIVE_REQUESTS") or EXPENSIVE_AT_ONCE)
    app.extensions["chronicle_expensive"] = semaphore = BoundedSemaphore(slots)

    def expensive() -> bool:
        if request.endpoint in ALWAYS_EXPENSIVE or request.args.get("axis") == "recorded":
            return True
        lens = (request.view_args or {}).get("lens") or request.args.get("lens") or ""
        return request.endpoint in EXPENSIVE_WITH_EVERYONE and lens.strip().lower() in EVERYONE

    @app.before_request
    def take_a_slot():
        if not expensive():
            return None
        if not semaphore.acquire(blocking=False):
            from chronicle_web.errors import busy
            return busy(slots)
        g.expensive_slot = True
        return None

    @app.teardown_request
    def give_it_back(_error: BaseException | None) -> None:
        if g.pop("expensive_slot", False):
            semaphore.release()


def _secret_key(data_dir: Path) -> str:
    """A signing key kept beside the data (mode 0600), made on first start; never in the repository.

    Any number of processes may start at once: the key is written whole to a file of its own, then
    linked into place, so a reader never sees a partly written key and only the first link wins.
    """
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
