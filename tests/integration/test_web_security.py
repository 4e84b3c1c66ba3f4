"""The web front end's defences (docs/security.md), each against the attack it stops: a client's Host header
in absolute URLs, an open redirect after sign-in, a session cookie that outlives its sign-out or its
token, brute-forced sign-ins and write floods, and markup or formulas smuggled into exports."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import time
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from chronicle.tokens import digest
from tests.live import request as live_request, start_server

STORY = "/stories/kazakhstan-2022"
API = f"/api/v1{STORY}"
ATOM = "{http://www.w3.org/2005/Atom}"
EVIL = "evil.example"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil")'


@pytest.fixture
def make_app(kazakhstan, settings):
    """Another web application over the loaded chronicle, with settings of its own."""
    from chronicle_web import create_app

    made = []

    def make(**config):
        made.append(create_app({"CHRONICLE_DATA": str(settings.data_dir), "TESTING": True, **config}))
        return made[-1]

    yield make
    for app in made:
        app.extensions["chronicle"].view.close()
        app.extensions["chronicle"].close()


@pytest.fixture
def default_limits(monkeypatch):
    """The production rate limits, not the raised ones the other tests run with (tests/conftest.py)."""
    monkeypatch.delenv("CHRONICLE_RATE_LIMIT_SIGN_IN", raising=False)
    monkeypatch.delenv("CHRONICLE_RATE_LIMIT_WRITES", raising=False)


def bearer(app, name: str = "newsroom") -> dict:
    return {"Authorization": "Bearer " + app.extensions["chronicle_tokens"].create(name)}


def csrf(client, url: str = "/sign-in") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))[1]


def sign_in(client, secret: str, **extra):
    return client.post("/sign-in", data={"token": secret, "csrf_token": csrf(client), **extra})


def event_count(app) -> int:
    return len(list(app.extensions["chronicle"].event_log()))


# ----- 1. absolute URLs never come from the client's Host header


def absolute_urls_answers(client, **headers) -> list:
    """Every answer that carries absolute URLs: TimeGate, TimeMap, a memento, the original, both feeds,
    the API's next links (offset and cursor pages), the OpenAPI servers and a printed page."""
    timegate = client.get(f"{API}/lenses/official/timegate", headers={
        **headers, "Accept-Datetime": "Fri, 07 Jan 2022 18:00:00 GMT"})
    assert timegate.status_code == 302, timegate.get_data(as_text=True)
    location = urlsplit(timegate.headers["Location"])
    memento = client.get(location.path, headers=headers)  # with a base URL's prefix, or without
    assert memento.status_code == 200 and "Memento-Datetime" in memento.headers
    answers = [timegate, memento]
    for path in (f"{API}/lenses/official/timemap", f"{API}/lenses/official/timemap?axis=recorded",
                 f"{API}/lenses/official/narrative", f"{API}/topics/death-toll/feed.atom",
                 f"{API}/lenses/everyone/feed.atom", f"{API}/claims?limit=1", f"{API}/topics?limit=1",
                 "/api/v1/events?limit=1", "/api/v1/stories?limit=1&offset=0", "/api/v1/openapi.json",
                 f"{STORY}/timeline"):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, (path, answer.status_code)
        answers.append(answer)
    assert client.get(f"{API}/claims?limit=1").get_json()["page"]["next"]
    return answers


def carried(answers) -> str:
    return "\n".join(f"{a.headers}\n{a.get_data(as_text=True)}" for a in answers)


def test_a_client_host_header_reaches_no_absolute_url(client):
    answers = absolute_urls_answers(client, Host=EVIL, X_Forwarded_Host=EVIL, X_Forwarded_Proto="gopher")
    text = carried(answers)
    assert EVIL not in text and "gopher" not in text
    assert answers[0].headers["Location"].startswith(f"http://localhost{API}/lenses/official/stated/2022-01-07/")
    assert f"<http://localhost{API}/lenses/official/timemap" in answers[1].headers["Link"]


def test_an_old_url_lists_each_storys_url_on_the_server_not_the_clients_host(two_stories, make_app):
    answer = make_app().test_client().get("/api/v1/claims/ministry-toll-164", headers={"Host": EVIL})
    assert answer.status_code == 404 and EVIL not in answer.get_data(as_text=True)
    assert {s["url"] for s in answer.get_json()["stories"]} == {
        f"http://localhost/api/v1/stories/{slug}/claims/ministry-toll-164" for slug in ("kazakhstan-2022", "tower-fire-2017")}


