"""Hostile and malformed requests get a clear 4xx naming what is wrong, never a 500, and store nothing.

Every test runs on both stores (the ``client`` fixture: the real Flask app over real SQLite files, or
over PostgreSQL, where a NUL in a query once made about twenty routes fail with a 500).
"""

from __future__ import annotations

import json

import pytest

API = "/api/v1/stories/kazakhstan-2022"
CLAIM = f"{API}/claims/prosecutor-death-toll"
REVISION = {"type": "revised", "stated": "2022-09-01", "text": "a later figure",
            "citations": [{"document": "a later statement"}]}


@pytest.fixture
def auth(app):
    return {"Authorization": "Bearer " + app.extensions["chronicle_tokens"].create("newsroom")}


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def named(body: dict) -> set[str]:
    """What the problem's errors name: pointers, parameters and headers."""
    return {e.get("pointer") or e.get("parameter") or e.get("header") for e in body.get("errors", [])}


def event_count(client) -> int:
    return len(client.get("/api/v1/events.jsonl").get_data(as_text=True).splitlines())


# ----- Accept-Datetime


@pytest.mark.parametrize("wanted", [
    "Fri, 99 Jan 2022 18:00:00 GMT", "Mon, 31 Feb 2022 18:00:00 GMT", "Fri, 07 Jan 2022 25:00:00 GMT",
    "Sat, 01 Jan 0000 00:00:00 GMT", "Fri, 07 Jan 2022 18:00:00 UTC", "yesterday",
], ids=["day-99", "31-february", "hour-25", "year-0", "not-gmt", "words"])
def test_an_accept_datetime_that_names_no_moment_is_a_400_naming_the_header(client, wanted):
    response = client.get(f"{API}/lenses/official/timegate", headers={"Accept-Datetime": wanted})
    body = problem(response, 400)
    assert named(body) == {"Accept-Datetime"} and "Accept-Datetime" in body["detail"]
    assert response.headers["Vary"] == "accept-datetime" and 'rel="original"' in response.headers["Link"]


def test_a_real_accept_datetime_still_negotiates(client):
    response = client.get(f"{API}/lenses/official/timegate",
                          headers={"Accept-Datetime": "Fri, 07 Jan 2022 18:00:00 GMT"})
    assert response.status_code == 302 and "/stated/2022-01-0" in response.headers["Location"]


# ----- If-Match


@pytest.mark.parametrize("header", ["4", "4, 5", '"4', 'W/4', "\"4\" junk", ",", "x" * 5000, '"4 "'],
                         ids=["bare-number", "bare-list", "unclosed", "weak-bare", "trailing-junk", "empty-list",
                              "long-bare", "space-inside"])
def test_an_if_match_that_is_no_entity_tag_is_a_400_and_never_matches(client, auth, header):
    """RFC 9110 entity-tags are quoted: a bare 4 once matched version 4; now it is refused, nothing written."""
    current = client.get(CLAIM).headers["ETag"].strip('"')
    before = event_count(client)
    body = problem(client.post(f"{CLAIM}/events", headers={**auth, "If-Match": header.replace("4", current)},
                               json=REVISION), 400)
    assert named(body) == {"If-Match"} and "If-Match" in body["detail"]
    assert event_count(client) == before


@pytest.mark.parametrize("header", ['"²"', '"' + "9" * 5000 + '"', '"-1"', '"0x4"', '""', 'W/"4"'],
                         ids=["superscript-two", "5000-digits", "negative", "hex", "empty", "weak"])
def test_an_entity_tag_that_is_no_version_matches_nothing(client, auth, header):
    before = event_count(client)
    for url in (f"{CLAIM}/events", f"{CLAIM}/links"):
        body = REVISION if url.endswith("events") else {"relation": "disputes", "target": "ministry-toll-164"}
        answer = problem(client.post(url, headers={**auth, "If-Match": header}, json=body), 412)
        assert named(answer) == {"If-Match"}
    assert event_count(client) == before


def test_a_quoted_current_etag_still_writes(client, auth):
    etag = client.get(CLAIM).headers["ETag"]
    answer = client.post(f"{CLAIM}/events", headers={**auth, "If-Match": f' ,{etag} , "0"'}, json=REVISION)
    assert answer.status_code == 200


