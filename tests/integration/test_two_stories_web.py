"""Two stories in one chronicle, over HTTP: the Kazakhstan story and the synthetic tower fire, which reuses
its slugs (the topic ``death-toll``, the claim ``ministry-toll-164``). Every API route, page, feed, export
and Memento resource keeps them apart; the old URLs redirect while there is one story and answer 404
once there are two; a slug is unique within its story only.

On both stores: real SQLite files and the real PostgreSQL, the real Flask app, no mocks.
"""

from __future__ import annotations

import csv
import io
import re
from xml.etree import ElementTree

import pytest

from chronicle_web import create_app
from tests.integration.test_api import problem
from tests.integration.test_api_memento import by_rel, links

K, T = "kazakhstan-2022", "tower-fire-2017"
STORIES = {K: "/stories/kazakhstan-2022", T: "/stories/tower-fire-2017"}
APIS = {K: "/api/v1/stories/kazakhstan-2022", T: "/api/v1/stories/tower-fire-2017"}
LAST_DAY = {K: "2022-08-01", T: "2017-11-16"}
FIRE_TOLLS = {30, 58, 79, 71}  # the police's tower-fire figures: never in the Kazakh story
ATOM = "{http://www.w3.org/2005/Atom}"
OLD_PAGE = re.compile(r"^/(timeline|narrative|compare|topics|claims)\b")
OLD_API = re.compile(r"^(https?://[^/]+)?/api/v1/(narrative|diff|topics|claims|incidents|lenses)\b")


def web(settings):
    return create_app({"CHRONICLE_DATA": str(settings.data_dir), "TESTING": True})


def close(app) -> None:
    app.extensions["chronicle"].view.close()
    app.extensions["chronicle"].close()


@pytest.fixture
def app(two_stories, settings):
    """The web application over a chronicle holding both stories (conftest's ``client`` uses it)."""
    made = web(settings)
    yield made
    close(made)


@pytest.fixture
def one_story(kazakhstan, settings):
    """A client of a chronicle holding the Kazakhstan story alone."""
    made = web(settings)
    yield made.test_client()
    close(made)


@pytest.fixture
def auth(app):
    return {"Authorization": "Bearer " + app.extensions["chronicle_tokens"].create("newsroom")}


def ok(client, url: str, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.get_data(as_text=True)[:1000])
    return response


def figures(entries: list[dict]) -> set:
    """Every number the versions give: values, and an estimate's or a range's low, best and high."""
    return {number for entry in entries if entry["figure"]
            for number in (entry["figure"][k] for k in ("value", "low", "best", "high")) if number is not None}


def event_count(client) -> int:
    return len(client.get("/api/v1/events.jsonl").get_data(as_text=True).splitlines())


def stays_in(story: str, urls: list[str]) -> None:
    """Every link to a story's resource points at this story, and none at an old URL without a story."""
    for url in urls:
        path = re.sub(r"^https?://[^/]+", "", url)
        if path.startswith("/stories/"):
            assert path.startswith(STORIES[story] + "/") or path == STORIES[story], url
        if path.startswith("/api/v1/stories/"):
            assert path.startswith(APIS[story] + "/") or path == APIS[story], url
        assert not OLD_PAGE.match(path) and not OLD_API.match(path), url


def hrefs(html: str) -> list[str]:
    return re.findall(r'(?:href|action)="([^"#]*)', html)


# ----- the API


def test_the_story_list_and_each_story(client):
    listed = ok(client, "/api/v1/stories").get_json()
    by_slug = {s["slug"]: s for s in listed["items"]}
    assert set(by_slug) == {K, T} and listed["page"]["total"] == 2
    assert {slug: s["last_day"] for slug, s in by_slug.items()} == LAST_DAY
    assert by_slug[T]["counts"] == {"topics": 2, "incidents": 1, "claims": 2}
    assert by_slug[T]["period"]["edtf"] == "2017-06-01/2017-12-31"
    one = ok(client, f"{APIS[T]}").get_json()
    assert one == by_slug[T]
    assert "nope" in problem(client.get("/api/v1/stories/nope"), 404)["detail"]


