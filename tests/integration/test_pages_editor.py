"""The editor through Flask's test client: sign-in with tokens, CSRF, validation beside fields, stale edits."""

from __future__ import annotations

import html as entities
import re

import pytest

STORY = "/stories/kazakhstan-2022"


CLAIM = {"source": "opendemocracy-reporters", "topic": "death-toll", "stated": "2022-01-12",
         "text": "Reporters counted at least 30 bodies at one morgue.", "figure_value": "30",
         "figure_qualifier": "at least", "citation_document": "field notes"}


@pytest.fixture
def secret(app):
    return app.extensions["chronicle_tokens"].create("newsroom")


@pytest.fixture
def editor(client, secret):
    """A client signed in as the newsroom token."""
    response = post(client, "/sign-in", {"token": secret})
    assert response.status_code == 302
    return client


def csrf(client, url: str = "/sign-in") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))[1]


def post(client, url: str, form: dict, form_url: str | None = None):
    """Submit a form the way a browser does: fetch it (and its CSRF token) first."""
    return client.post(url, data={**form, "csrf_token": csrf(client, form_url or url)})


def errors(response) -> dict[str, str]:
    html = response.get_data(as_text=True)
    return {name: entities.unescape(text) for name, text in re.findall(r'id="e-([a-z_]+)">([^<]+)<', html)}


def entry_version(chronicle, slug: str) -> int:
    return chronicle.claim_history(slug)["entry_version"]


def test_signing_in_keeps_the_token_name_not_the_secret(app, client, secret):
    response = post(client, "/sign-in", {"token": secret})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    with client.session_transaction() as session:
        assert session["editor"] == "newsroom" and secret not in str(dict(session))
    assert "Signed in as newsroom" in client.get(f"{STORY}/timeline").get_data(as_text=True)