def test_absolute_urls_come_from_the_configured_base_url(make_app):
    client = make_app(CHRONICLE_BASE_URL="https://chronicle.example.org/news").test_client()
    answers = absolute_urls_answers(client, Host=EVIL, X_Forwarded_Host=EVIL)
    text = carried(answers)
    assert EVIL not in text and "localhost" not in text
    assert answers[0].headers["Location"].startswith(f"https://chronicle.example.org/news{API}/lenses/official/")
    feed = ElementTree.fromstring(client.get(f"{API}/topics/death-toll/feed.atom").data)
    assert feed.find(f"{ATOM}link").get("href") == f"https://chronicle.example.org/news{API}/topics/death-toll/feed.atom"
    # A proxy that keeps the prefix in the path reaches the same resource; so does one that strips it.
    assert client.get(f"/news{API}/claims?limit=1").get_json() == client.get(f"{API}/claims?limit=1").get_json()
    # An https base URL is the site's: session cookies are Secure and browsers are told to stay on HTTPS.
    response = client.get("/sign-in")
    assert "Secure" in response.headers["Set-Cookie"] and response.headers["Strict-Transport-Security"]


def test_trusted_proxies_forwarded_headers_are_used_and_only_then(make_app):
    proxied = make_app(CHRONICLE_TRUSTED_PROXIES="1").test_client()
    forwarded = {"X_Forwarded_Host": "news.example", "X_Forwarded_Proto": "https", "Host": EVIL}
    timegate = proxied.get(f"{API}/lenses/official/timegate", headers=forwarded)
    assert timegate.headers["Location"].startswith(f"https://news.example{API}/lenses/official/stated/")
    assert EVIL not in str(timegate.headers)
    # The proxy sent no X-Forwarded-Host: the server's own name, never the Host header it passed on.
    bare = proxied.get(f"{API}/lenses/official/timegate", headers={"Host": EVIL})
    assert bare.headers["Location"].startswith("http://localhost/") and EVIL not in str(bare.headers)
    # Without CHRONICLE_TRUSTED_PROXIES the same headers change nothing.
    direct = make_app().test_client().get(f"{API}/lenses/official/timegate", headers=forwarded)
    assert direct.headers["Location"].startswith("http://localhost/")


@pytest.mark.parametrize("config, names", [
    ({"CHRONICLE_BASE_URL": "ftp://chronicle.example.org"}, "CHRONICLE_BASE_URL"),
    ({"CHRONICLE_BASE_URL": "https://chronicle.example.org/?q=1"}, "CHRONICLE_BASE_URL"),
    ({"CHRONICLE_BASE_URL": "chronicle.example.org"}, "CHRONICLE_BASE_URL"),
    ({"CHRONICLE_TRUSTED_PROXIES": "yes"}, "CHRONICLE_TRUSTED_PROXIES"),
    ({"CHRONICLE_RATE_LIMIT_WRITES": "lots"}, "CHRONICLE_RATE_LIMIT_WRITES"),
])
def test_a_wrong_setting_stops_the_start_naming_it(make_app, config, names):
    with pytest.raises(ValueError, match=names):
        make_app(**config)


def test_chronicle_serve_builds_urls_from_the_address_it_binds_or_the_base_url(kazakhstan, settings):
    env = {**os.environ, "CHRONICLE_DATA": str(settings.data_dir)}
    env.pop("CHRONICLE_BASE_URL", None)
    for base in (None, "https://chronicle.example.org"):
        process, port = start_server({**env, "CHRONICLE_BASE_URL": base} if base else env)
        try:
            response, body = live_request(port, "GET", f"{API}/lenses/official/timegate", Host=EVIL)
            expected = base or f"http://127.0.0.1:{port}"
            assert response.status == 302 and response.getheader("Location").startswith(f"{expected}{API}/")
            assert EVIL not in str(response.getheaders())
            feed, body = live_request(port, "GET", f"{API}/lenses/everyone/feed.atom", Host=EVIL)
            assert feed.status == 200 and EVIL not in body.decode() and expected in body.decode()
        finally:
            process.terminate()
            process.wait(timeout=30)


# ----- 2. after sign-in, only a local path


@pytest.mark.parametrize("target", ["/\t/evil.example", "//evil", "/\\evil", "https://evil", "http:/evil",
                                    "javascript:alert(1)", "/\r\nSet-Cookie: x=1", "/\nx", "/\x00evil",
                                    "/\u2028evil", "/\u200b/evil.example", " /evil", "evil"])