def test_the_same_topic_slug_has_each_storys_figures(client):
    kazakh = ok(client, f"{APIS[K]}/topics/death-toll/history").get_json()
    fire = ok(client, f"{APIS[T]}/topics/death-toll/history").get_json()
    assert kazakh["story"] == K and fire["story"] == T
    assert kazakh["topic"]["id"] != fire["topic"]["id"] and fire["topic"]["title"] == "Deaths in the tower fire"
    assert not figures(kazakh["history"]) & FIRE_TOLLS and 164 in figures(kazakh["history"])
    assert 164 not in figures(fire["history"]) and FIRE_TOLLS <= figures(fire["history"])
    assert {e["story"] for e in kazakh["history"]} == {K} and {e["story"] for e in fire["history"]} == {T}
    assert {t["slug"] for t in ok(client, f"{APIS[T]}/topics").get_json()["items"]} == {"death-toll", "missing"}
    assert ok(client, f"{APIS[T]}/topics/death-toll").get_json()["story"] == T
    problem(client.get(f"{APIS[T]}/topics/nature-of-the-violence"), 404)


def test_the_same_claim_slug_is_a_different_claim_in_each_story(client):
    kazakh = ok(client, f"{APIS[K]}/claims/ministry-toll-164")
    fire = ok(client, f"{APIS[T]}/claims/ministry-toll-164")
    k, t = kazakh.get_json(), fire.get_json()
    assert (k["story"], t["story"]) == (K, T) and k["id"] != t["id"]
    assert [v["kind"] for v in k["versions"]] == ["stated", "retracted"] and k["versions"][0]["figure"]["value"] == 164
    assert [v["kind"] for v in t["versions"]] == ["stated"] and t["versions"][0]["figure"]["value"] == 64
    assert t["versions"][0]["source"]["slug"] == "fire-reporters" and t["versions"][0]["quote_language"] == "en"
    assert kazakh.headers["ETag"] == f'"{k["entry_version"]}"' and fire.headers["ETag"] == f'"{t["entry_version"]}"'
    assert {c["slug"] for c in ok(client, f"{APIS[T]}/claims").get_json()["items"]} == {"police-death-toll",
                                                                                      "ministry-toll-164"}
    problem(client.get(f"{APIS[T]}/claims/prosecutor-death-toll"), 404)
    # An id names one claim: asked of the other story, it is not there.
    problem(client.get(f"{APIS[T]}/claims/{k['id']}"), 404)


def test_narratives_diffs_lenses_and_incidents_stay_in_their_story(client):
    fire = ok(client, f"{APIS[T]}/narrative?as_of=2017-07-01&lens=official&limit=500").get_json()
    toll = next(g for g in fire["topics"] if g["topic"]["slug"] == "death-toll")
    assert fire["story"] == T and toll["current"] == "police-death-toll"
    current = next(c for c in toll["claims"] if c["claim"] == toll["current"])
    assert current["figure"]["label"] == "presumed 79 people" and current["story"] == T
    kazakh = ok(client, f"{APIS[K]}/narrative?as_of=2022-01-09&lens=official&limit=500").get_json()
    toll = next(g for g in kazakh["topics"] if g["topic"]["slug"] == "death-toll")
    assert toll["current"] == "ministry-toll-164"
    assert not figures([c for g in kazakh["topics"] for c in g["claims"]]) & FIRE_TOLLS
    assert ok(client, f"{APIS[K]}/narrative?as_of=2017-12-31&lens=everyone").get_json()["topics"] == []
    paged = ok(client, f"{APIS[T]}/narrative?as_of=2017-07-01&lens=everyone&limit=1")
    assert paged.get_json()["page"]["next"].startswith(f"http://localhost{APIS[T]}/narrative?")
    stays_in(T, [uri for uri, _ in links(paged.headers["Link"])])

    diff = ok(client, f"{APIS[T]}/diff?from=2017-06-17&to=2017-06-30&lens=everyone").get_json()
    assert diff["story"] == T and {c["claim"]["claim"] for c in diff["revised"]} == {"police-death-toll"}
    assert {c["claim"]["claim"] for c in diff["added"]} == {"ministry-toll-164"}

    history = ok(client, f"{APIS[T]}/lenses/everyone/history").get_json()
    assert history["story"] == T and {h["claim"] for h in history["history"]} == {"police-death-toll",
                                                                                "ministry-toll-164"}
    days = ok(client, f"{APIS[T]}/lenses/everyone/days").get_json()
    assert days == {"story": T, "lens": "everyone", "known_at": None,
                    "days": ["2017-06-16", "2017-06-19", "2017-06-20", "2017-06-28", "2017-11-16"]}
    assert all(day.startswith("2022") or day < "2022" for day in
               ok(client, f"{APIS[K]}/lenses/everyone/days").get_json()["days"])
    assert "2017-06-16" not in ok(client, f"{APIS[K]}/lenses/everyone/days").get_json()["days"]

    incidents = ok(client, f"{APIS[T]}/incidents").get_json()["items"]
    assert [(i["slug"], i["story"]) for i in incidents] == [("tower-fire", T)]
    assert ok(client, f"{APIS[T]}/incidents/tower-fire").get_json()["occurred"]["edtf"] == "2017-06-14"
    problem(client.get(f"{APIS[K]}/incidents/tower-fire"), 404)