def test_the_session_cookie_is_secure_over_https(client, secret):
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      client.get("/sign-in", base_url="https://localhost").get_data(as_text=True))[1]
    response = client.post("/sign-in", data={"token": secret, "csrf_token": token}, base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_wrong_or_read_only_token_is_refused_beside_the_field(app, client):
    assert errors(post(client, "/sign-in", {"token": "chr_not-a-real-token"}))["token"].startswith("No such token")
    reader = app.extensions["chronicle_tokens"].create("reader", read_only=True)
    response = post(client, "/sign-in", {"token": reader})
    assert response.status_code == 400 and "may only read" in errors(response)["token"]


def test_editing_needs_a_signed_in_writer(client):
    response = client.get(f"{STORY}/claims/new")
    assert response.status_code == 302 and response.headers["Location"] == f"/sign-in?next={STORY}/claims/new"


def test_a_post_without_the_sessions_csrf_token_records_nothing(editor, chronicle):
    before = len(chronicle.entries("claim"))
    assert editor.post(f"{STORY}/claims/new", data=CLAIM).status_code == 400
    assert editor.post(f"{STORY}/claims/new", data={**CLAIM, "csrf_token": "forged"}).status_code == 400
    assert len(chronicle.entries("claim")) == before


def test_an_editor_adds_a_claim_and_is_shown_it_in_the_narrative(editor, chronicle):
    response = post(editor, f"{STORY}/claims/new", CLAIM)
    assert response.status_code == 302
    assert response.headers["Location"] == (f"{STORY}/narrative?as_of=2022-01-12&lens=everyone"
                                            "#claim-reporters-counted-at-least-30-bodies-at-one")
    narrative = editor.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="claim-reporters-counted-at-least-30-bodies-at-one"' in narrative
    claim = chronicle.claim_history("reporters-counted-at-least-30-bodies-at-one")["versions"][0]
    assert claim["figure"]["label"] == "at least 30 people" and claim["recorded_by"] == "editor:newsroom"


def test_an_invalid_claim_gets_errors_beside_its_fields_and_records_nothing(editor, chronicle):
    before = len(chronicle.entries("claim"))
    response = post(editor, f"{STORY}/claims/new", {**CLAIM, "stated": "2022-02-30", "text": "",
                                                    "figure_value": "dozens", "citation_document": "",
                                                    "citation_url": "not a url"})
    assert response.status_code == 400
    found = errors(response)
    assert "not a real date" in found["stated"]
    assert found["text"] == "Required." and found["citation_document"] == "Required."
    assert found["figure_value"] == "Not a valid number."
    html = response.get_data(as_text=True)
    assert 'id="f-stated" name="stated" type="text" value="2022-02-30"' in html
    assert 'aria-invalid="true"' in html
    assert len(chronicle.entries("claim")) == before


def test_a_claim_answering_an_unknown_claim_is_refused_before_anything_is_stored(editor, chronicle):
    before = len(chronicle.entries("claim"))
    response = post(editor, f"{STORY}/claims/new",
                    {**CLAIM, "link_relation": "disputes", "link_target": "no-such-claim"})
    assert "no claim is called 'no-such-claim'" in errors(response)["link_target"]
    assert len(chronicle.entries("claim")) == before


def test_a_new_claim_can_dispute_another(editor, chronicle):
    form = editor.get(f"{STORY}/claims/new?disputes=prosecutor-death-toll").get_data(as_text=True)
    assert '<option value="death-toll" selected>' in form and 'value="prosecutor-death-toll"' in form
    post(editor, f"{STORY}/claims/new", {**CLAIM, "slug": "reporters-doubt-225", "link_relation": "disputes",
                                 "link_target": "prosecutor-death-toll"})
    links = chronicle.claim_history("prosecutor-death-toll")["links"]
    assert any(link["claim"] == "reporters-doubt-225" and link["relation"] == "disputes"
               and link["direction"] == "in" for link in links)


def test_markup_in_a_claim_is_shown_as_text(editor):
    hostile = '<script>alert(1)</script><b>bold</b>'
    post(editor, f"{STORY}/claims/new", {**CLAIM, "slug": "hostile", "text": hostile})
    html = editor.get(f"{STORY}/claims/hostile").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert" not in html and "<b>bold" not in html


def test_a_revision_is_recorded_as_a_new_version_by_the_editor(editor, chronicle):
    url = f"{STORY}/claims/prosecutor-death-toll/revise"
    form = editor.get(url).get_data(as_text=True)
    assert 'name="expected_version" value="4"' in form and 'value="238"' in form
    response = post(editor, url, {"expected_version": "4", "stated": "2022-09-01", "text": "240 people died.",
                                  "figure_value": "240", "figure_unit": "people", "citation_document": "a report"})
    assert response.status_code == 302
    latest = chronicle.claim_history("prosecutor-death-toll")["versions"][-1]
    assert (latest["figure"]["label"], latest["recorded_by"]) == ("240 people", "editor:newsroom")


def test_a_revision_that_changes_nothing_is_refused(editor):
    response = post(editor, f"{STORY}/claims/prosecutor-death-toll/revise",
                    {"expected_version": "4", "stated": "2022-09-01", "figure_value": "238", "figure_unit": "people",
                     "text": ("238 people died; their names were published on the Prosecutor General's website. "
                              "Six deaths were attributed to excessive force by law enforcement.")})
    assert response.status_code == 400 and "Nothing changed" in response.get_data(as_text=True)


def test_a_stale_revision_is_refused_with_both_versions_shown(editor, chronicle):
    url = f"{STORY}/claims/prosecutor-death-toll/revise"
    seen = entry_version(chronicle, "prosecutor-death-toll")
    with chronicle.editing_as("editor:someone-else"):
        chronicle.revise_claim("prosecutor-death-toll", "2022-09-01", text="239 people died.",
                               figure={"value": 239, "unit": "people"})
    mine = {"expected_version": str(seen), "stated": "2022-09-02", "text": "241 people died.",
            "figure_value": "241", "figure_unit": "people"}
    response = post(editor, url, mine)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    stale = html[html.index('class="stale"'):html.index("</section>", html.index('class="stale"'))]
    assert "238 people" in stale and "239 people" in stale and "editor:someone-else" in stale
    assert 'value="241"' in html and f'name="expected_version" value="{seen + 1}"' in html
    assert chronicle.claim_history("prosecutor-death-toll")["versions"][-1]["figure"]["label"] == "239 people"
    assert post(editor, url, {**mine, "expected_version": str(seen + 1)}).status_code == 302


def test_a_retraction_needs_a_reason_and_ends_the_claims_editing(editor, chronicle):
    url = f"{STORY}/claims/authorities-toll-fewer-than-50/retract"
    version = str(entry_version(chronicle, "authorities-toll-fewer-than-50"))
    response = post(editor, url, {"expected_version": version, "stated": "2022-01-15"})
    assert "needs a reason" in errors(response)["reason"]
    assert post(editor, url, {"expected_version": version, "stated": "2022-01-15",
                              "reason": "Superseded by the prosecutor's count"}).status_code == 302
    page = editor.get(f"{STORY}/claims/authorities-toll-fewer-than-50").get_data(as_text=True)
    assert f"{STORY}/claims/authorities-toll-fewer-than-50/revise" not in page
    assert chronicle.claim_history("authorities-toll-fewer-than-50")["versions"][-1]["kind"] == "retracted"


def test_a_correction_changes_only_what_the_editor_changed(editor, chronicle):
    url = f"{STORY}/claims/prosecutor-death-toll/correct?version=0"
    form = editor.get(url).get_data(as_text=True)
    fields = dict(re.findall(r'name="(\w+)" type="text" value="([^"]*)"', form))
    text = re.search(r'<textarea id="f-text" name="text"[^>]*>([^<]*)</textarea>', form)[1]
    values = {**fields, "text": entities.unescape(text).replace("morgues", "the morgues"),
              "expected_version": "4", "figure_qualifier": "exactly", "source": "prosecutor-general",
              "topic": "death-toll", "quote": "225 bodies",
              "note": "Announced by Serik Shalabayev, head of criminal prosecution."}
    assert "needs a reason" in errors(post(editor, url, values))["reason"]
    assert post(editor, url, {**values, "reason": "our typo"}).status_code == 302
    history = chronicle.claim_history("prosecutor-death-toll")
    assert history["corrections"][-1]["fields"] == ["text"] and history["corrections"][-1]["by"] == "editor:newsroom"
    assert "the morgues" in history["versions"][0]["text"] and len(history["versions"]) == 4


def test_a_link_between_claims_names_a_missing_target_beside_its_field(editor, chronicle):
    url = f"{STORY}/claims/health-ministry-denies-164/link"
    response = post(editor, url, {"link_relation": "contradicts", "link_target": "nothing-here"})
    assert "no claim is called 'nothing-here'" in errors(response)["link_target"]
    post(editor, url, {"link_relation": "contradicts", "link_target": "prosecutor-death-toll"})
    links = chronicle.claim_history("health-ministry-denies-164")["links"]
    assert any(link["claim"] == "prosecutor-death-toll" and link["relation"] == "contradicts" for link in links)


def test_a_revoked_token_can_no_longer_write(app, editor):
    app.extensions["chronicle_tokens"].revoke("newsroom")
    response = editor.get(f"{STORY}/claims/new")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_signing_out_ends_the_session(editor):
    post(editor, "/sign-out", {}, form_url=f"{STORY}/timeline")
    assert editor.get(f"{STORY}/claims/new").status_code == 302


def test_a_retracted_claim_can_be_reinstated_by_the_editor(editor, chronicle):
    page = editor.get(f"{STORY}/claims/ministry-toll-164").get_data(as_text=True)
    url = f"{STORY}/claims/ministry-toll-164/reinstate"
    assert f'href="{url}"' in page and f"{STORY}/claims/ministry-toll-164/revise" not in page
    version = str(entry_version(chronicle, "ministry-toll-164"))
    assert "needs the date it was stated" in errors(post(editor, url, {"expected_version": version}))["stated"]
    response = post(editor, url, {"expected_version": version, "stated": "2022-01-20", "note": "It stood by it.",
                                  "citation_document": "a later briefing"})
    assert response.status_code == 302 and response.headers["Location"] == f"{STORY}/claims/ministry-toll-164"
    latest = chronicle.claim_history("ministry-toll-164")["versions"][-1]
    assert (latest["kind"], latest["note"]) == ("reinstated", "It stood by it.")
    assert latest["recorded_by"] == "editor:newsroom"
    assert "Reinstate</a>" not in editor.get(f"{STORY}/claims/ministry-toll-164").get_data(as_text=True)