# ----- JSON bodies


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_a_body_nested_too_deep_is_a_400(client, auth, depth):
    before = event_count(client)
    deep = '{"type": "revised", "stated": "2022-09-01", "text": ' + "[" * depth + "]" * depth + "}"
    body = problem(client.post(f"{CLAIM}/events", headers={**auth, "If-Match": "*"}, data=deep,
                               content_type="application/json"), 400)
    assert "deeper than 32" in body["detail"]
    deep_load = "[" * depth + "]" * depth
    problem(client.post("/api/v1/load", headers=auth, data=deep_load, content_type="application/json"), 400)
    assert event_count(client) == before


def test_a_body_of_the_deepest_allowed_nesting_reaches_its_schema(client, auth):
    nested = "[" * 30 + "]" * 30
    body = problem(client.post(f"{CLAIM}/events", headers={**auth, "If-Match": "*"}, content_type="application/json",
                               data='{"type": "revised", "stated": "2022-09-01", "text": ' + nested + "}"), 422)
    assert "#/text" in named(body)


@pytest.mark.parametrize("text, pointer", [
    ('{"type": "revised", "stated": "2022-09-01", "text": "a", "text": "b"}', "#/text"),
    ('{"type": "revised", "stated": "2022-09-01", "text": "a", "citations": [{"document": "d", "document": "e"}]}',
     "#/citations/0/document"),
    ('{"slug": "a/b", "title": "t", "kind": "question", "slug": "x"}', "#/slug"),
])
def test_a_key_given_twice_is_a_400_naming_it_and_nothing_is_stored(client, auth, text, pointer):
    """JSON leaves a repeated key's meaning open (the last silently won): refuse it instead of guessing."""
    before = event_count(client)
    url = f"{API}/topics" if '"kind"' in text else f"{CLAIM}/events"
    body = problem(client.post(url, headers={**auth, "If-Match": "*"}, data=text, content_type="application/json"), 400)
    assert named(body) == {pointer} and "more than once" in body["detail"]
    assert event_count(client) == before


def test_a_body_that_is_not_utf8_json_is_a_400(client, auth):
    for data in (b'{"type": "revised"', b'{"text": "\xff"}', b""):
        body = problem(client.post(f"{CLAIM}/events", headers={**auth, "If-Match": "*"}, data=data,
                                   content_type="application/json"), 400)
        assert named(body) == {"#"}


def test_a_nul_in_a_body_is_refused_and_nothing_is_stored(client, auth):
    before = event_count(client)
    for body, pointer in (({**REVISION, "text": "before\u0000after"}, "#/text"),
                          ({**REVISION, "citations": [{"document": "d\u0000"}]}, "#/citations/0/document"),
                          ({**REVISION, "no\u0000te": "x"}, "#/no\u0000te")):
        answer = problem(client.post(f"{CLAIM}/events", headers={**auth, "If-Match": "*"}, json=body), 422)
        assert named(answer) == {pointer}
    assert event_count(client) == before


# ----- NUL anywhere in the request line or headers


NUL_REQUESTS = [
    f"{API}/claims/prosecutor-death%00-toll", f"{API}/topics/death%00-toll/history",
    f"{API}/lenses/offi%00cial/history", f"{API}/lenses/official%00/timegate",
    "/api/v1/stories/kazakhstan%00-2022/narrative?as_of=2022-01-09",
    f"{API}/narrative?as_of=2022-01-09&lens=official%00",
    f"{API}/narrative?as_of=2022-01%00-09", f"{API}/narrative?as_of=2022-01-09&known_at=2022-01-10%00",
    "/api/v1/search?q=terror%00ists", "/api/v1/sources/tok%00ayev", f"{API}/incidents?place=Al%00maty",
    f"{API}/lenses/official/stated/2022-01-09/known-at/2026-01-01T00:00:00Z%00", "/api/v1/events?after=1%00",
    f"{API}/narrative?as_of=2022-01-09&x%00=1", "/api/v1/no%00such",
]


@pytest.mark.parametrize("url", NUL_REQUESTS)
def test_a_nul_in_the_path_or_query_is_a_400_on_the_api(client, url):
    body = problem(client.get(url), 400)
    assert "NUL" in body["detail"]


