"""Answers cached by log position, over HTTP: ETag and Last-Modified, 304s, invalidation by a new event,
immutable answers pinned to the past, private pages for editors; and the cache behind them."""

from __future__ import annotations

import re
import time

import pytest

from chronicle.answers import Answers
from chronicle.bootstrap import open_chronicle

API = "/api/v1/stories/kazakhstan-2022"
PAGE = "/stories/kazakhstan-2022"
NARRATIVE = f"{API}/narrative?as_of=2022-01-10&lens=official"
NEW_CLAIM = {"slug": "cache-toll-claim", "source": "prosecutor-general", "topic": "death-toll",
             "stated": "2022-01-10", "text": "A figure recorded to move the log.", "figure": {"value": 300, "unit": "people"},
             "citations": [{"document": "a test"}]}


@pytest.fixture
def auth(app):
    return {"Authorization": "Bearer " + app.extensions["chronicle_tokens"].create("newsroom")}


def _etag(response) -> str:
    tag = response.headers["ETag"]
    assert re.fullmatch(r'"[0-9]+-[0-9a-f]+"', tag), tag
    return tag


@pytest.mark.parametrize("url", [NARRATIVE, f"{API}/diff?from=2022-01-05&to=2022-01-10", f"{API}/topics/death-toll/history",
                                 f"{API}/lenses/official/history", f"{API}/lenses/official/days", "/api/v1/search?q=toll",
                                 f"{PAGE}/narrative?as_of=2022-01-10&lens=official", f"{PAGE}/timeline"])
def test_an_answer_carries_validators_stable_at_one_position(client, url):
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert _etag(first) == _etag(second) and first.data == second.data
    assert first.headers["Last-Modified"].endswith(" GMT")
    assert "no-cache" in first.headers["Cache-Control"] and "public" not in first.headers["Cache-Control"]