def test_sources_are_shared_and_say_which_story_each_claim_is_in(client):
    police = ok(client, "/api/v1/sources/city-police").get_json()
    assert {v["story"] for v in police["versions"]} == {T}
    reporters = ok(client, "/api/v1/sources/fire-reporters").get_json()
    assert {(v["story"], v["claim"]) for v in reporters["versions"]} == {(T, "ministry-toll-164")}
    ministry = ok(client, "/api/v1/sources/ministry-of-information").get_json()
    assert {(v["story"], v["claim"]) for v in ministry["versions"] if v["claim"] == "ministry-toll-164"} == {
        (K, "ministry-toll-164")}


def test_search_spans_the_stories_and_filters_by_one(client):
    hits = ok(client, "/api/v1/search?q=death&kind=topic&limit=500").get_json()["results"]
    assert {(h["slug"], h["story"]) for h in hits if h["slug"] == "death-toll"} == {("death-toll", K),
                                                                                   ("death-toll", T)}
    only = ok(client, f"/api/v1/search?q=death&kind=topic&story={T}").get_json()["results"]
    assert {h["story"] for h in only} == {T}
    fire = ok(client, "/api/v1/search?q=64 dead").get_json()["results"]
    assert {(h["slug"], h["story"]) for h in fire} == {("ministry-toll-164", T)}
    problem(client.get("/api/v1/search?q=toll&story=nope"), 404)


def test_exports_and_feeds_are_each_storys(client):
    rows = list(csv.DictReader(io.StringIO(ok(client, f"{APIS[T]}/narrative.csv?as_of=2017-12-01&lens=everyone")
                                           .get_data(as_text=True))))
    assert {r["claim"] for r in rows} == {"police-death-toll", "ministry-toll-164"}
    assert "164" not in {r["figure_value"] for r in rows}
    response = ok(client, f"{APIS[T]}/topics/death-toll/history.csv")
    assert T in response.headers["Content-Disposition"]
    history = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["claim"] for r in history} == {"police-death-toll", "ministry-toll-164"}
    kazakh = list(csv.DictReader(io.StringIO(ok(client, f"{APIS[K]}/topics/death-toll/history.csv")
                                             .get_data(as_text=True))))
    assert "police-death-toll" not in {r["claim"] for r in kazakh}

    timeline = ok(client, f"{APIS[T]}/lenses/everyone/timeline.json").get_json()
    ids = [s["unique_id"] for s in timeline["events"]]
    assert len(ids) == len(set(ids)), "a statement's figure on another topic needs a slide id of its own"
    assert {s["group"] for s in timeline["events"]} == {"death-toll", "missing"}
    assert "tower fire" in timeline["title"]["text"]["headline"]

    feeds = {}
    for story in (K, T):
        for path in ("topics/death-toll/feed.atom", "lenses/everyone/feed.atom"):
            feed = ElementTree.fromstring(ok(client, f"{APIS[story]}/{path}").data)
            entries = feed.findall(f"{ATOM}entry")
            alternates = [e.find(f"{ATOM}link").get("href") for e in entries]
            assert alternates and all(a.startswith(f"http://localhost{APIS[story]}/claims/") for a in alternates)
            stays_in(story, [feed.find(f"{ATOM}link").get("href"), *alternates])
            assert len({e.find(f"{ATOM}id").text for e in entries}) == len(entries)
            feeds[story, path] = feed.find(f"{ATOM}id").text
    assert feeds[K, "topics/death-toll/feed.atom"] != feeds[T, "topics/death-toll/feed.atom"]
    assert feeds[K, "lenses/everyone/feed.atom"] != feeds[T, "lenses/everyone/feed.atom"]


