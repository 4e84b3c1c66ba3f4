"""Narratives as Memento resources, checked against the header formats of RFC 7089's examples.

RFC 7089 (section 4, pattern 2.2: a separate TimeGate that redirects):

    HTTP/1.1 302 Found
    Vary: accept-datetime
    Location: <URI-M>
    Link: <URI-R>; rel="original", <URI-T>; rel="timemap"; type="application/link-format";
          from="..."; until="...", <URI-M1>; rel="first memento"; datetime="...", ...

and a memento answers 200 with ``Memento-Datetime: <HTTP-date>`` and a Link header naming the
original, its TimeGate and its TimeMap. Dates are IMF-fixdate HTTP-dates in GMT.
"""

from __future__ import annotations

import json
import re
import time
from datetime import date
from pathlib import Path

import pytest

from chronicle.loader import load_chronicle
from chronicle_web import create_app
from tests.integration.test_api import auth, problem  # noqa: F401  (fixtures)

API = "/api/v1/stories/kazakhstan-2022"

HTTP_DATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$")
STATED_MEMENTO = re.compile(rf"^http://localhost{API}/lenses/official/stated/(\d{{4}}-\d{{2}}-\d{{2}})/known-at/([0-9T:.\-]+Z)$")


def links(header: str) -> list[tuple[str, dict]]:
    """An RFC 8288 Link header (or link-format body) as (uri, params) pairs."""
    found = re.findall(r'<([^>]*)>((?:\s*;\s*[\w-]+="[^"]*")*)', header)
    return [(uri, dict(re.findall(r'([\w-]+)="([^"]*)"', params))) for uri, params in found]


def by_rel(header: str) -> dict[str, tuple[str, dict]]:
    return {rel: (uri, params) for uri, params in links(header) for rel in [params.get("rel")]}


def negotiate(client, moment: str | None, **query):
    headers = {"Accept-Datetime": moment} if moment else {}
    return client.get(f"{API}/lenses/official/timegate", headers=headers, query_string=query)


def test_the_original_resource_links_to_its_timegate_and_timemap(client):
    response = client.get(f"{API}/lenses/official/narrative")
    assert response.status_code == 200 and response.get_json()["as_of"] == date.today().isoformat()
    rels = by_rel(response.headers["Link"])
    assert rels["timegate"][0] == f"http://localhost{API}/lenses/official/timegate"
    assert rels["timemap"] == (f"http://localhost{API}/lenses/official/timemap", {
        "rel": "timemap", "type": "application/link-format"})


def test_the_timegate_redirects_to_the_memento_of_that_day(client, app):
    response = negotiate(client, "Fri, 07 Jan 2022 12:00:00 GMT")
    assert response.status_code == 302
    assert response.headers["Vary"] == "accept-datetime"
    day, pinned = STATED_MEMENTO.match(response.headers["Location"]).groups()
    assert day == "2022-01-07"
    assert pinned == app.extensions["chronicle"].last_recorded_at().replace("+00:00", "Z")
    rels = by_rel(response.headers["Link"])
    assert rels["original"][0] == f"http://localhost{API}/lenses/official/narrative"
    timemap = rels["timemap"][1]
    assert timemap["type"] == "application/link-format"
    assert HTTP_DATE.match(timemap["from"]) and HTTP_DATE.match(timemap["until"])
    first, last = rels["first memento"], rels["last memento"]
    assert HTTP_DATE.match(first[1]["datetime"]) and first[1]["datetime"] == timemap["from"]
    assert last[1]["datetime"] == timemap["until"]
    assert STATED_MEMENTO.match(first[0]) and STATED_MEMENTO.match(last[0])


def test_a_memento_carries_its_datetime_links_and_long_lived_cache_headers(client):
    location = negotiate(client, "Fri, 07 Jan 2022 12:00:00 GMT").headers["Location"]
    memento = client.get(location)
    assert memento.status_code == 200
    assert memento.headers["Memento-Datetime"] == "Fri, 07 Jan 2022 00:00:00 GMT"
    assert "immutable" in memento.headers["Cache-Control"] and "max-age=31536000" in memento.headers["Cache-Control"]
    rels = by_rel(memento.headers["Link"])
    assert rels["original"][0] == f"http://localhost{API}/lenses/official/narrative"
    assert rels["timegate"][0] == f"http://localhost{API}/lenses/official/timegate"
    assert rels["timemap"][1]["type"] == "application/link-format" and "known_at=" in rels["timemap"][0]
    assert {"first memento", "last memento"} <= set(rels) or "first last memento" in rels
    same = client.get(f"{API}/narrative?as_of=2022-01-07&limit=500").get_json()
    assert memento.get_json()["topics"] == same["topics"]


