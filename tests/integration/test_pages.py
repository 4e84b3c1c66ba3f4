"""The reading pages through Flask's test client: the story as of a day, topics, claims, sources, audit, search."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

STORY = "/stories/kazakhstan-2022"


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def block(html: str, marker: str, end: str = "</li>") -> str:
    """The HTML from an element carrying ``marker`` to the first ``end`` after it."""
    start = html.index(marker)
    return html[start:html.index(end, start)]


def standing_toll(html: str) -> str:
    figure = block(html, 'data-topic="death-toll"', "</div>")
    return re.search(r'class="figure-value">([^<]+)<', figure)[1]


def test_the_timeline_gives_the_official_toll_of_the_day_and_its_retraction(client):
    on_9th = page(client, f"{STORY}/timeline?as_of=2022-01-09&lens=official")
    assert standing_toll(on_9th) == "164 people"
    assert "status-current" in block(on_9th, 'data-claim="ministry-toll-164"')
    on_10th = page(client, f"{STORY}/timeline?as_of=2022-01-10&lens=official")
    assert standing_toll(on_10th) == "fewer than 50 people"
    assert "badge status-retracted" in block(on_10th, 'data-claim="ministry-toll-164"')


def test_the_timeline_lists_incidents_in_occurred_order_with_their_claims(app, client):
    chronicle = app.extensions["chronicle"]
    chronicle.record_incident("test-square-rally", "A rally on the test square", "2022-01-03", place="Test square")
    chronicle.state_claim("test-rally-claim", "opendemocracy-reporters", "nature-of-the-violence", "2022-01-08",
                          "Reporters said the test rally was peaceful.", citations=[{"document": "notes"}],
                          incidents=["test-square-rally"])
    html = page(client, f"{STORY}/timeline?as_of=2022-01-09&lens=everyone")
    shown = re.findall(r'id="incident-([a-z0-9-]+)"', html)
    occurred = {i["slug"]: (i["occurred"]["on"]) for i in chronicle.incidents()}
    assert shown and [occurred[s] for s in shown] == sorted(occurred[s] for s in shown)
    assert all(occurred[s] <= "2022-01-09" for s in shown)
    rally = html[html.index('id="incident-test-square-rally"'):]
    rally = rally[:rally.index('class="moment')]
    assert 'data-claim="test-rally-claim"' in rally


def test_the_view_state_lives_in_the_url(client):
    html = page(client, f"{STORY}/timeline?as_of=2022-01-09&lens=independent-media")
    assert 'value="2022-01-09"' in html
    assert '<option value="independent-media" selected>' in html
    for day in ("2022-01-08", "2022-01-10"):
        assert f"as_of={day}&amp;lens=independent-media" in html
    joined = page(client, f"{STORY}/timeline?as_of=2022-01-09&lens=tokayev,independent-media")
    assert '<option value="tokayev,independent-media" selected>' in joined


def test_the_lens_picker_lists_sources_only_while_they_are_few(client, monkeypatch):
    from chronicle_web.pages import state

    html = page(client, f"{STORY}/narrative?as_of=2022-01-10&lens=tokayev")
    assert '<optgroup label="Sources">' in html and '<option value="tokayev" selected>' in html
    monkeypatch.setattr(state, "LISTED", 20)  # the fixture has 31 sources and 16 camps
    client.application.extensions["chronicle_bodies"].clear()  # pages are kept by position and question alone,
    monkeypatch.delitem(client.application.extensions, "chronicle_shared_bodies")  # here and in the shared file
    html = page(client, f"{STORY}/narrative?as_of=2022-01-10&lens=tokayev")
    assert '<optgroup label="Sources">' not in html and '<option value="expert">' in html
    assert '<option value="tokayev" selected>' in html, "the chosen lens stays chosen"
    monkeypatch.setattr(state, "LISTED", 10)
    assert '<optgroup label="Camps">' not in page(client, f"{STORY}/narrative?as_of=2022-01-10&lens=official")


def test_the_narrative_says_what_changed_since_the_day_before(client):
    html = page(client, f"{STORY}/narrative?as_of=2022-01-10&lens=official")
    changes = block(html, 'class="changes"', "</section>")
    assert 'class="retracted"' in changes and "#claim-ministry-toll-164" in changes
    assert 'id="claim-ministry-toll-164"' in html
    assert "as_of=2022-01-09" in block(html, 'class="days"', "</nav>")
    assert "as_of=2022-01-11" in block(html, 'class="days"', "</nav>")


def test_compare_lists_the_retraction_between_the_5th_and_the_11th(client):
    html = page(client, f"{STORY}/compare?from=2022-01-05&to=2022-01-11&lens=official")
    assert 'data-claim="ministry-toll-164"' in block(html, 'class="change-kind retracted"', "</section>")
    assert 'data-claim="authorities-toll-fewer-than-50"' in block(html, 'class="change-kind added"', "</section>")
    death_toll = block(html, "Death toll of the January events</a></th>", "</tr>")
    assert "nothing stated" in death_toll and "fewer than 50 people" in death_toll


def test_the_death_toll_chart_and_table_hold_the_six_official_values(client):
    html = page(client, f"{STORY}/topics/death-toll")
    svg = block(html, "<svg class=\"chart\"", "</svg>")
    ours = ("authorities-toll-fewer-than-50", "ministry-toll-164", "prosecutor-death-toll")
    points = re.findall(r'<g class="point official[^"]*" data-series="official" data-claim="([^"]+)" '
                        r'data-version="\d+" data-value="([\d,]+)"', svg)
    assert sorted(int(v.replace(",", "")) for c, v in points if c in ours) == [50, 164, 225, 227, 230, 238]
    assert 'class="point official retracted" data-series="official" data-claim="ministry-toll-164"' in svg
    rows = re.findall(r'<tr class="kind-(\w+) official" data-claim="([^"]+)".*?</tr>', html, re.S)
    assert [kind for kind, claim in rows if claim in ours].count("retracted") == 1


def test_a_question_topic_lists_its_claims_over_time_without_a_chart(client):
    html = page(client, f"{STORY}/topics/nature-of-the-violence")
    assert "<svg class=\"chart\"" not in html
    assert 'data-claim="tokayev-attacked-by-terrorists"' in html


def test_a_claim_page_shows_each_version_and_a_readable_diff(client):
    html = page(client, f"{STORY}/claims/prosecutor-death-toll")
    assert html.count('class="version kind-') == 4
    second = block(html, 'id="v1"', "</li>")
    assert "<del>225 people</del> → <ins>227 people</ins>" in second
    assert "<ins>" in block(second, "field-text", "</dd>")
    assert "by <strong>fixture-loader</strong>" in html


def test_a_source_page_counts_its_revisions_and_retractions(client):
    html = page(client, "/sources/ministry-of-information")
    facts = block(html, 'class="facts"', "</dl>")
    assert re.search(r"<dt>Retractions</dt><dd>1</dd>", facts)
    assert f'href="{STORY}/claims/ministry-toll-164#v1"' in html


def test_the_audit_log_filters_by_kind_and_editor(client):
    html = page(client, "/audit?kind=retraction")
    assert html.count('class="event-retracted"') >= 2 and 'class="event-stated"' not in html
    assert 'class="event-' not in page(client, "/audit?editor=nobody-at-all").split("<tbody>")[1].split("No events")[0]
    assert html.count("fixture-loader</a>") >= 2


def test_search_marks_the_words_it_found(client):
    html = page(client, "/search?q=164")
    assert f'href="{STORY}/claims/ministry-toll-164"' in html
    assert "<mark>164</mark>" in html


def test_a_bad_day_and_an_unknown_claim_are_explained(client):
    assert "is not a day: use YYYY-MM-DD" in page(client, f"{STORY}/timeline?as_of=2022-13-01", 400)
    assert "no claim is called" in page(client, f"{STORY}/claims/no-such-claim", 404)


def test_pages_use_only_their_own_assets_and_forbid_others(client):
    response = client.get(f"{STORY}/timeline?as_of=2022-01-09")
    html = response.get_data(as_text=True)
    assert re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?:)?//', html) == []
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "style=" not in html and "<script>" not in html


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(slug=st.one_of(st.from_regex(r"[a-z0-9-]{1,30}", fullmatch=True), st.text(max_size=20)),
       story=st.one_of(st.none(), st.from_regex(r"[a-z0-9-]{1,20}", fullmatch=True)))
def test_a_link_built_from_its_pattern_is_the_url_flask_builds(app, slug, story):
    from flask import g, url_for

    from chronicle_web.links import link

    with app.test_request_context("/stories/kazakhstan-2022/narrative"):
        g.story = {"slug": "kazakhstan-2022"}
        for endpoint in ("pages.claim", "pages.topic", "pages.source"):
            values = {"slug": slug} if story is None or endpoint == "pages.source" else {"slug": slug, "story": story}
            assert link(endpoint, **values) == url_for(endpoint, **dict(sorted(values.items())))