def test_each_story_is_its_own_memento_resource(client, app):
    chronicle = app.extensions["chronicle"]
    for story in (K, T):
        original = ok(client, f"{APIS[story]}/lenses/everyone/narrative")
        assert original.get_json()["story"] == story
        stays_in(story, [uri for uri, _ in links(original.headers["Link"])])
        timemap = ok(client, f"{APIS[story]}/lenses/everyone/timemap")
        entries = links(timemap.get_data(as_text=True))
        stays_in(story, [uri for uri, _ in entries])
        mementos = entries[3:]
        days = [re.search(r"/stated/(\d{4}-\d{2}-\d{2})/", uri)[1] for uri, _ in mementos]
        assert days == chronicle.narrative_days("everyone", story=story)
        gate = client.get(f"{APIS[story]}/lenses/everyone/timegate",
                          headers={"Accept-Datetime": "Fri, 30 Jun 2017 12:00:00 GMT"})
        assert gate.status_code == 302
        stays_in(story, [gate.headers["Location"], *(uri for uri, _ in links(gate.headers["Link"]))])
        memento = ok(client, gate.headers["Location"])
        assert memento.get_json()["story"] == story
        stays_in(story, [uri for uri, _ in links(memento.headers["Link"])])
        recorded = ok(client, f"{APIS[story]}/lenses/everyone/timemap?axis=recorded&as_of={LAST_DAY[story]}")
        stays_in(story, [uri for uri, _ in links(recorded.get_data(as_text=True))])
    june = {"Accept-Datetime": "Fri, 30 Jun 2017 12:00:00 GMT"}
    fire = client.get(f"{APIS[T]}/lenses/everyone/timegate", headers=june)
    assert "/stated/2017-06-28/" in fire.headers["Location"]
    told = ok(client, fire.headers["Location"]).get_json()
    assert figures([c for g in told["topics"] for c in g["claims"]]) & {79} and not figures(
        [c for g in told["topics"] for c in g["claims"]]) & {164}
    # Before the Kazakh story began, its first memento: the fire's June is not in it.
    kazakh = client.get(f"{APIS[K]}/lenses/everyone/timegate", headers=june)
    assert by_rel(kazakh.headers["Link"])["first memento"][0] == kazakh.headers["Location"]
    assert "/stated/2017-" not in kazakh.headers["Location"]


def test_the_openapi_document_names_the_story_in_every_story_path(client):
    spec = ok(client, "/api/v1/openapi.json").get_json()
    story_paths = [path for path in spec["paths"] if path.startswith("/api/v1/stories/{story}/")]
    assert len(story_paths) > 20
    for path in story_paths:
        for operation in spec["paths"][path].values():
            assert "404" in operation["responses"], path
            story = next(p for p in operation["parameters"] if p["name"] == "story")
            assert story["in"] == "path" and story["example"] in (K, T)
    assert not [p for p in spec["paths"] if OLD_API.match(p)]


# ----- the pages


def test_the_home_page_lists_both_stories_with_their_last_change(client):
    html = ok(client, "/").get_data(as_text=True)
    for story, title in ((K, "The January 2022 unrest in Kazakhstan"), (T, "A tower fire (synthetic test story)")):
        item = html[html.index(f'data-story="{story}"'):]
        item = item[:item.index("</li>")]
        assert f'href="{STORIES[story]}/timeline"' in item and title in item
        assert f'<time datetime="{LAST_DAY[story]}">{LAST_DAY[story]}</time>' in item
    fire = html[html.index(f'data-story="{T}"'):]
    assert '<dd class="count-claims">2</dd>' in fire[:fire.index("</li>")]
    assert "2017-06-01/<wbr>2017-12-31" in fire[:fire.index("</li>")]