def test_sign_in_returns_only_to_a_local_path(app, client, target):
    secret = app.extensions["chronicle_tokens"].create("newsroom")
    form = client.get("/sign-in", query_string={"next": target}).get_data(as_text=True)
    assert 'name="next"' not in form  # the form does not carry it on either
    response = sign_in(client, secret, next=target)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert all("x=1" not in value for value in response.headers.getlist("Set-Cookie"))


def test_sign_in_returns_to_the_page_that_asked(app, client):
    secret = app.extensions["chronicle_tokens"].create("newsroom")
    asked = client.get(f"{STORY}/claims/new")
    assert asked.headers["Location"] == f"/sign-in?next={STORY}/claims/new"
    assert sign_in(client, secret, next=f"{STORY}/claims/new").headers["Location"] == f"{STORY}/claims/new"
    # A non-ASCII path is percent-encoded for the Location header, not refused and not a 500.
    assert sign_in(client, secret, next="/sources/Қазақ?x=ё").headers["Location"] == \
        "/sources/%D2%9A%D0%B0%D0%B7%D0%B0%D2%9B?x=%D1%91"


# ----- 3. sessions live on the server


CLAIM_FORM = {"source": "opendemocracy-reporters", "topic": "death-toll", "stated": "2022-01-12",
              "text": "Reporters counted at least 30 bodies at one morgue.", "figure_value": "30",
              "figure_qualifier": "at least", "citation_document": "field notes"}


def add_claim(client, text: str):
    return client.post(f"{STORY}/claims/new", data={**CLAIM_FORM, "text": text, "csrf_token": csrf(client)})


def test_a_session_cookie_captured_before_sign_out_cannot_write_after_it(app, client):
    secret = app.extensions["chronicle_tokens"].create("newsroom")
    sign_in(client, secret)
    captured = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", captured)
    assert add_claim(thief, "Written with the copied cookie while the editor is signed in.").status_code == 302

    assert client.post("/sign-out", data={"csrf_token": csrf(client)}).status_code == 302
    before = event_count(app)
    # The copy still carries a valid signature and CSRF nonce, but its session has ended on the server.
    page = thief.post(f"{STORY}/claims/new", data={**CLAIM_FORM, "text": "Written after sign-out.",
                                                   "csrf_token": csrf(thief, "/sign-in")})
    assert page.status_code == 302 and page.headers["Location"].startswith("/sign-in")
    assert event_count(app) == before
    assert "Sign out" not in thief.get("/").get_data(as_text=True)


def test_revoking_a_token_ends_its_sessions_and_its_api_writes_at_once(app, client, settings):
    tokens = app.extensions["chronicle_tokens"]
    secret = tokens.create("newsroom")
    sign_in(client, secret)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.post(f"{API}/topics", json={"slug": "before-revoke", "title": "T"}, headers=headers).status_code == 201
    assert add_claim(client, "Written before the token was revoked.").status_code == 302

    revoked = subprocess.run([sys.executable, "-m", "chronicle.cli", "token", "revoke", "--name", "newsroom"],
                             env={**os.environ, "CHRONICLE_DATA": str(settings.data_dir)},
                             capture_output=True, text=True, check=True)
    assert "revoked newsroom" in revoked.stdout
    before = event_count(app)
    # The same running application: no restart, no cache to expire.
    refused = client.post(f"{API}/topics", json={"slug": "after-revoke", "title": "T"}, headers=headers)
    assert refused.status_code == 401 and refused.mimetype == "application/problem+json"
    page = add_claim(client, "Written after the token was revoked.")
    assert page.status_code == 302 and page.headers["Location"].startswith("/sign-in")
    assert event_count(app) == before
    # A new token of the same name does not bring the old sessions back.
    tokens.create("newsroom")
    assert add_claim(client, "Still not.").headers["Location"].startswith("/sign-in")


@pytest.mark.sqlite_only("reads the token store's SQLite file")
def test_the_store_keeps_only_hashes_of_session_ids(app, client, settings):
    sign_in(client, app.extensions["chronicle_tokens"].create("newsroom"))
    with client.session_transaction() as session:
        session_id = session["sid"]
    stored = b"".join(path.read_bytes() for path in settings.data_dir.glob("auth.sqlite*"))
    assert session_id.encode() not in stored and digest(session_id).encode() in stored


# ----- 4. rate limits


