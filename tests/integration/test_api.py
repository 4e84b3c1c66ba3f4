"""The JSON API through Flask's test client: reads, writes, their errors, OpenAPI, exports and feeds."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

import pytest
from openapi_spec_validator import validate

from chronicle.exports import to_csv

API = "/api/v1/stories/kazakhstan-2022"

ATOM = "{http://www.w3.org/2005/Atom}"
NEW_CLAIM = {"slug": "api-toll-claim", "source": "prosecutor-general", "topic": "death-toll",
             "stated": "2022-01-20", "text": "An API-recorded figure.", "figure": {"value": 226, "unit": "people"},
             "citations": [{"document": "a test"}]}


@pytest.fixture
def auth(app):
    return {"Authorization": "Bearer " + app.extensions["chronicle_tokens"].create("newsroom")}


@pytest.fixture
def read_only(app):
    return {"Authorization": "Bearer " + app.extensions["chronicle_tokens"].create("reader", read_only=True)}


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"]
    return body


def pointers(body: dict) -> dict:
    return {e.get("pointer") or e.get("parameter"): e["detail"] for e in body["errors"]}


def event_count(client) -> int:
    return len(client.get("/api/v1/events.jsonl").get_data(as_text=True).splitlines())


# ----- reads


def test_narrative_keeps_date_precision_and_statuses(client):
    answer = client.get(f"{API}/narrative?as_of=2022-01-16&lens=official&limit=500").get_json()
    toll = next(g for g in answer["topics"] if g["topic"]["slug"] == "death-toll")
    assert toll["current"] == "prosecutor-death-toll"
    early = next(c for c in toll["claims"] if c["claim"] == "authorities-toll-fewer-than-50")
    assert early["status"] == "superseded"
    assert early["stated"]["edtf"] == "2022-01-06~" and early["stated"]["precision"] == "day"
    assert early["stated"]["approximate"] is True


def test_narrative_pages_over_topics_with_a_next_link(client):
    first = client.get(f"{API}/narrative?as_of=2022-01-16&limit=1")
    body = first.get_json()
    assert len(body["topics"]) == 1 and body["page"]["total"] > 1
    assert first.headers["Link"] == f'<{body["page"]["next"]}>; rel="next"'
    second = client.get(body["page"]["next"]).get_json()
    assert second["page"]["offset"] == 1 and second["topics"][0] != body["topics"][0]
    last = client.get(f"{API}/narrative?as_of=2022-01-16&limit=1&offset={body['page']['total'] - 1}")
    assert last.get_json()["page"]["next"] is None and "Link" not in last.headers


@pytest.mark.parametrize("query, name", [
    ("", "as_of"), ("as_of=2022-13-45", None), ("as_of=2022-01-07&limit=0", "limit"),
    ("as_of=2022-01-07&asof=2022-01-08", "asof"), ("as_of=07.01.2022", "as_of"),
])
def test_narrative_refuses_bad_queries_naming_the_parameter(client, query, name):
    body = problem(client.get(f"{API}/narrative?{query}"), 400)
    if name:
        assert name in pointers(body)


def test_an_unknown_lens_or_entry_is_404(client):
    problem(client.get(f"{API}/narrative?as_of=2022-01-07&lens=nobody-at-all"), 404)
    for path in (f"{API}/topics/nothing", f"{API}/claims/nothing", "/api/v1/sources/nothing",
                 f"{API}/incidents/nothing", f"{API}/topics/nothing/history"):
        assert "nothing" in problem(client.get(path), 404)["detail"]


def test_topics_and_a_topics_history(client):
    topics = client.get(f"{API}/topics").get_json()
    assert "death-toll" in {t["slug"] for t in topics["items"]}
    assert client.get(f"{API}/topics/death-toll").get_json()["kind"] == "figure"
    history = client.get(f"{API}/topics/death-toll/history").get_json()["history"]
    revisions = [h for h in history if h["claim"] == "prosecutor-death-toll"]
    assert [h["stated"]["precision"] for h in revisions] == ["day", "range", "day", "month"]
    assert revisions[1]["replaces"]["version"] == 0


def test_claims_and_a_claims_history_carry_its_etag(client):
    slugs = {c["slug"] for c in client.get(f"{API}/claims?limit=500").get_json()["items"]}
    assert {"ministry-toll-164", "prosecutor-death-toll"} <= slugs
    response = client.get(f"{API}/claims/ministry-toll-164")
    body = response.get_json()
    assert response.headers["ETag"] == f'"{body["entry_version"]}"'
    assert [v["kind"] for v in body["versions"]] == ["stated", "retracted"]


def test_sources_are_found_by_alias(client):
    assert "tokayev" in {s["slug"] for s in client.get("/api/v1/sources?limit=500").get_json()["items"]}
    answer = client.get("/api/v1/sources/Kassym-Zhomart Tokayev").get_json()
    assert answer["source"]["slug"] == "tokayev" and answer["versions"]


def test_diff_between_two_days(client):
    answer = client.get(f"{API}/diff?from=2022-01-05&to=2022-01-11&lens=official").get_json()
    assert answer["from"] == "2022-01-05"
    assert "ministry-toll-164" in {c["claim"]["claim"] for c in answer["retracted"]}
    assert "to" in pointers(problem(client.get(f"{API}/diff?from=2022-01-05"), 400))


def test_incidents_filter_by_occurred_range_and_place(client, auth):
    for slug, occurred, place in (("square-clash", {"date": "2022-01-05", "part_of_day": "night"}, "Republic Square, Almaty"),
                                  ("aktobe-riot", "2022-01", "Aktobe"), ("later-trial", "2022-06-01", "Almaty court")):
        response = client.post(f"{API}/incidents", json={"slug": slug, "title": slug, "occurred": occurred,
                                                          "place": place}, headers=auth)
        assert response.status_code == 201 and response.headers["Location"].endswith(f"/incidents/{slug}")
    found = client.get(f"{API}/incidents?occurred_from=2022-01-06&occurred_to=2022-01-31&limit=500").get_json()
    slugs = {i["slug"] for i in found["items"]}
    assert "aktobe-riot" in slugs and "square-clash" not in slugs and "later-trial" not in slugs
    almaty = client.get(f"{API}/incidents?place=almaty&occurred_to=2022-01-31").get_json()["items"]
    assert "square-clash" in {i["slug"] for i in almaty} and "later-trial" not in {i["slug"] for i in almaty}
    one = client.get(f"{API}/incidents/aktobe-riot").get_json()
    assert one["occurred"]["edtf"] == "2022-01" and one["occurred"]["precision"] == "month"
    assert "occurred_from" in problem(client.get(f"{API}/incidents?occurred_from=yesterday"), 400)["detail"]


def test_the_event_log_pages_by_cursor(client):
    first = client.get("/api/v1/events?limit=5")
    body = first.get_json()
    assert [e["position"] for e in body["events"]] == [1, 2, 3, 4, 5] and body["next_after"] == 5
    assert 'after=5' in first.headers["Link"] and 'rel="next"' in first.headers["Link"]
    assert client.get("/api/v1/events?after=5&limit=2").get_json()["events"][0]["position"] == 6
    total = event_count(client)
    tail = client.get(f"/api/v1/events?after={total - 1}&limit=5").get_json()
    assert len(tail["events"]) == 1 and tail["next_after"] is None
    problem(client.get("/api/v1/events?after=-1"), 400)


def test_full_text_search(client):
    results = client.get("/api/v1/search?q=death toll").get_json()["results"]
    assert results and results[0]["slug"] == "death-toll"
    claims = client.get("/api/v1/search?q=toll&kind=claim").get_json()["results"]
    assert claims and {r["kind"] for r in claims} == {"claim"}
    problem(client.get("/api/v1/search"), 400)
    assert "kind" in pointers(problem(client.get("/api/v1/search?q=toll&kind=planet"), 400))


def test_a_lens_history_is_every_version_by_its_sources(client):
    history = client.get(f"{API}/lenses/official/history").get_json()["history"]
    assert all("official" in (h["source"]["camp"], (h["via"] or {}).get("camp")) for h in history)
    assert [h["stated"]["on"] for h in history] == sorted(h["stated"]["on"] for h in history)


# ----- writes: who may write


def test_writes_need_a_token(client, app):
    response = client.post("/api/v1/sources", json={"slug": "x", "name": "X", "camp": "official"})
    problem(response, 401)
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    wrong = client.post("/api/v1/sources", json={}, headers={"Authorization": "Bearer chr_not-a-real-token"})
    assert "revoked" in problem(wrong, 401)["detail"]
    assert "invalid_token" in wrong.headers["WWW-Authenticate"]


def test_a_read_only_token_is_forbidden_and_a_revoked_one_unknown(client, app, read_only, auth):
    problem(client.post(f"{API}/topics", json={"slug": "t", "title": "T"}, headers=read_only), 403)
    app.extensions["chronicle_tokens"].revoke("newsroom")
    problem(client.post(f"{API}/topics", json={"slug": "t", "title": "T"}, headers=auth), 401)
    problem(client.get(f"{API}/topics/t"), 404)


def test_creating_entries_stamps_the_tokens_name_on_every_event(client, auth):
    assert client.post("/api/v1/sources", json={"slug": "api-outlet", "name": "API Outlet", "camp": "independent-media",
                                                "kind": "outlet", "aliases": ["The Outlet"]}, headers=auth).status_code == 201
    topic = client.post(f"{API}/topics", json={"slug": "api-topic", "title": "A topic", "kind": "figure",
                                                "unit": "people"}, headers=auth)
    assert topic.status_code == 201 and topic.get_json()["unit"] == "people"
    claim = client.post(f"{API}/claims", json={**NEW_CLAIM, "source": "The Outlet", "topic": "api-topic"}, headers=auth)
    assert claim.status_code == 201 and claim.headers["ETag"] == '"1"'
    assert claim.headers["Location"].endswith(f"{API}/claims/api-toll-claim")
    assert claim.get_json()["versions"][0]["recorded_by"] == "token:newsroom"
    events = client.get("/api/v1/events?limit=500").get_json()["events"]
    assert [e["editor"] for e in events[-3:]] == ["token:newsroom"] * 3


def test_an_invalid_body_is_422_naming_each_field_and_nothing_is_stored(client, auth):
    before = event_count(client)
    body = {**NEW_CLAIM, "figure": {"value": "many", "unit": "people"}, "colour": "red"}
    del body["text"]
    answer = problem(client.post(f"{API}/claims", json=body, headers=auth), 422)
    assert pointers(answer) == {"#/figure/value": "Not a valid number.", "#/colour": "Unknown field.",
                                "#/text": "Missing data for required field."}
    assert event_count(client) == before
    nested = problem(client.post(f"{API}/claims", json={**NEW_CLAIM, "citations": [{"url": "nope"}]}, headers=auth), 422)
    assert set(pointers(nested)) == {"#/citations/0/document", "#/citations/0/url"}
    assert "#/slug" in pointers(problem(client.post(f"{API}/topics", json={"title": "no slug"}, headers=auth), 422))


def test_links_and_events_are_not_accepted_when_creating_a_claim(client, auth):
    answer = problem(client.post(f"{API}/claims", json={**NEW_CLAIM, "links": []}, headers=auth), 422)
    assert pointers(answer) == {"#/links": "Unknown field."}


def test_a_reference_to_nothing_is_404_and_a_duplicate_slug_409(client, auth):
    assert "nobody" in problem(client.post(f"{API}/claims", json={**NEW_CLAIM, "source": "nobody"}, headers=auth), 404)["detail"]
    problem(client.post(f"{API}/topics", json={"slug": "death-toll", "title": "again"}, headers=auth), 409)


def test_bodies_must_be_json_objects_of_a_documented_size(client, auth):
    problem(client.post(f"{API}/topics", data="slug=x", headers=auth, content_type="application/x-www-form-urlencoded"), 415)
    problem(client.post(f"{API}/topics", data="{not json", headers=auth, content_type="application/json"), 400)
    problem(client.post(f"{API}/topics", json=["a", "list"], headers=auth), 422)
    huge = {"slug": "huge", "title": "x" * (1024 * 1024)}
    problem(client.post(f"{API}/topics", json=huge, headers=auth), 413)


# ----- writes: optimistic concurrency


def revise(client, auth, etag: str | None, figure: int = 240, claim: str = "prosecutor-death-toll"):
    headers = {**auth, **({"If-Match": etag} if etag else {})}
    return client.post(f"{API}/claims/{claim}/events", headers=headers,
                       json={"type": "revised", "stated": "2022-09-01", "figure": {"value": figure, "unit": "people"},
                             "citations": [{"document": "a later statement"}]})


def test_revise_with_if_match_then_a_stale_write_is_refused(client, auth):
    etag = client.get(f"{API}/claims/prosecutor-death-toll").headers["ETag"]
    first = revise(client, auth, etag)
    assert first.status_code == 200
    assert first.headers["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"'
    latest = first.get_json()["versions"][-1]
    assert latest["figure"]["value"] == 240 and latest["recorded_by"] == "token:newsroom"
    before = event_count(client)
    stale = revise(client, auth, etag, figure=999)
    assert "someone else changed it first" in problem(stale, 412)["detail"]
    assert stale.headers["ETag"] == first.headers["ETag"]
    assert event_count(client) == before
    assert client.get(f"{API}/claims/prosecutor-death-toll").get_json()["versions"][-1]["figure"]["value"] == 240


def test_a_missing_if_match_is_428_and_writes_nothing(client, auth):
    before = event_count(client)
    assert "If-Match" in problem(revise(client, auth, None), 428)["detail"]
    assert event_count(client) == before


def test_if_match_star_several_tags_and_weak_tags(client, auth):
    assert revise(client, auth, "*").status_code == 200
    current = client.get(f"{API}/claims/prosecutor-death-toll").headers["ETag"]
    assert revise(client, auth, f'"0", {current}', figure=241).status_code == 200
    now = client.get(f"{API}/claims/prosecutor-death-toll").headers["ETag"]
    problem(revise(client, auth, f"W/{now}", figure=242), 412)


def test_retract_and_correct_with_if_match(client, auth):
    url = f"{API}/claims/authorities-toll-fewer-than-50"
    etag = client.get(url).headers["ETag"]
    retracted = client.post(f"{url}/events", headers={**auth, "If-Match": etag},
                            json={"type": "retracted", "stated": "2022-01-08", "reason": "withdrawn"})
    assert retracted.status_code == 200 and retracted.get_json()["versions"][-1]["kind"] == "retracted"
    corrected = client.post(f"{url}/events", headers={**auth, "If-Match": retracted.headers["ETag"]},
                            json={"type": "corrected", "version": 0, "changes": {"text": "Fewer than 50 had died."},
                                  "reason": "our paraphrase was loose"})
    body = corrected.get_json()
    assert corrected.status_code == 200 and body["corrections"][-1]["by"] == "token:newsroom"
    assert body["versions"][0]["text"] == "Fewer than 50 had died."
    problem(client.post(f"{url}/events", headers={**auth, "If-Match": etag},
                        json={"type": "corrected", "changes": {"note": "x"}, "reason": "stale"}), 412)


def test_a_claim_event_refuses_fields_of_another_type(client, auth):
    etag = client.get(f"{API}/claims/prosecutor-death-toll").headers["ETag"]
    answer = problem(client.post(f"{API}/claims/prosecutor-death-toll/events", headers={**auth, "If-Match": etag},
                                 json={"type": "revised", "stated": "2022-09-01", "text": "t", "reason": "why"}), 422)
    assert pointers(answer) == {"#/reason": "not used by a revised event"}
    answer = problem(client.post(f"{API}/claims/prosecutor-death-toll/events", headers={**auth, "If-Match": etag},
                                 json={"type": "revised", "stated": "2022-09-01"}), 422)
    assert "#/text" in pointers(answer)


def test_a_domain_refusal_is_422(client, auth):
    etag = client.get(f"{API}/claims/prosecutor-death-toll").headers["ETag"]
    early = client.post(f"{API}/claims/prosecutor-death-toll/events", headers={**auth, "If-Match": etag},
                        json={"type": "revised", "stated": "2021-12-01", "text": "before it was said"})
    problem(early, 422)


def test_unknown_claim_events_are_404(client, auth):
    problem(revise(client, auth, '"1"', claim="no-such-claim"), 404)


def test_linking_claims_with_an_optional_if_match(client, auth):
    url = f"{API}/claims/health-ministry-denies-164/links"
    body = {"relation": "contradicts", "target": "authorities-toll-fewer-than-50", "note": "test"}
    linked = client.post(url, json=body, headers=auth)
    assert linked.status_code == 200
    made = {(link["relation"], link["direction"], link["claim"]) for link in linked.get_json()["links"]}
    assert ("contradicts", "out", "authorities-toll-fewer-than-50") in made
    problem(client.post(url, json=body, headers={**auth, "If-Match": '"0"'}), 412)
    assert client.post(url, json=body, headers={**auth, "If-Match": linked.headers["ETag"]}).status_code == 200
    assert "#/relation" in pointers(problem(client.post(url, json={**body, "relation": "likes"}, headers=auth), 422))


def test_loading_a_chronicle_file(client, auth):
    document = {"sources": [{"slug": "api-loaded", "name": "Loaded", "camp": "expert"}],
                "claims": [{**NEW_CLAIM, "slug": "api-loaded-claim", "source": "api-loaded"}]}
    first = client.post("/api/v1/load", json=document, headers=auth)
    assert first.status_code == 200 and first.get_json()["created"]["claim"] == 1
    assert client.post("/api/v1/load", json=document, headers=auth).get_json()["events"] == 0
    broken = {"claims": [{**NEW_CLAIM, "slug": "api-broken", "topic": "no-such-topic"}]}
    assert "no-such-topic" in problem(client.post("/api/v1/load", json=broken, headers=auth), 422)["detail"]
    problem(client.get(f"{API}/claims/api-broken"), 404)
    assert "#/claims/0/stated" in pointers(problem(client.post("/api/v1/load", headers=auth, json={
        "claims": [{**NEW_CLAIM, "stated": "sometime"}]}), 422))


# ----- OpenAPI and its docs page


def test_the_openapi_document_is_valid_and_describes_every_route(client, app):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert spec["servers"] == [{"url": "http://localhost"}]
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    documented = {path.replace("{", "<").replace("}", ">") for path in spec["paths"]}
    assert documented == routes
    revise_op = spec["paths"]["/api/v1/stories/{story}/claims/{claim}/events"]["post"]
    assert {"401", "403", "404", "412", "413", "415", "422", "428"} <= set(revise_op["responses"])
    assert revise_op["security"] == [{"bearer": []}]
    assert revise_op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("ClaimEventRecord")
    narrative = spec["paths"]["/api/v1/stories/{story}/narrative"]["get"]
    assert {"as_of", "lens", "known_at", "limit", "offset"} <= {p["name"] for p in narrative["parameters"]}
    assert "DateOut" in spec["components"]["schemas"]


def test_the_docs_page_works_offline(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page and "/static/js/api-docs.js" in page
    assert "validatorUrl: null" in client.get("/static/js/api-docs.js").get_data(as_text=True)
    assert "https://" not in page and "http://" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/static/vendor/swagger-ui/{asset}").status_code == 200


# ----- exports and feeds


def test_narrative_csv(client):
    response = client.get(f"{API}/narrative.csv?as_of=2022-01-16&lens=official")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    toll = next(r for r in rows if r["claim"] == "prosecutor-death-toll")
    assert toll["status"] == "current" and toll["stated"] == "2022-01-15" and toll["figure_value"] == "225"
    problem(client.get(f"{API}/narrative.csv"), 400)


def test_topic_history_csv(client):
    rows = list(csv.DictReader(io.StringIO(client.get(f"{API}/topics/death-toll/history.csv").get_data(as_text=True))))
    month = next(r for r in rows if r["claim"] == "prosecutor-death-toll" and r["precision"] == "month")
    assert month["stated"] == "2022-08" and month["replaces_figure"]


def test_csv_cells_cannot_run_as_spreadsheet_formulas():
    text = to_csv(["a", "b", "c"], [{"a": "=HYPERLINK(\"x\")", "b": -3, "c": "-3 people"}])
    assert list(csv.reader(io.StringIO(text)))[1] == ["'=HYPERLINK(\"x\")", "-3", "'-3 people"]


def test_the_event_log_as_json_lines(client):
    lines = client.get("/api/v1/events.jsonl").get_data(as_text=True).splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["position"] for e in events] == list(range(1, len(events) + 1))
    assert client.get("/api/v1/events.jsonl?after=3").get_data(as_text=True).splitlines()[0] == lines[3]


def test_a_lens_timeline_for_timelinejs(client):
    timeline = client.get(f"{API}/lenses/official/timeline.json").get_json()
    assert timeline["title"]["text"]["headline"]
    slides = {s["unique_id"]: s for s in timeline["events"]}
    assert slides["prosecutor-death-toll-v3"]["start_date"] == {"year": 2022, "month": 8, "display_date": "2022-08"}
    ranged = slides["prosecutor-death-toll-v1"]
    assert ranged["start_date"]["day"] == 21 and ranged["end_date"] == {"year": 2022, "month": 1, "day": 31}
    assert all(s["group"] for s in timeline["events"])


def test_atom_feeds_of_revisions_and_retractions(client):
    feed = ElementTree.fromstring(client.get(f"{API}/topics/death-toll/feed.atom").data)
    entries = feed.findall(f"{ATOM}entry")
    kinds = {c.get("term") for e in entries for c in e.findall(f"{ATOM}category")}
    assert {"revised", "retracted"} <= kinds and "stated" not in kinds
    assert len({e.find(f"{ATOM}id").text for e in entries}) == len(entries)
    lens = client.get(f"{API}/lenses/official/feed.atom")
    assert lens.mimetype == "application/atom+xml"
    titles = [e.find(f"{ATOM}title").text for e in ElementTree.fromstring(lens.data).findall(f"{ATOM}entry")]
    assert any("retracted" in t for t in titles) and any("→" in t for t in titles)
    problem(client.get(f"{API}/topics/nothing/feed.atom"), 404)


def test_an_empty_if_match_is_a_stale_precondition_not_a_crash(client, auth):
    """Found by the fuzzer: If-Match: "" once raised a server error."""
    response = client.post(f"{API}/claims/prosecutor-death-toll/links", headers={**auth, "If-Match": '""'},
                           json={"relation": "disputes", "target": "ministry-toll-164"})
    assert response.status_code == 412