@pytest.mark.parametrize("story", [K, T])
def test_each_timeline_opens_on_its_storys_last_change(client, story):
    html = ok(client, f"{STORIES[story]}/timeline").get_data(as_text=True)
    assert f'id="as-of" name="as_of" type="date" value="{LAST_DAY[story]}"' in html
    assert f"as of {LAST_DAY[story]}" in html
    stays_in(story, hrefs(html))


def test_the_pages_of_each_story_show_its_own_figures_and_link_inside_it(client):
    fire_pages = ["/timeline?as_of=2017-07-01&lens=official", "/narrative?as_of=2017-06-20&lens=everyone",
                  "/compare?from=2017-06-17&to=2017-06-30&lens=everyone", "/topics", "/topics/death-toll",
                  "/topics/missing", "/claims/ministry-toll-164", "/claims/police-death-toll"]
    for path in fire_pages:
        html = ok(client, STORIES[T] + path).get_data(as_text=True)
        assert "164 people" not in html, path
        stays_in(T, hrefs(html))
    kazakh_pages = ["/timeline?as_of=2022-01-09&lens=official", "/narrative?as_of=2022-01-10&lens=official",
                    "/compare?from=2022-01-05&to=2022-01-11&lens=official", "/topics", "/topics/death-toll",
                    "/claims/ministry-toll-164"]
    for path in kazakh_pages:
        html = ok(client, STORIES[K] + path).get_data(as_text=True)
        assert not re.search(r"\b(30|58|79|71) people", html), path
        stays_in(K, hrefs(html))
    fire_toll = ok(client, f"{STORIES[T]}/claims/ministry-toll-164").get_data(as_text=True)
    kazakh_toll = ok(client, f"{STORIES[K]}/claims/ministry-toll-164").get_data(as_text=True)
    assert "Reporters counted 64 dead." in fire_toll and "Reporters counted 64 dead." not in kazakh_toll
    assert "164 people" in kazakh_toll
    chart = ok(client, f"{STORIES[T]}/topics/death-toll").get_data(as_text=True)
    assert 'data-claim="police-death-toll"' in chart and 'data-claim="prosecutor-death-toll"' not in chart
    estimate = ok(client, f"{STORIES[T]}/claims/police-death-toll").get_data(as_text=True)
    assert "presumed 58 (estimate 50–80) people" in estimate
    assert f'href="{STORIES[T]}/topics/missing"' in estimate, "the figure it gives on another topic links there"


def test_search_and_source_pages_say_which_story_each_entry_is_in(client):
    html = ok(client, "/search?q=death&kind=topic").get_data(as_text=True)
    for story in (K, T):
        assert f'href="{STORIES[story]}/topics/death-toll"' in html
        assert f'data-story="{story}"' in html
    only = ok(client, f"/search?q=death&kind=topic&story={T}").get_data(as_text=True)
    assert f'href="{STORIES[K]}/topics/death-toll"' not in only and f'href="{STORIES[T]}/topics/death-toll"' in only
    source = ok(client, "/sources/fire-reporters").get_data(as_text=True)
    assert f'href="{STORIES[T]}/claims/ministry-toll-164#v0"' in source
    assert f'href="{STORIES[K]}/claims/' not in source
    stays_in(T, hrefs(source))
    audit = ok(client, "/audit?kind=statement").get_data(as_text=True)
    assert f'href="{STORIES[T]}/claims/ministry-toll-164"' in audit or "Later events" in audit