def test_sign_in_is_limited_to_ten_tries_a_minute_per_address(default_limits, make_app):
    app = make_app()
    good = app.extensions["chronicle_tokens"].create("newsroom")
    client = app.test_client()
    token = csrf(client)
    started = time.monotonic()
    statuses = [client.post("/sign-in", data={"token": f"chr_guess-{n}", "csrf_token": token}).status_code
                for n in range(60)]
    elapsed = time.monotonic() - started
    assert statuses == [400] * 10 + [429] * 50, statuses
    refused = client.post("/sign-in", data={"token": good, "csrf_token": token})
    assert refused.status_code == 429 and refused.mimetype == "text/html"  # even the right token, for now
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Too many tries" in refused.get_data(as_text=True)
    assert "Content-Security-Policy" in refused.headers
    # Another address is not held back by this one's guesses.
    other = app.test_client()
    response = other.post("/sign-in", data={"token": good, "csrf_token": csrf(other)},
                          environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 302
    print(f"60 bad sign-ins: 10 tried, 50 refused with 429 in {elapsed:.2f} s")


def test_the_client_address_comes_from_a_proxy_only_when_trusted(default_limits, make_app):
    for proxies, separate in (("1", True), ("0", False)):
        client = make_app(CHRONICLE_TRUSTED_PROXIES=proxies).test_client()
        token = csrf(client)
        for _ in range(10):
            client.post("/sign-in", data={"token": "chr_guess", "csrf_token": token},
                        headers={"X-Forwarded-For": "198.51.100.1"})
        other = client.post("/sign-in", data={"token": "chr_guess", "csrf_token": token},
                            headers={"X-Forwarded-For": "198.51.100.2"})
        assert other.status_code == (400 if separate else 429)


def test_writes_are_limited_to_120_a_minute_per_token(default_limits, make_app):
    app = make_app()
    first, second = bearer(app, "first"), bearer(app, "second")
    client = app.test_client()
    before = event_count(app)
    statuses = [client.post(f"{API}/topics", json={"title": "no slug"}, headers=first).status_code
                for _ in range(120)]
    assert statuses == [422] * 120
    refused = client.post(f"{API}/topics", json={"slug": "one-too-many", "title": "T"}, headers=first)
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert refused.get_json()["status"] == 429 and "120 per 1 minute" in refused.get_json()["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert event_count(app) == before
    # Another token writes; reads are not limited.
    assert client.post(f"{API}/topics", json={"slug": "second", "title": "T"}, headers=second).status_code == 201
    assert client.get(f"{API}/topics").status_code == 200
    # The token's editor forms count with its API writes: the same token, the same budget.
    tokens = app.extensions["chronicle_tokens"]
    tokens.revoke("first")
    secret = tokens.create("first")
    for _ in range(120):
        client.post(f"{API}/topics", json={"title": "no slug"}, headers={"Authorization": f"Bearer {secret}"})
    editor = app.test_client()
    sign_in(editor, secret)
    page = add_claim(editor, "One write too many.")
    assert page.status_code == 429 and "Too many tries" in page.get_data(as_text=True)
    assert page.headers["Retry-After"]


def test_limits_are_raised_through_configuration(default_limits, make_app):
    client = make_app(CHRONICLE_RATE_LIMIT_SIGN_IN="2 per minute").test_client()
    token = csrf(client)
    assert [client.post("/sign-in", data={"token": "chr_x", "csrf_token": token}).status_code
            for _ in range(3)] == [400, 400, 429]
    raised = make_app(CHRONICLE_RATE_LIMIT_SIGN_IN="100 per minute").test_client()
    token = csrf(raised)
    assert {raised.post("/sign-in", data={"token": "chr_x", "csrf_token": token}).status_code
            for _ in range(30)} == {400}


def test_a_shared_limit_store_that_cannot_answer_is_a_503_not_unlimited(make_app):
    unreachable = make_app(CHRONICLE_RATE_LIMIT_STORAGE="redis://127.0.0.1:9/0")  # nothing listens on port 9
    client = unreachable.test_client()
    before = event_count(unreachable)
    response = client.post(f"{API}/topics", json={"slug": "unlimited", "title": "T"},
                           headers=bearer(unreachable, "writer"))
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] and "rate limits" in response.get_json()["detail"]
    assert event_count(unreachable) == before
    page = client.post("/sign-in", data={"token": "chr_x", "csrf_token": csrf(client)})
    assert page.status_code == 503 and "rate limits" in page.get_data(as_text=True)
    assert client.get(f"{API}/topics").status_code == 200  # reads are not counted, so they still answer


# ----- 5. exports escape what their format would run


@pytest.fixture
def hostile(app, client):
    """Two claims whose texts are a script and a spreadsheet formula, the script one revised with another script."""
    headers = bearer(app)
    for slug, text in (("script-claim", SCRIPT), ("formula-claim", FORMULA)):
        body = {"slug": slug, "source": "prosecutor-general", "topic": "foreign-involvement", "stated": "2022-01-20",
                "text": text, "citations": [{"document": "a test"}]}
        assert client.post(f"{API}/claims", json=body, headers=headers).status_code == 201
    etag = client.get(f"{API}/claims/script-claim").headers["ETag"]
    revised = client.post(f"{API}/claims/script-claim/events", headers={**headers, "If-Match": etag}, json={
        "type": "revised", "stated": "2022-01-21", "text": f"</title><x/>{SCRIPT}", "citations": [{"document": "b"}]})
    assert revised.status_code == 200
    return client


def strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return [value] if isinstance(value, str) else []


def test_the_timelinejs_export_html_escapes_every_text_it_renders(hostile):
    timeline = hostile.get(f"{API}/lenses/everyone/timeline.json").get_json()
    texts = strings(timeline)
    assert not [text for text in texts if "<" in text or ">" in text]
    headlines = [slide["text"]["headline"] for slide in timeline["events"]]
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in headline for headline in headlines)
    assert any("=HYPERLINK(&quot;http://evil&quot;)" in slide["text"]["text"] for slide in timeline["events"])