def test_a_conditional_get_is_answered_304_without_a_body(client):
    first = client.get(NARRATIVE)
    again = client.get(NARRATIVE, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"] and again.headers["Cache-Control"] == "no-cache"
    weak = client.get(NARRATIVE, headers={"If-None-Match": f'"other", W/{first.headers["ETag"]}'})
    assert weak.status_code == 304
    assert client.get(NARRATIVE, headers={"If-None-Match": '"0-other"'}).status_code == 200
    time.sleep(1.1)  # a Last-Modified in the current second validates nothing
    since = client.get(NARRATIVE, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304 and since.data == b""
    assert client.get(NARRATIVE, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200


def test_a_new_event_changes_the_etag_and_the_answer(client, auth):
    before = client.get(NARRATIVE)
    assert client.post(f"{API}/claims", json=NEW_CLAIM, headers=auth).status_code == 201
    after = client.get(NARRATIVE, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and _etag(after) != _etag(before)
    slugs = {c["claim"] for g in after.get_json()["topics"] for c in g["claims"]}
    assert "cache-toll-claim" in slugs
    assert "cache-toll-claim" not in {c["claim"] for g in before.get_json()["topics"] for c in g["claims"]}


def test_an_event_recorded_by_another_process_is_seen_by_the_next_read(app, client, settings):
    before = client.get(NARRATIVE).get_json()
    other = open_chronicle(settings)  # another process on the same stores
    try:
        with other.editing_as("elsewhere"):
            other.state_claim(**{**NEW_CLAIM, "figure": {"value": 301, "unit": "people"}})
    finally:
        other.view.close()
        other.close()
    after = client.get(NARRATIVE).get_json()
    assert after != before and "cache-toll-claim" in {c["claim"] for g in after["topics"] for c in g["claims"]}


def test_a_question_pinned_to_the_past_is_immutable(client, auth):
    assert client.post(f"{API}/claims", json=NEW_CLAIM, headers=auth).status_code == 201
    past = client.get(f"{NARRATIVE}&known_at=2000-01-01T00:00:00Z")
    assert past.status_code == 200 and past.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    page = client.get(f"{PAGE}/narrative?as_of=2022-01-10&lens=official&known_at=2000-01-01")
    assert page.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert "Cookie" in page.headers["Vary"]
    future = client.get(f"{NARRATIVE}&known_at=2999-01-01T00:00:00Z")
    assert future.headers["Cache-Control"] == "no-cache"


def test_an_editors_pages_are_private_and_not_kept(app, client):
    from tests.integration.test_pages_editor import post

    secret = app.extensions["chronicle_tokens"].create("newsroom")
    assert post(client, "/sign-in", {"token": secret}).status_code == 302
    page = client.get(f"{PAGE}/narrative?as_of=2022-01-10&lens=official")
    assert page.status_code == 200 and "newsroom" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-cache" and "ETag" not in page.headers
    assert "Cookie" in page.headers["Vary"]


def test_the_claims_etag_stays_its_entry_version(client):
    response = client.get(f"{API}/claims/ministry-toll-164")
    assert response.headers["ETag"] == f'"{response.get_json()["entry_version"]}"'


def test_a_cached_answer_cannot_be_changed_by_its_caller(kazakhstan):
    first = kazakhstan.narrative("2022-01-10", "official")
    kept = kazakhstan.narrative("2022-01-10", "official")
    assert kept == first
    kept["topics"][:] = kept["topics"][:1]
    kept["topics"][0]["claims"][0]["text"] = "changed by a caller"
    first["story"] = "changed by the first caller"
    again = kazakhstan.narrative("2022-01-10", "official")
    assert again != kept and again["story"] == "kazakhstan-2022" and len(again["topics"]) > 1
    assert "changed by a caller" not in str(again)


def test_the_page_and_the_api_narrative_slice_copies(client):
    whole = client.get(f"{NARRATIVE}&limit=500").get_json()
    assert len(client.get(f"{NARRATIVE}&limit=1").get_json()["topics"]) == 1
    assert client.get(f"{NARRATIVE}&limit=499").get_json()["topics"] == whole["topics"]


def test_the_caches_are_bounded(kazakhstan):
    answers = Answers(size=5)
    for number in range(20):
        assert answers.get(("question", number), lambda n=number: {"n": n}) == {"n": number}
    assert len(answers) == 5
    assert answers.get(("question", 19), lambda: "recomputed") == {"n": 19}
    assert answers.get(("question", 0), lambda: "recomputed") == "recomputed"
    kazakhstan.answers = Answers(size=3)
    for day in range(1, 20):
        kazakhstan.narrative(f"2022-01-{day:02d}", "official")
    assert len(kazakhstan.answers) == 3


def test_one_read_of_the_log_head_per_answered_request(app, client, monkeypatch):
    chronicle = app.extensions["chronicle"]
    client.get(NARRATIVE)
    calls = []
    head = chronicle.recorder.max_notification_id
    monkeypatch.setattr(chronicle.recorder, "max_notification_id", lambda: calls.append(1) or head())
    monkeypatch.setattr(chronicle.view, "max_tracking_id", lambda name: pytest.fail("the view's position was read"))
    assert client.get(f"{PAGE}/narrative?as_of=2022-01-11&lens=official").status_code == 200
    assert len(calls) == 1


def _server_process(settings, **config):
    """Another server process on the same data, as a second waitress or gunicorn worker is."""
    from chronicle_web import create_app

    return create_app({"CHRONICLE_DATA": str(settings.data_dir), "TESTING": True, **config})


def _asked(web) -> set[str]:
    """The questions a server process's chronicle answered itself (its answer cache's keys)."""
    return {key[2] for key in web.extensions["chronicle"].answers.entries._entries}


def _closed(web) -> None:
    web.extensions["chronicle"].view.close()
    web.extensions["chronicle"].close()


def test_a_body_one_server_process_made_is_served_by_another_without_answering_again(client, settings):
    made = client.get(f"{PAGE}/narrative?as_of=2022-01-10&lens=official")
    other = _server_process(settings)
    try:
        served = other.test_client().get(f"{PAGE}/narrative?as_of=2022-01-10&lens=official")
        assert served.status_code == 200 and served.get_data() == made.get_data()
        assert served.headers["ETag"] == made.headers["ETag"] and served.mimetype == "text/html"
        assert _asked(other) <= {"resolve_story"}  # the story in the URL was resolved; no narrative was told
        # A new event moves the key: the other process answers afresh, and both agree again.
        client.post(f"{API}/claims", json=NEW_CLAIM,
                    headers={"Authorization": "Bearer " + other.extensions["chronicle_tokens"].create("newsroom")})
        fresh = other.test_client().get(NARRATIVE)
        assert "cache-toll-claim" in fresh.get_data(as_text=True) and "narrative" in _asked(other)
    finally:
        _closed(other)


@pytest.mark.parametrize("where", ["missing-folder/bodies.sqlite", "not-a-database.sqlite"])
def test_a_shared_cache_that_cannot_be_used_is_a_miss_not_an_error(kazakhstan, settings, tmp_path, where):
    path = tmp_path / where
    if where.startswith("not"):
        path.write_bytes(b"this is not a SQLite file " * 100)
    web = _server_process(settings, CHRONICLE_SHARED_BODIES=str(path))
    try:
        for _ in range(2):
            response = web.test_client().get(NARRATIVE)
            assert response.status_code == 200 and response.get_json()["topics"]
    finally:
        _closed(web)


def test_the_shared_cache_file_keeps_at_most_its_rows(tmp_path):
    from chronicle_web.shared_bodies import SharedBodies

    shared = SharedBodies(tmp_path / "bodies.sqlite", rows=3, prune_every=5)
    for number in range(20):
        shared.put(f"key-{number}", f"body {number}".encode(), [("Content-Type", "text/plain")])
    assert shared.get("key-19") == (b"body 19", [("Content-Type", "text/plain")])
    assert shared.get("key-0") is None
    assert shared._db().execute("SELECT count(*) FROM bodies").fetchone()[0] <= 3 + 5



def test_a_body_the_shared_file_is_locked_for_is_skipped_without_waiting(tmp_path, caplog):
    import sqlite3

    from chronicle_web.shared_bodies import SharedBodies

    shared = SharedBodies(tmp_path / "bodies.sqlite")
    shared.put("first", b"kept", [])
    writer = sqlite3.connect(tmp_path / "bodies.sqlite", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        shared.put("while-locked", b"skipped", [])  # no error, and no wait: it used to wait 50 ms for the lock
        assert shared._db().execute("PRAGMA busy_timeout").fetchone()[0] == 0
        assert shared.get("first") == (b"kept", [])  # readers are not blocked in WAL mode
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert shared.get("while-locked") is None
    shared.put("after", b"kept too", [])
    assert shared.get("after") == (b"kept too", []) and "not used now" not in caplog.text

# ----- the front (web/answer_front.py): what Flask sent, sent again without Flask while the position holds


@pytest.fixture
def dispatched(app):
    """The paths Flask itself dispatched (the front answers the others before Flask sees them)."""
    from flask import request_started

    paths: list[str] = []

    def started(sender, **_):
        from flask import request
        paths.append(request.full_path)

    request_started.connect(started, app)
    yield paths
    request_started.disconnect(started, app)


def _headers(response) -> dict:
    return {name: value for name, value in response.headers.items() if name != "Date"}


@pytest.mark.parametrize("url", [NARRATIVE, f"{PAGE}/narrative?as_of=2022-01-10&lens=official"])
def test_a_repeated_question_is_sent_again_by_the_front_exactly_as_flask_sent_it(client, dispatched, url):
    made, again = client.get(url), client.get(url)
    assert len(dispatched) == 1  # the second never reached Flask
    assert again.status_code == 200 and again.get_data() == made.get_data()
    assert _headers(again) == _headers(made)
    assert again.headers["Content-Security-Policy"] and again.headers["ETag"]


def test_the_fronts_304_carries_what_flasks_304_carries(client, settings, dispatched):
    made = client.get(NARRATIVE)
    from_front = client.get(NARRATIVE, headers={"If-None-Match": made.headers["ETag"]})
    other = _server_process(settings)  # a process that never answered it: Flask itself says 304
    try:
        from_flask = other.test_client().get(NARRATIVE, headers={"If-None-Match": made.headers["ETag"]})
    finally:
        _closed(other)
    assert from_front.status_code == from_flask.status_code == 304 and from_front.data == b""
    assert len(dispatched) == 1
    assert _headers(from_front).keys() - _headers(from_flask).keys() <= {"Vary"}  # RFC 9110: a 304 keeps the 200's Vary
    assert _headers(from_flask).keys() <= _headers(from_front).keys()
    for name in ("ETag", "Cache-Control", "Content-Security-Policy", "X-Frame-Options"):
        assert from_front.headers[name] == from_flask.headers[name]


def test_a_new_event_sends_the_next_question_to_flask_again(client, auth, dispatched):
    before = client.get(NARRATIVE)
    assert client.post(f"{API}/claims", json=NEW_CLAIM, headers=auth).status_code == 201
    after = client.get(NARRATIVE, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "cache-toll-claim" in after.get_data(as_text=True)
    assert dispatched.count(NARRATIVE) == 2


@pytest.mark.parametrize("headers", [{"Accept-Datetime": "Fri, 07 Jan 2022 12:00:00 GMT"},
                                     {"Authorization": "Bearer not-a-token"},
                                     {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"},
                                     {"Range": "bytes=0-10"}])
def test_a_request_whose_answer_may_depend_on_its_headers_is_left_to_flask(client, dispatched, headers):
    client.get(NARRATIVE)
    client.get(NARRATIVE, headers=headers)
    assert dispatched.count(NARRATIVE) == 2


def test_a_nul_in_a_header_is_refused_even_for_a_question_already_sent(client):
    assert client.get(NARRATIVE).status_code == 200
    refused = client.get(NARRATIVE, headers={"X-Note": "a\x00b"})
    assert refused.status_code == 400 and "X-Note" in refused.get_data(as_text=True)


def test_a_signed_in_editor_is_not_sent_the_readers_page(app, client):
    from tests.integration.test_pages_editor import post

    url = f"{PAGE}/narrative?as_of=2022-01-10&lens=official"
    reader = app.test_client().get(url)
    assert reader.status_code == 200 and "ETag" in reader.headers
    secret = app.extensions["chronicle_tokens"].create("newsroom")
    assert post(client, "/sign-in", {"token": secret}).status_code == 302
    page = client.get(url)
    assert "newsroom" in page.get_data(as_text=True) and "ETag" not in page.headers