def test_an_unknown_story_is_a_404_never_a_500(client):
    for path in ("/timeline", "/topics/death-toll", "/claims/ministry-toll-164", "/claims/new"):
        response = client.get(f"/stories/no-such-story{path}")
        assert response.status_code == 404 and "no story is called" in response.get_data(as_text=True)
    for path in ("", "/narrative?as_of=2022-01-01", "/claims/x", "/lenses/official/timegate",
                 "/lenses/official/timeline.json", "/topics/death-toll/feed.atom", "/narrative.csv?as_of=2022-01-01"):
        assert "no-such-story" in problem(client.get(f"/api/v1/stories/no-such-story{path}"), 404)["detail"]
    problem(client.post("/api/v1/stories/no-such-story/claims", json={}), 404)


# ----- the old URLs


def test_old_urls_redirect_to_the_only_story(one_story):
    page = one_story.get("/timeline?as_of=2022-01-09&lens=official")
    assert page.status_code == 302
    assert page.headers["Location"] == f"{STORIES[K]}/timeline?as_of=2022-01-09&lens=official"
    claim = one_story.get("/claims/ministry-toll-164")
    assert claim.status_code == 302 and claim.headers["Location"] == f"{STORIES[K]}/claims/ministry-toll-164"
    api = one_story.get("/api/v1/lenses/official/timegate?axis=recorded&as_of=2022-01-20")
    assert api.status_code == 308
    assert api.headers["Location"] == f"{APIS[K]}/lenses/official/timegate?axis=recorded&as_of=2022-01-20"
    write = one_story.post("/api/v1/claims/prosecutor-death-toll/events", json={"type": "revised"})
    assert write.status_code == 308 and write.headers["Location"] == f"{APIS[K]}/claims/prosecutor-death-toll/events"
    followed = one_story.get("/api/v1/topics/death-toll/history", follow_redirects=True)
    assert followed.status_code == 200 and followed.get_json()["story"] == K
    assert one_story.get("/narrative?as_of=2022-01-10", follow_redirects=True).status_code == 200


def test_old_urls_say_where_to_go_when_there_are_two_stories(client):
    body = problem(client.get("/api/v1/claims/ministry-toll-164?known_at=2030-01-01"), 404)
    assert {s["slug"]: s["url"] for s in body["stories"]} == {
        story: f"http://localhost{APIS[story]}/claims/ministry-toll-164?known_at=2030-01-01" for story in (K, T)}
    assert f"http://localhost{APIS[T]}/claims/ministry-toll-164" in body["detail"]
    problem(client.post("/api/v1/claims", json={}), 404)
    page = client.get("/topics/death-toll")
    html = page.get_data(as_text=True)
    assert page.status_code == 404
    for story in (K, T):
        assert f'href="http://localhost{STORIES[story]}/topics/death-toll"' in html


# ----- writes


def test_a_slug_taken_in_the_story_is_409_and_stores_nothing_but_another_story_may_use_it(client, auth):
    before = event_count(client)
    taken = {"slug": "ministry-toll-164", "source": "fire-reporters", "topic": "death-toll", "stated": "2017-06-21",
             "text": "Merged?", "figure": {"value": 1, "unit": "people"}, "citations": [{"document": "a test"}]}
    assert "tower-fire-2017" in problem(client.post(f"{APIS[T]}/claims", json=taken, headers=auth), 409)["detail"]
    problem(client.post(f"{APIS[T]}/topics", json={"slug": "death-toll", "title": "again", "kind": "figure",
                                                   "unit": "people"}, headers=auth), 409)
    problem(client.post(f"{APIS[T]}/incidents", json={"slug": "tower-fire", "title": "again",
                                                      "occurred": "2017-06-14"}, headers=auth), 409)
    assert event_count(client) == before
    fire = ok(client, f"{APIS[T]}/claims/ministry-toll-164").get_json()
    assert fire["entry_version"] == 2 and [v["text"] for v in fire["versions"]] == ["Reporters counted 64 dead."]
    # The Kazakh slugs are free in the tower fire's story.
    topic = client.post(f"{APIS[T]}/topics", json={"slug": "nature-of-the-violence", "title": "Was it arson?"},
                        headers=auth)
    assert topic.status_code == 201 and topic.headers["Location"].endswith(f"{APIS[T]}/topics/nature-of-the-violence")
    claim = client.post(f"{APIS[T]}/claims", json={**taken, "slug": "prosecutor-death-toll"}, headers=auth)
    assert claim.status_code == 201 and claim.get_json()["story"] == T
    assert ok(client, f"{APIS[K]}/claims/prosecutor-death-toll").get_json()["versions"][0]["figure"]["value"] == 225
    assert ok(client, f"{APIS[K]}/topics/nature-of-the-violence").get_json()["kind"] == "question"