def test_the_atom_feeds_escape_text_and_titles(hostile):
    for path in (f"{API}/topics/foreign-involvement/feed.atom", f"{API}/lenses/everyone/feed.atom"):
        raw = hostile.get(path).get_data(as_text=True)
        assert SCRIPT not in raw and "<x/>" not in raw
        feed = ElementTree.fromstring(raw)
        assert not [e for e in feed.iter() if not e.tag.startswith(ATOM)], "an element came from a claim's text"
        entry = next(e for e in feed.findall(f"{ATOM}entry") if SCRIPT in e.find(f"{ATOM}summary").text)
        assert f"revised: {SCRIPT} → </title><x/>{SCRIPT}" in entry.find(f"{ATOM}title").text
        assert entry.find(f"{ATOM}summary").text.startswith(f"</title><x/>{SCRIPT}")


def test_a_control_character_in_a_text_cannot_make_a_feed_malformed(app, client):
    """XML 1.0 cannot carry most C0 controls even escaped: the feed shows U+FFFD, the claim keeps its text."""
    headers = bearer(app)
    body = {"slug": "control-claim", "source": "prosecutor-general", "topic": "foreign-involvement",
            "stated": "2022-01-20", "text": "bell\x07 escape\x1b", "citations": [{"document": "a test"}]}
    assert client.post(f"{API}/claims", json=body, headers=headers).status_code == 201
    etag = client.get(f"{API}/claims/control-claim").headers["ETag"]
    assert client.post(f"{API}/claims/control-claim/events", headers={**headers, "If-Match": etag}, json={
        "type": "revised", "stated": "2022-01-21", "text": "vertical\x0btab", "citations": [{"document": "b"}]}
    ).status_code == 200
    for path in (f"{API}/topics/foreign-involvement/feed.atom", f"{API}/lenses/everyone/feed.atom"):
        feed = ElementTree.fromstring(client.get(path).data)  # well-formed
        titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
        assert any("bell\ufffd escape\ufffd → vertical\ufffdtab" in title for title in titles)
    assert client.get(f"{API}/claims/control-claim").get_json()["versions"][-1]["text"] == "vertical\x0btab"


def test_csv_cells_that_a_spreadsheet_would_run_are_prefixed(hostile):
    narrative = list(csv.DictReader(io.StringIO(
        hostile.get(f"{API}/narrative.csv?as_of=2022-01-25&lens=everyone").get_data(as_text=True))))
    history = list(csv.DictReader(io.StringIO(hostile.get(f"{API}/topics/foreign-involvement/history.csv").get_data(as_text=True))))
    for rows in (narrative, history):
        cells = [row["text"] for row in rows if row["claim"] == "formula-claim"]
        assert cells and all(cell == "'" + FORMULA for cell in cells)
        assert not [value for row in rows for value in row.values() if value and value[0] in "=+-@\t\r"]
    assert json.dumps(narrative)  # the script text is plain text in CSV, kept as it was
    assert any(row["text"] == SCRIPT for row in history)