def test_negotiation_picks_the_latest_memento_at_or_before_the_datetime(client, app):
    days = app.extensions["chronicle"].narrative_days("official")
    quiet = next(day for day in (date.fromordinal(d) for d in range(date(2022, 1, 5).toordinal(),
                                                                     date(2022, 3, 1).toordinal()))
                 if day.isoformat() not in days)
    wanted = quiet.strftime("%a, %d %b %Y 23:00:00 GMT")
    expected = max(d for d in days if d <= quiet.isoformat())
    assert STATED_MEMENTO.match(negotiate(client, wanted).headers["Location"]).group(1) == expected
    midnight = date.fromisoformat(days[1]).strftime("%a, %d %b %Y 00:00:00 GMT")
    assert STATED_MEMENTO.match(negotiate(client, midnight).headers["Location"]).group(1) == days[1]


def test_before_the_first_memento_the_first_and_without_accept_datetime_the_last(client, app):
    days = app.extensions["chronicle"].narrative_days("official")
    assert STATED_MEMENTO.match(negotiate(client, "Thu, 01 Jan 1970 00:00:00 GMT").headers["Location"]).group(1) == days[0]
    assert STATED_MEMENTO.match(negotiate(client, None).headers["Location"]).group(1) == days[-1]
    assert STATED_MEMENTO.match(negotiate(client, "Sat, 01 Jan 2050 00:00:00 GMT").headers["Location"]).group(1) == days[-1]


@pytest.mark.parametrize("malformed", [
    "2022-01-07", "Fri, 07 Jan 2022 12:00:00 +0000", "Friday, 07-Jan-22 12:00:00 GMT",
    "Fri Jan  7 12:00:00 2022", "Fri, 7 Jan 2022 12:00:00 GMT", "yesterday",
])
def test_a_malformed_accept_datetime_is_400_with_links(client, malformed):
    response = negotiate(client, malformed)
    assert "HTTP-date" in problem(response, 400)["detail"]
    assert response.headers["Vary"] == "accept-datetime"
    rels = by_rel(response.headers["Link"])
    assert set(rels) == {"original", "timemap"}


def test_the_timemap_lists_one_memento_per_day_the_narrative_changed(client, app):
    response = client.get(f"{API}/lenses/official/timemap")
    assert response.status_code == 200 and response.mimetype == "application/link-format"
    entries = links(response.get_data(as_text=True))
    assert entries[0] == (f"http://localhost{API}/lenses/official/narrative", {"rel": "original"})
    assert entries[1][1]["rel"] == "self" and entries[1][1]["type"] == "application/link-format"
    assert entries[2] == (f"http://localhost{API}/lenses/official/timegate", {"rel": "timegate"})
    mementos = entries[3:]
    days = app.extensions["chronicle"].narrative_days("official")
    assert [STATED_MEMENTO.match(uri).group(1) for uri, _ in mementos] == days
    assert mementos[0][1]["rel"] == "first memento" and mementos[-1][1]["rel"] == "last memento"
    assert {p["rel"] for _, p in mementos[1:-1]} == {"memento"}
    assert entries[1][1]["from"] == mementos[0][1]["datetime"] and entries[1][1]["until"] == mementos[-1][1]["datetime"]
    for uri, params in mementos:
        assert client.get(uri).headers["Memento-Datetime"] == params["datetime"]


def test_consecutive_mementos_differ_and_days_between_repeat_the_last(client, app):
    days = app.extensions["chronicle"].narrative_days("official")
    topics = {day: client.get(f"{API}/narrative?as_of={day}&limit=500").get_json()["topics"] for day in days}
    assert all(topics[a] != topics[b] for a, b in zip(days, days[1:]))
    day = date.fromisoformat(days[0])
    while day.isoformat() <= days[-1]:
        latest = max(d for d in days if d <= day.isoformat())
        assert client.get(f"{API}/narrative?as_of={day}&limit=500").get_json()["topics"] == topics[latest]
        day = date.fromordinal(day.toordinal() + 1)