def test_an_estimate_and_a_two_figure_statement_round_trip(client, auth):
    body = {"slug": "count-with-estimate", "source": "city-police", "topic": "death-toll", "stated": "2017-06-22",
            "text": "Between 60 and 90 dead, most likely 72; 40 still missing.",
            "quote": "entre 60 et 90 morts", "quote_language": "fr",
            "original": {"language": "fr", "text": "entre 60 et 90 morts", "translator": "the desk"},
            "figure": {"low": 60, "best": 72, "high": 90, "unit": "people", "qualifier": "about"},
            "figures": [{"topic": "missing", "value": 40, "unit": "people"}],
            "citations": [{"document": "a test"}]}
    created = client.post(f"{APIS[T]}/claims", json=body, headers=auth)
    assert created.status_code == 201, created.get_data(as_text=True)
    read = ok(client, created.headers["Location"])
    assert read.headers["ETag"] == created.headers["ETag"]
    stated = read.get_json()["versions"][0]
    assert {k: stated["figure"][k] for k in ("low", "best", "high", "value")} == {
        "low": 60, "best": 72, "high": 90, "value": None}
    assert all(type(stated["figure"][k]) is int for k in ("low", "best", "high"))
    assert [(f["topic"], f["value"], type(f["value"])) for f in stated["figures"]] == [("missing", 40, int)]
    assert (stated["quote_language"], stated["original"]) == ("fr", body["original"])
    missing = ok(client, f"{APIS[T]}/topics/missing/history").get_json()["history"]
    assert any(e["claim"] == "count-with-estimate" and e["figure"]["value"] == 40 for e in missing)

    revised = client.post(f"{created.headers['Location']}/events", headers={**auth, "If-Match": read.headers["ETag"]},
                          json={"type": "revised", "stated": "2017-06-25", "quote": "about 70 dead",
                                "quote_language": "en",
                                "figure": {"low": 65, "best": 70, "high": 75, "unit": "people"},
                                "figures": [{"topic": "missing", "low": 20, "best": 25, "high": 30, "unit": "people"}]})
    assert revised.status_code == 200, revised.get_data(as_text=True)
    latest = ok(client, created.headers["Location"]).get_json()["versions"][-1]
    assert (latest["figure"]["best"], latest["figures"][0]["best"]) == (70, 25)
    assert (latest["quote"], latest["quote_language"]) == ("about 70 dead", "en")
    assert latest["figures"][0]["topic"] == "missing"
    refused = client.post(f"{created.headers['Location']}/events",
                          headers={**auth, "If-Match": revised.headers["ETag"]},
                          json={"type": "revised", "stated": "2017-06-26",
                                "figures": [{"topic": "missing", "low": 30, "best": 25, "high": 20, "unit": "people"}]})
    assert "#/figures/0/low" in {e["pointer"] for e in problem(refused, 422)["errors"]}
    before = event_count(client)
    elsewhere = client.post(f"{APIS[T]}/claims", headers=auth, json={
        **body, "slug": "figure-on-another-storys-topic",
        "figures": [{"topic": "injured", "value": 1, "unit": "people"}]})
    assert "injured" in problem(elsewhere, 404)["detail"], "a figure's topic is looked up in the claim's story"
    on_a_question = client.post(f"{APIS[K]}/claims", headers=auth, json={
        **body, "slug": "figure-on-a-question", "source": "tokayev", "topic": "death-toll",
        "figures": [{"topic": "nature-of-the-violence", "value": 1, "unit": "people"}]})
    assert problem(on_a_question, 422)["errors"][0]["pointer"] == "#/figures/0/topic"
    assert event_count(client) == before


