"""The bare baseline of the HTTP benchmark: a minimal Flask app with one route and none of chronicle's hooks.

    python -m bench.server --port 8765 --app hello

Its one route answers a small fixed JSON body (about the size of a 304), so what bench/scale.py measures
against it is the cost of the client, loopback, waitress and Flask's own dispatch: the bound of any answer
the real app can give on the same server stack.
"""

from __future__ import annotations

from flask import Flask

PATH = "/hello"
BODY = b'{"ok":true}'


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get(PATH)
    def hello():
        return BODY, 200, {"Content-Type": "application/json"}

    return app
