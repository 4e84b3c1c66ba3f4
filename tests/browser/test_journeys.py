"""The reader's journeys through the Kazakhstan chronicle, in Debian's chromium."""

from __future__ import annotations

import re

import pytest

STORY = "/stories/kazakhstan-2022"

pytestmark = pytest.mark.browser

DEATH_TOLL = {"authorities-toll-fewer-than-50", "ministry-toll-164", "prosecutor-death-toll"}
OFFICIAL_TOLLS = ["fewer than 50 people", "164 people", "225 people", "227 people", "230 people", "238 people"]


def test_the_timeline_steps_from_the_164_toll_to_its_retraction(page, shoot):
    page.goto(f"{STORY}/timeline")
    page.get_by_label("As of").fill("2022-01-09")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"as_of=2022-01-09"))

    standing = page.locator(".standing-figure[data-topic='death-toll']")
    assert standing.locator(".figure-value").inner_text() == "164 people"
    toll = page.locator(".timeline [data-claim='ministry-toll-164'][data-topic='death-toll']")
    assert toll.locator(".badge.status-current").is_visible()
    shoot(page, "timeline")

    page.get_by_role("link", name=re.compile("Next day")).click()
    page.wait_for_url(re.compile(r"as_of=2022-01-10"))
    retracted = toll.locator(".badge.status-retracted")
    assert retracted.inner_text() == "RETRACTED"
    assert standing.locator(".figure-value").inner_text() == "fewer than 50 people"

    page.go_back()
    page.wait_for_url(re.compile(r"as_of=2022-01-09"))
    assert standing.locator(".figure-value").inner_text() == "164 people"


def test_the_lens_picker_keeps_its_choice_in_the_url(page):
    page.goto(f"{STORY}/timeline?as_of=2022-01-09")
    page.get_by_label("Lens").select_option("everyone")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"lens=everyone"))
    assert page.get_by_label("Lens").input_value() == "everyone"
    assert page.get_by_label("As of").input_value() == "2022-01-09"


def test_the_death_toll_topic_charts_and_tables_six_official_values(page, shoot):
    page.goto(f"{STORY}/timeline?as_of=2022-01-09")
    page.locator(".standing-figure[data-topic='death-toll'] a").click()
    page.wait_for_url(re.compile(rf"{STORY}/topics/death-toll"))

    points = page.locator("svg.chart g.point.official")
    charted = {(p.get_attribute("data-claim"), p.get_attribute("data-value")) for p in points.all()}
    ours = sorted(int(value) for claim, value in charted if claim in DEATH_TOLL)
    assert ours == [50, 164, 225, 227, 230, 238]
    retracted = page.locator("svg.chart g.point.official.retracted")
    assert retracted.get_attribute("data-claim") == "ministry-toll-164"

    rows = page.locator("table.revisions tr.official:not(.kind-retracted)")
    tabled = [r.locator(".figure-value").inner_text() for r in rows.all()
              if r.get_attribute("data-claim") in DEATH_TOLL]
    assert tabled == OFFICIAL_TOLLS
    assert page.locator("table.revisions tr.kind-retracted[data-claim='ministry-toll-164']").is_visible()
    shoot(page, "topic-death-toll")
    page.locator("svg.chart").screenshot(path=str(_artifact("topic-chart-only.png")))


def test_compare_shows_what_changed_between_the_5th_and_the_11th(page):
    page.goto(f"{STORY}/compare")
    page.get_by_label("From").fill("2022-01-05")
    page.get_by_label("To").fill("2022-01-11")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"from=2022-01-05.*to=2022-01-11"))

    retracted = page.locator("section.change-kind.retracted")
    assert retracted.locator("li[data-claim='ministry-toll-164']").is_visible()
    added = page.locator("section.change-kind.added")
    assert added.locator("li[data-claim='authorities-toll-fewer-than-50']").is_visible()
    death_toll = page.locator("table.side-by-side tr", has_text="Death toll")
    assert "fewer than 50 people" in death_toll.locator("td").nth(1).inner_text()


def test_the_narrative_of_a_day_says_what_changed_since_the_day_before(page, shoot):
    page.goto(f"{STORY}/narrative?as_of=2022-01-10&lens=official")
    changes = page.locator("section.changes")
    assert "ministry-toll-164" in changes.locator("li.retracted a").get_attribute("href")
    page.get_by_role("link", name=re.compile("Previous day")).click()
    page.wait_for_url(re.compile(r"as_of=2022-01-09"))
    assert page.locator("#claim-ministry-toll-164 .badge.status-current").is_visible()
    shoot(page, "narrative")