def test_a_retracted_claim_is_reinstated_through_the_events_endpoint(client, auth):
    url = f"{APIS[K]}/claims/ministry-toll-164"
    etag = ok(client, url).headers["ETag"]
    reinstated = client.post(f"{url}/events", headers={**auth, "If-Match": etag},
                             json={"type": "reinstated", "stated": "2022-01-20", "note": "stood by it again",
                                   "citations": [{"document": "a later briefing"}]})
    assert reinstated.status_code == 200, reinstated.get_data(as_text=True)
    latest = reinstated.get_json()["versions"][-1]
    assert (latest["kind"], latest["note"]) == ("reinstated", "stood by it again")
    assert latest["recorded_by"] == "token:newsroom"
    assert reinstated.headers["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"'
    stale = client.post(f"{url}/events", headers={**auth, "If-Match": etag},
                        json={"type": "reinstated", "stated": "2022-01-21"})
    problem(stale, 412)
    wrong = client.post(f"{url}/events", headers={**auth, "If-Match": reinstated.headers["ETag"]},
                        json={"type": "reinstated", "stated": "2022-01-21", "reason": "no"})
    assert {e["pointer"] for e in problem(wrong, 422)["errors"]} == {"#/reason"}
    fire = ok(client, f"{APIS[T]}/claims/ministry-toll-164").get_json()
    assert [v["kind"] for v in fire["versions"]] == ["stated"]


def test_a_story_started_over_the_api_takes_its_own_entries(client, auth):
    started = client.post("/api/v1/stories", headers=auth, json={
        "slug": "third-story", "title": "A third story", "period": "2023"})
    assert started.status_code == 201 and started.headers["Location"].endswith("/api/v1/stories/third-story")
    assert started.get_json()["counts"] == {"topics": 0, "incidents": 0, "claims": 0}
    problem(client.post("/api/v1/stories", headers=auth, json={"slug": "third-story", "title": "again"}), 409)
    topic = client.post("/api/v1/stories/third-story/topics", headers=auth,
                        json={"slug": "death-toll", "title": "A third toll", "kind": "figure", "unit": "people"})
    assert topic.status_code == 201 and topic.get_json()["story"] == "third-story"
    listed = {s["slug"]: s for s in ok(client, "/api/v1/stories").get_json()["items"]}
    assert listed["third-story"]["counts"]["topics"] == 1 and listed[T]["counts"]["topics"] == 2
    assert ok(client, "/stories/third-story/timeline").status_code == 200


def test_a_file_loaded_over_the_api_must_name_its_story_when_there_are_several(client, auth):
    claim = {"slug": "loaded-claim", "source": "city-police", "topic": "death-toll", "stated": "2017-06-30",
             "text": "Loaded.", "citations": [{"document": "a test"}]}
    before = event_count(client)
    answer = problem(client.post("/api/v1/load", headers=auth, json={"claims": [claim]}), 422)
    assert "#/story" in {e["pointer"] for e in answer["errors"]} and event_count(client) == before
    loaded = client.post("/api/v1/load", headers=auth, json={"story": T, "claims": [claim]})
    assert loaded.status_code == 200 and loaded.get_json()["created"]["claim"] == 1
    assert ok(client, f"{APIS[T]}/claims/loaded-claim").get_json()["story"] == T
    problem(client.get(f"{APIS[K]}/claims/loaded-claim"), 404)
    sources = client.post("/api/v1/load", headers=auth, json={"sources": [{"slug": "a-new-voice", "name": "A New Voice",
                                                                           "camp": "expert"}]})
    assert sources.status_code == 200 and sources.get_json()["created"]["source"] == 1
    assert {s["slug"] for s in ok(client, "/api/v1/stories").get_json()["items"]} == {K, T}


def test_a_source_registered_with_later_camps_moves_in_every_story(client, auth):
    body = {"slug": "turncoat", "name": "A Turncoat", "camp": "official",
            "camps": [{"camp": "opposition", "since": "2022-01-08", "citations": [{"document": "a test"}]}]}
    created = client.post("/api/v1/sources", headers=auth, json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert [c["camp"] for c in created.get_json()["camps"]][-1] == "opposition"
    problem(client.post("/api/v1/sources", headers=auth, json=body), 409)