@pytest.mark.parametrize("url", [
    "/stories/kazakhstan-2022/narrative?as_of=2022-01-09&lens=offi%00cial", "/stories/kazakhstan-2022/claims/a%00b",
    "/search?q=a%00b", "/sources/tok%00ayev", "/stories/kazakhstan-2022/timeline?known_at=2022%00",
    "/stories/kazakhstan%00-2022/timeline", "/audit?editor=a%00",
])
def test_a_nul_in_the_path_or_query_is_a_400_page(client, url):
    response = client.get(url)
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "NUL" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["Accept-Datetime", "If-Match", "X-Anything", "Authorization"])
def test_a_nul_in_a_header_value_is_a_400_naming_the_header(client, auth, name):
    before = event_count(client)
    headers = {**auth, "If-Match": "*", name: "a\x00b"}
    body = problem(client.post(f"{CLAIM}/events", headers=headers, json=REVISION), 400)
    assert named(body) == {name}
    assert event_count(client) == before
    body = problem(client.get(f"{API}/lenses/official/timegate", headers={name: "Fri,\x00 07 Jan"}), 400)
    assert named(body) == {name}


# ----- a known-at that no clock can say


KNOWN_AT_ROUTES = [
    f"{API}/narrative?as_of=2022-01-09", f"{API}/diff?from=2022-01-05&to=2022-01-09",
    f"{API}/topics/death-toll/history", f"{API}/claims/prosecutor-death-toll", f"{API}/lenses/everyone/history",
    f"{API}/lenses/official/days", "/api/v1/sources/tokayev", f"{API}/narrative.csv?as_of=2022-01-09",
    f"{API}/topics/death-toll/history.csv", f"{API}/lenses/official/timeline.json", f"{API}/lenses/official/timemap",
]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59"])
@pytest.mark.parametrize("url", KNOWN_AT_ROUTES)
def test_a_known_at_outside_the_calendar_is_a_400_on_every_route_that_takes_one(client, url, moment):
    joined = "&" if "?" in url else "?"
    body = problem(client.get(f"{url}{joined}known_at={moment.replace('+', '%2B')}"), 400)
    assert "known at" in body["detail"]


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00+23:59", "0000-01-01T00:00:00Z", "2022-02-30T00:00:00Z"])
def test_a_memento_pinned_outside_the_calendar_is_a_400(client, instant):
    for url in (f"{API}/lenses/official/stated/2022-01-09/known-at/{instant}",
                f"{API}/lenses/official/recorded/{instant}/as-of/2022-01-09"):
        assert "known at" in problem(client.get(url.replace("+", "%2B")), 400)["detail"]


def test_a_recorded_timemap_of_no_real_day_is_a_400(client):
    problem(client.get(f"{API}/lenses/official/timemap?axis=recorded&as_of=2022-02-30"), 400)


def test_pages_refuse_a_known_at_outside_the_calendar(client):
    for page in ("narrative?as_of=2022-01-09&", "timeline?", "claims/prosecutor-death-toll?", "topics/death-toll?"):
        response = client.get(f"/stories/kazakhstan-2022/{page}known_at=0001-01-01T00:00:00%2B23:59")
        assert response.status_code == 400 and "known at" in response.get_data(as_text=True)


def test_nothing_here_left_a_half_written_entry(client, auth):
    """After every kind of refusal above, the log is whole and the claim reads as before."""
    before = client.get(CLAIM).get_json()
    for header in ("4", '"²"', "a\x00b"):
        client.post(f"{CLAIM}/events", headers={**auth, "If-Match": header}, json=REVISION)
    client.post(f"{CLAIM}/events", headers={**auth, "If-Match": "*"}, content_type="application/json",
                data='{"type": "revised", "stated": "2022-09-01", "text": "a", "text": "b"}')
    assert client.get(CLAIM).get_json() == before
    assert json.loads(client.get("/api/v1/integrity").get_data())["verified"]


# ----- every list is paged, every answer has a ceiling