def test_a_claim_page_shows_every_version_and_what_changed(page, shoot):
    page.goto(f"{STORY}/claims/prosecutor-death-toll")
    versions = page.locator("ol.versions > li")
    assert versions.count() == 4
    assert page.locator("#v1 .field-figure del").inner_text() == "225 people"
    assert page.locator("#v1 .field-figure ins").inner_text() == "227 people"
    assert page.locator("#v1 .field-text ins").count() > 0
    shoot(page, "claim")


def test_the_home_page_opens_a_story_on_its_last_change(page):
    page.goto("/")
    story = page.locator("li.story[data-story='kazakhstan-2022']")
    last_day = story.locator(".last-day time").get_attribute("datetime")
    assert last_day == "2022-08-01"
    story.get_by_role("link", name="The January 2022 unrest in Kazakhstan", exact=True).click()
    page.wait_for_url(re.compile(rf"{STORY}/timeline$"))
    assert page.get_by_label("As of").input_value() == last_day
    assert page.locator(".story-bar a").inner_text() == "The January 2022 unrest in Kazakhstan"


def test_an_editor_signs_in_adds_a_claim_and_sees_it_in_the_narrative(signed_in):
    page = signed_in
    page.goto(f"{STORY}/timeline")
    page.get_by_role("link", name="Add a claim").click()
    _fill_claim(page, text="Reporters counted at least 30 bodies at one Almaty morgue.", stated="2022-01-12")
    page.get_by_label("Value").fill("30")
    page.get_by_label("Qualifier").select_option("at least")
    page.get_by_role("button", name="Record the claim").click()

    page.wait_for_url(re.compile(rf"{STORY}/narrative\?as_of=2022-01-12&lens=everyone"))
    card = page.locator("article[data-claim^='reporters-counted-at-least-30']")
    assert card.locator(".text").inner_text() == "Reporters counted at least 30 bodies at one Almaty morgue."
    assert card.locator(".figure-value").inner_text() == "at least 30 people"


def test_an_invalid_claim_is_refused_with_errors_beside_its_fields(signed_in, shoot):
    page = signed_in
    page.goto(f"{STORY}/claims/new")
    page.get_by_label("Who stated it").select_option("opendemocracy-reporters")
    page.get_by_label("Topic").select_option("death-toll")
    page.get_by_label("Date (required)").fill("2022-02-30")
    page.get_by_label("Value").fill("dozens")
    page.get_by_role("button", name="Record the claim").click()

    assert page.locator("#error-summary").is_visible()
    assert "not a real date" in page.locator("#e-stated").inner_text()
    assert page.locator("#e-text").inner_text() == "Required."
    assert page.locator("#e-figure_value").inner_text() == "Not a valid number."
    assert page.locator("#e-citation_document").inner_text() == "Required."
    assert page.locator("#f-stated").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-stated").input_value() == "2022-02-30"
    shoot(page, "editor-errors")


def test_a_claim_with_script_and_html_shows_as_text(signed_in):
    page = signed_in
    hostile = '<script>window.__pwned = 1</script><b>bold</b> <img src=x onerror="window.__pwned = 2">'
    page.goto(f"{STORY}/claims/new")
    _fill_claim(page, text=hostile, stated="2022-01-13", slug="hostile-markup-claim")
    page.get_by_role("button", name="Record the claim").click()

    card = page.locator("#claim-hostile-markup-claim")
    assert card.locator(".text").inner_text() == hostile
    assert card.locator(".text b, .text script, .text img").count() == 0
    page.goto(f"{STORY}/claims/hostile-markup-claim")
    assert page.locator("#v0 .text").inner_text() == hostile
    assert page.evaluate("window.__pwned") is None


def test_the_pages_work_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto(f"{STORY}/timeline")
    page.get_by_label("As of").fill("2022-01-09")
    page.get_by_label("Lens").select_option("official")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"as_of=2022-01-09"))
    assert page.locator(".standing-figure[data-topic='death-toll'] .figure-value").inner_text() == "164 people"
    context.close()


def test_the_keyboard_reaches_the_content_first(page):
    page.goto(f"{STORY}/timeline?as_of=2022-01-09")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def _fill_claim(page, text: str, stated: str, slug: str | None = None) -> None:
    page.get_by_label("Who stated it").select_option("opendemocracy-reporters")
    page.get_by_label("Topic").select_option("death-toll")
    page.get_by_label("Date (required)").fill(stated)
    page.get_by_label("What they said, in a close paraphrase").fill(text)
    page.get_by_label("Document it was said or reported in").fill("openDemocracy field notes")
    if slug:
        page.get_by_label("Slug", exact=True).fill(slug)


def _artifact(name: str):
    from conftest import SCREENSHOTS

    return SCREENSHOTS / name