def test_a_memento_never_changes_and_a_later_write_gets_a_new_pin(client, auth):
    def words(url):
        return {c["claim"]: c["text"] for g in client.get(url).get_json()["topics"] for c in g["claims"]}
    old_location = negotiate(client, "Sun, 16 Jan 2022 12:00:00 GMT").headers["Location"]
    before = client.get(old_location).get_json()
    etag = client.get(f"{API}/claims/prosecutor-death-toll").headers["ETag"]
    correction = client.post(f"{API}/claims/prosecutor-death-toll/events", headers={**auth, "If-Match": etag},
                             json={"type": "corrected", "version": 0, "changes": {"text": "Corrected words."},
                                   "reason": "our paraphrase"})
    assert correction.status_code == 200
    assert client.get(old_location).get_json() == before
    assert words(old_location)["prosecutor-death-toll"] != "Corrected words."
    new_location = negotiate(client, "Sun, 16 Jan 2022 12:00:00 GMT").headers["Location"]
    assert new_location != old_location
    assert words(new_location)["prosecutor-death-toll"] == "Corrected words."
    pinned = STATED_MEMENTO.match(old_location).group(2)
    timemap = client.get(f"{API}/lenses/official/timemap?known_at={pinned}")
    assert "immutable" in timemap.headers["Cache-Control"] and old_location in timemap.get_data(as_text=True)


def test_a_memento_pinned_in_the_future_or_on_no_day_is_400(client):
    problem(client.get(f"{API}/lenses/official/stated/2022-01-07/known-at/2999-01-01T00:00:00Z"), 400)
    problem(client.get(f"{API}/lenses/official/stated/2022-13-07/known-at/2020-01-01T00:00:00Z"), 400)
    problem(client.get(f"{API}/lenses/official/stated/2022-01-07/known-at/last-week"), 400)
    problem(negotiate(client, None, known_at="2999-01-01"), 400)


def test_an_unknown_lens_is_404(client):
    problem(client.get(f"{API}/lenses/nobody-at-all/timegate"), 404)
    problem(client.get(f"{API}/lenses/nobody-at-all/narrative"), 404)


def test_an_empty_chronicle_has_no_mementos(tmp_path):
    empty = create_app({"CHRONICLE_DATA": str(tmp_path / "empty"), "TESTING": True})
    client = empty.test_client()
    problem(client.get("/api/v1/lenses/official/timegate"), 404)
    empty.extensions["chronicle"].start_story("quiet", "A story in which nothing is stated yet")
    for resource in ("timegate", "timemap"):
        assert "no mementos" in problem(client.get(f"/api/v1/stories/quiet/lenses/everyone/{resource}"), 404)["detail"]


def test_the_recorded_axis_negotiates_what_the_chronicle_knew_then(client, app, auth):
    chronicle = app.extensions["chronicle"]
    loaded = chronicle.last_recorded_at()
    time.sleep(1.1)  # recorded mementos are one per second
    with chronicle.editing_as("fixture-loader"):
        load_chronicle(chronicle, _extra_claim(app.config["CHRONICLE_DATA"]))
    timemap = client.get(f"{API}/lenses/official/timemap?axis=recorded&as_of=2022-01-20")
    mementos = links(timemap.get_data(as_text=True))[3:]
    # The fixture's load may straddle a second boundary: then it has two mementos, not one.
    assert len(mementos) in (2, 3) and "first" in mementos[0][1]["rel"].split()
    before, after = mementos[-2], mementos[-1]
    between = after[1]["datetime"]
    old = client.get(f"{API}/lenses/official/timegate?axis=recorded&as_of=2022-01-20",
                     headers={"Accept-Datetime": before[1]["datetime"]})
    assert old.status_code == 302 and old.headers["Location"] == before[0]
    assert loaded.replace("+00:00", "Z") in old.headers["Location"]
    assert by_rel(old.headers["Link"])["original"][0].endswith("/lenses/official/narrative?as_of=2022-01-20")
    new = client.get(f"{API}/lenses/official/timegate?axis=recorded&as_of=2022-01-20",
                     headers={"Accept-Datetime": between}).headers["Location"]
    assert new == after[0]

    def claims(url):
        return {c["claim"] for g in client.get(url).get_json()["topics"] for c in g["claims"]}
    assert "recorded-later" not in claims(old.headers["Location"]) and "recorded-later" in claims(new)
    memento = client.get(new)
    assert memento.headers["Memento-Datetime"] == between and "immutable" in memento.headers["Cache-Control"]
    rels = by_rel(memento.headers["Link"])
    previous = next(url for rel, (url, _) in rels.items() if "prev" in rel.split())
    assert previous == before[0] and "last memento" not in rels


def _extra_claim(data_dir: str) -> Path:
    path = Path(data_dir).parent / "later.json"
    path.write_text(json.dumps({"story": "kazakhstan-2022", "claims": [{
        "slug": "recorded-later", "source": "tokayev", "topic": "death-toll", "stated": "2022-01-19",
        "text": "Recorded a second later.", "citations": [{"document": "a test"}]}]}))
    return path