def walk(client, url: str) -> list[dict]:
    """Every page of a list, following `next` (and checking the Link header says the same)."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        body = response.get_json()
        pages.append(body)
        url = body["page"]["next"]
        assert (f'<{url}>; rel="next"' == response.headers.get("Link")) if url else "Link" not in response.headers
    return pages


def test_a_lens_history_is_paged_in_the_database_and_its_pages_are_the_whole_history(client, app):
    whole = app.extensions["chronicle"].lens_history("everyone", story="kazakhstan-2022")["history"]
    assert len(whole) > 30
    pages = walk(client, f"{API}/lenses/everyone/history?limit=30")
    assert [len(p["history"]) for p in pages[:-1]] == [30] * (len(pages) - 1) and not pages[-1]["page"]["more"]
    assert json.dumps([e for p in pages for e in p["history"]], sort_keys=True) == \
        json.dumps(client.get(f"{API}/lenses/everyone/history?limit=500").get_json()["history"], sort_keys=True)
    assert len([e for p in pages for e in p["history"]]) == len(whole)
    first = client.get(f"{API}/lenses/everyone/history").get_json()
    assert first["page"]["limit"] == 100 and len(first["history"]) == min(100, len(whole))
    assert "limit" in named(problem(client.get(f"{API}/lenses/everyone/history?limit=501"), 400))


def test_a_topic_history_is_paged(client):
    pages = walk(client, f"{API}/topics/death-toll/history?limit=3")
    whole = client.get(f"{API}/topics/death-toll/history?limit=500").get_json()
    assert [e for p in pages for e in p["history"]] == whole["history"]
    assert pages[0]["page"]["total"] == len(whole["history"])
    assert all(len(p["history"]) <= 3 for p in pages) and len(pages) > 2


def test_a_narrative_page_holds_at_most_its_ceiling_of_claims(client, monkeypatch):
    """A story whose lens holds more claims than a page may (1,000; here 7) goes on over several pages,
    a big topic cut between them, and nothing is lost or repeated."""
    from chronicle_web.api import paging

    url = f"{API}/narrative?as_of=2022-12-31&lens=everyone&limit=500"
    whole = client.get(url).get_json()["topics"]
    monkeypatch.setattr(paging, "MAX_CLAIMS", 7)
    client.application.extensions["chronicle_bodies"].clear()  # answers are kept by position and question alone,
    monkeypatch.delitem(client.application.extensions, "chronicle_shared_bodies")  # here and in the shared file
    pages = walk(client, url)
    assert all(sum(len(t["claims"]) for t in p["topics"]) <= 7 for p in pages) and len(pages) > 10
    joined: dict[str, list] = {}
    for page in pages:
        for group in page["topics"]:
            joined.setdefault(group["topic"]["slug"], []).extend(group["claims"])
    assert joined == {group["topic"]["slug"]: group["claims"] for group in whole}
    assert any("claim_offset=" in (p["page"]["next"] or "") for p in pages), "a topic of 10 claims is cut"


def test_the_narrative_page_is_paged_too(client, monkeypatch):
    from chronicle_web.pages import narrative

    url = "/stories/kazakhstan-2022/narrative?as_of=2022-12-31&lens=everyone"
    whole = client.get(url).get_data(as_text=True)
    assert "More of this narrative" not in whole
    monkeypatch.setattr(narrative, "PAGE_CLAIMS", 20)
    client.application.extensions["chronicle_bodies"].clear()  # pages are kept by position and question alone,
    monkeypatch.delitem(client.application.extensions, "chronicle_shared_bodies")  # here and in the shared file
    seen, page_url, pages = [], url, 0
    while page_url:
        html = client.get(page_url).get_data(as_text=True)
        cards = html.count('<article class="claim ')
        assert cards <= 20 and html.count("data-claim=") >= cards
        seen.append(cards)
        pages += 1
        marker = 'rel="next" href="'
        tail = html[html.index("<nav class=\"pager\""):] if "More of this narrative" in html else ""
        page_url = tail[tail.index(marker) + len(marker):].split('"')[0].replace("&amp;", "&") if tail else None
    assert sum(seen) == whole.count('<article class="claim ') and pages >= 5
    assert "Continued" in html
    assert client.get(url + "&offset=x").status_code == 400


def test_a_feed_holds_the_newest_entries_only(client, monkeypatch):
    from xml.etree import ElementTree

    from chronicle_web.api import feeds

    atom = "{http://www.w3.org/2005/Atom}"
    every = ElementTree.fromstring(client.get(f"{API}/lenses/everyone/feed.atom").data).findall(f"{atom}entry")
    monkeypatch.setattr(feeds, "FEED_ENTRIES", 3)
    three = ElementTree.fromstring(client.get(f"{API}/lenses/everyone/feed.atom").data).findall(f"{atom}entry")
    assert len(every) > 3 and [e.find(f"{atom}id").text for e in three] == [e.find(f"{atom}id").text for e in every[:3]]


def test_search_and_the_story_list_are_capped(client, auth, monkeypatch):
    assert "limit" in named(problem(client.get("/api/v1/search?q=toll&limit=501"), 400))
    assert len(client.get("/api/v1/search?q=toll&limit=2").get_json()["results"]) == 2
    started = client.post("/api/v1/stories", headers=auth, json={"slug": "second", "title": "A second story"})
    assert started.status_code == 201
    pages = walk(client, "/api/v1/stories?limit=1")
    every = client.get("/api/v1/stories").get_json()["items"]
    assert [p["items"][0]["slug"] for p in pages] == sorted(s["slug"] for s in every)
    from chronicle_web.pages import home

    monkeypatch.setattr(home, "PAGE", 1)
    first = client.get("/").get_data(as_text=True)
    assert first.count('class="story"') == 1 and 'rel="next" href="/?offset=1"' in first
    second = client.get("/?offset=1").get_data(as_text=True)
    assert second.count('class="story"') == 1 and 'rel="prev"' in second


# ----- expensive requests are bounded per process


EXPENSIVE = [f"{API}/narrative?as_of=2022-01-09&lens=everyone", f"{API}/diff?from=2022-01-05&to=2022-01-09&lens=all",
             f"{API}/lenses/everyone/history", f"{API}/lenses/everyone/narrative",
             f"{API}/narrative.csv?as_of=2022-01-09",
             f"{API}/topics/death-toll/history.csv", "/api/v1/events.jsonl", "/api/v1/export.jsonl",
             f"{API}/lenses/official/timeline.json", f"{API}/topics/death-toll/feed.atom",
             f"{API}/lenses/official/feed.atom",
             "/api/v1/search?q=toll", f"{API}/lenses/official/timemap?axis=recorded",
             "/stories/kazakhstan-2022/narrative?as_of=2022-01-09&lens=everyone", "/search?q=toll",
             "/stories/kazakhstan-2022/compare?from=2022-01-05&to=2022-01-09&lens=everyone"]
CHEAP = [f"{API}/narrative?as_of=2022-01-09&lens=official", f"{API}/lenses/official/history", "/api/v1/integrity",
         f"{API}/claims/prosecutor-death-toll", "/stories/kazakhstan-2022/narrative?as_of=2022-01-09"]


def test_past_the_bound_an_expensive_request_is_refused_at_once_and_a_cheap_one_is_served(app, client):
    slots = app.extensions["chronicle_expensive"]
    taken = 0
    while slots.acquire(blocking=False):
        taken += 1
    try:
        assert taken == 4
        for url in EXPENSIVE:
            response = client.get(url, buffered=True)
            assert response.status_code == 503 and response.headers["Retry-After"] == "2", url
            assert "expensive" in response.get_data(as_text=True)
        for url in CHEAP:
            assert client.get(url).status_code == 200, url
    finally:
        for _ in range(taken):
            slots.release()
    for url in EXPENSIVE:  # each gives its slot back once answered, streamed or not
        assert client.get(url, buffered=True).status_code == 200, url
    assert sum(1 for _ in range(10) if slots.acquire(blocking=False)) == 4
    for _ in range(4):
        slots.release()


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(client, auth, number):
    text = '{"type": "revised", "stated": "2022-09-01", "figure": {"value": %s, "unit": "people"}}' % number
    body = problem(client.post(f"{CLAIM}/events", headers={**auth, "If-Match": "*"}, data=text,
                               content_type="application/json"), 400)
    assert number in body["detail"] and named(body) == {"#"}
