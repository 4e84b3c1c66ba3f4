"""The Kazakhstan fixture as a journalist uses it: every statement sourced, every question answered.

The first tests walk the fixture files themselves; the rest ask the loaded chronicle (real SQLite
files, through the application) the questions a reporter reconstructing January 2022 would ask.
"""

from __future__ import annotations

import json

import pytest

from chronicle.loader import read_chronicle
from tests.conftest import KAZAKHSTAN

ARTICLE = "openDemocracy, 'On the ground in Kazakhstan\u2019s protests: what really happened?'"


def claims_in(narrative: dict) -> dict[str, dict]:
    return {c["claim"]: c for group in narrative["topics"] for c in group["claims"]}


def group(narrative: dict, topic: str) -> dict:
    return next(g for g in narrative["topics"] if g["topic"]["slug"] == topic)


def current_figure(chronicle, day: str, topic: str, lens: str = "official") -> dict:
    found = group(chronicle.narrative(day, lens), topic)
    return claims_in({"topics": [found]})[found["current"]]


def incoming(chronicle, claim: str, relation: str) -> set[str]:
    links = chronicle.claim_history(claim)["links"]
    return {l["claim"] for l in links if l["direction"] == "in" and l["relation"] == relation}


# ----- the fixture files themselves


def fixture_claims() -> list[tuple[str, dict]]:
    """Every claim in every file, read as written (before any schema default fills a gap)."""
    found = []
    for path in sorted(KAZAKHSTAN.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        found.extend((path.name, claim) for claim in document.get("claims", []))
    return found


def has_document(citations) -> bool:
    return bool(citations) and all(isinstance(c.get("document"), str) and c["document"].strip() for c in citations)


@pytest.mark.parametrize("file, claim", fixture_claims(), ids=lambda value: value.get("slug", value) if isinstance(value, dict) else value)
def test_every_claim_has_a_source_document_a_stated_date_and_its_words(file, claim):
    assert has_document(claim.get("citations")), f"{file}: {claim.get('slug')} has no cited document"
    stated = claim.get("stated")
    assert stated and (isinstance(stated, str) or stated.get("date")), f"{file}: {claim.get('slug')} has no stated date"
    words = (claim.get("text") or "").strip() or (claim.get("quote") or "").strip()
    assert words, f"{file}: {claim.get('slug')} has neither a paraphrase nor a quote"
    for event in claim.get("events", []):
        if event["type"] in ("revised", "retracted"):
            assert has_document(event.get("citations")), f"{file}: {claim['slug']} {event['type']} cites nothing"


def test_every_citation_of_the_article_quotes_it_and_every_incident_is_cited():
    read = read_chronicle(KAZAKHSTAN)
    files, records = read.files, read.records
    citations = [c for r in records["claims"] for c in r.data["citations"]]
    citations += [c for r in records["claims"] for e in r.data["events"] for c in e["citations"]]
    citations += [c for r in records["incidents"] for c in r.data["citations"]]
    of_the_article = [c for c in citations if c["document"] == ARTICLE]
    assert len(of_the_article) > 100
    assert all(c.get("quote") for c in of_the_article), "a citation of the article without the words it cites"
    assert all(has_document(r.data["citations"]) for r in records["incidents"])


def test_the_fixture_is_as_large_as_the_article_allows():
    read = read_chronicle(KAZAKHSTAN)
    files, records = read.files, read.records
    claims = [r.data for r in records["claims"]]
    assert len(claims) >= 60
    assert len(records["incidents"]) >= 20
    assert sum(len(c["links"]) for c in claims) >= 12
    assert len(records["topics"]) == 21


def test_at_least_twenty_sources_speak(kazakhstan):
    speaking = [s["slug"] for s in kazakhstan.entries("source") if kazakhstan.source_claims(s["slug"])["versions"]]
    assert len(speaking) >= 20
    silent = {s["slug"] for s in kazakhstan.entries("source")} - set(speaking)
    assert silent == {"knb", "nur-otan", "samat-abish", "kairat-satybaldy"}, "registered only for their names"


# ----- what the official story was, day by day


def test_what_the_official_narrative_was_on_5_january(kazakhstan):
    story = claims_in(kazakhstan.narrative("2022-01-05", "official"))
    assert set(story) == {"tokayev-state-of-emergency-almaty", "tokayev-gas-price-measures",
                          "authorities-government-resigned", "tokayev-state-will-not-fall"}
    emergency = story["tokayev-state-of-emergency-almaty"]
    assert emergency["stated"]["label"] == "2022-01-05 (night)" and "19 January" in emergency["text"]
    assert story["authorities-government-resigned"]["stated"]["precision"] == "range"
    assert not any("terrorist" in (c["text"] + (c["quote"] or "")).lower() for c in story.values())


def test_what_the_official_narrative_was_on_7_january(kazakhstan):
    narrative = kazakhstan.narrative("2022-01-07", "official")
    story = claims_in(narrative)
    assert {"tokayev-attacked-by-terrorists", "tokayev-20000-terrorists-and-bandits",
            "tokayev-categorisation-of-participants", "tokayev-requests-csto-troops",
            "authorities-emergency-nationwide", "authorities-organised-terrorist-forces",
            "interior-ministry-extremists-criminals-looters", "televised-detainees-foreigners-paid"} <= set(story)
    toll = current_figure(kazakhstan, "2022-01-07", "death-toll")
    assert toll["claim"] == "authorities-toll-fewer-than-50" and toll["figure"]["label"] == "fewer than 50 people"
    assert group(narrative, "attackers")["current"] == "tokayev-20000-terrorists-and-bandits"
    assert story["tokayev-attacked-by-terrorists"]["disputed"] is True
    assert "ruzakhunov-televised-confession" not in story


def test_what_the_official_narrative_was_on_11_january(kazakhstan):
    narrative = kazakhstan.narrative("2022-01-11", "official")
    story = claims_in(narrative)
    assert story["ministry-toll-164"]["status"] == "retracted"
    assert current_figure(kazakhstan, "2022-01-11", "death-toll")["claim"] == "authorities-toll-fewer-than-50"
    damage = current_figure(kazakhstan, "2022-01-11", "damage")
    assert damage["claim"] == "tokayev-damage-2-3bn" and damage["figure"]["label"] == "2–3 bn USD"
    detained = current_figure(kazakhstan, "2022-01-11", "detentions")
    assert detained["claim"] == "authorities-nearly-10000-detained"
    assert (detained["figure"]["qualifier"], detained["figure"]["value"]) == ("nearly", 10000)
    assert story["tokayev-knb-ignored-terrorist-threat"]["quote"] == "ignoring the terrorist threat"
    assert story["ruzakhunov-televised-confession"]["status"] == "current"
    assert "authorities-criminal-cases-17-january" not in story


def test_what_changed_in_the_official_story_between_5_and_11_january(kazakhstan):
    changes = kazakhstan.diff("2022-01-05", "2022-01-11", "official")
    added = {item["claim"]["claim"] for item in changes["added"]}
    assert {"tokayev-requests-csto-troops", "tokayev-damage-2-3bn", "tokayev-knb-ignored-terrorist-threat",
            "authorities-nearly-10000-detained", "authorities-massimov-treason"} <= added
    disputed = {(i["claim"]["claim"], i["by"]) for i in changes["disputed"]}
    assert ("tokayev-requests-csto-troops", "citizens-csto-threat-to-sovereignty") in disputed
    assert ("tokayev-attacked-by-terrorists", "peaceful-protesters-banners") in disputed


# ----- the "terrorists" framing


def test_when_the_terrorist_framing_first_appears_and_who_disputes_it(kazakhstan):
    def framing(day: str) -> list[dict]:
        story = claims_in(kazakhstan.narrative(day, "official"))
        return [c for c in story.values() if "terrorist" in (c["text"] + (c["quote"] or "")).lower()]

    days = [f"2022-01-{d:02d}" for d in range(2, 12)]
    first_day = next(day for day in days if framing(day))
    assert first_day == "2022-01-06"
    earliest = framing(first_day)
    assert [c["claim"] for c in earliest] == ["authorities-organised-terrorist-forces"]
    assert earliest[0]["stated"]["precision"] == "range", "the state's words are undated: only their earliest day is known"
    dated = [c for c in framing("2022-01-07") if c["stated"]["precision"] != "range"]
    assert {(c["claim"], c["stated"]["label"]) for c in dated} == {
        ("tokayev-attacked-by-terrorists", "2022-01-07 (night)"), ("tokayev-20000-terrorists-and-bandits", "2022-01-07")}

    banners = claims_in(kazakhstan.narrative("2022-01-06", "protesters"))["peaceful-protesters-banners"]
    assert "we are not terrorists" in banners["quote"] and banners["stated"]["part_of_day"] == "afternoon"

    assert incoming(kazakhstan, "tokayev-attacked-by-terrorists", "disputes") == {
        "experts-clash-of-clans", "reporters-no-one-explained-terrorists", "peaceful-protesters-banners"}
    assert incoming(kazakhstan, "tokayev-attacked-by-terrorists", "supports") == {"pro-government-experts-caliphate"}
    assert incoming(kazakhstan, "tokayev-attacked-by-terrorists", "reframes") == {
        "tokayev-categorisation-of-participants", "civil-society-fears-repression"}
    assert incoming(kazakhstan, "authorities-organised-terrorist-forces", "disputes") == {"reporters-no-one-explained-terrorists"}
    assert incoming(kazakhstan, "tokayev-20000-terrorists-and-bandits", "disputes") == {"reporters-no-one-explained-terrorists"}


def test_the_extremist_label_is_disputed_and_the_clan_theory_names_two_relatives(kazakhstan):
    assert incoming(kazakhstan, "interior-ministry-extremists-criminals-looters", "disputes") == {"reporters-extremist-label-vague"}
    assert incoming(kazakhstan, "authorities-charges-against-radicals-and-criminals", "disputes") == {"reporters-extremist-label-vague"}
    assert incoming(kazakhstan, "experts-clash-of-clans", "supports") == {"press-abish-and-satybaldy-behind-riots"}
    story = claims_in(kazakhstan.narrative("2022-01-20", "everyone"))
    assert "Satybaldy" in story["press-abish-and-satybaldy-behind-riots"]["text"]
    assert story["press-abish-and-satybaldy-behind-riots"]["source"]["camp"] == "media"


# ----- figures that moved


def test_the_full_death_toll_history(kazakhstan):
    history = kazakhstan.topic_history("death-toll")["history"]
    assert [(h["claim"], h["kind"], (h["figure"] or {}).get("value")) for h in history] == [
        ("protesters-several-dead", "stated", None),
        ("reports-first-killed", "stated", None),
        ("authorities-toll-fewer-than-50", "stated", 50),
        ("ministry-toll-164", "stated", 164),
        ("health-ministry-denies-164", "stated", None),
        ("ministry-toll-164", "retracted", 164),
        ("prosecutor-death-toll", "stated", 225),
        ("prosecutor-death-toll", "revised", 227),
        ("prosecutor-death-toll", "revised", 230),
        ("prosecutor-death-toll", "revised", 238),
    ]
    assert [h["stated"]["on"] for h in history] == sorted(h["stated"]["on"] for h in history)
    unverified = history[1]
    assert unverified["source"]["camp"] == "unattributed" and "no one answered calls" in unverified["note"]
    article = history[7]
    assert article["stated"]["edtf"] == "2022-01-21/2022-01-31" and article["citations"][0]["document"] == ARTICLE
    assert current_figure(kazakhstan, "2022-09-01", "death-toll")["figure"]["breakdown"][0]["value"] == 6


def test_the_damage_fell_from_billions_to_209_million(kazakhstan):
    history = kazakhstan.topic_history("damage")["history"]
    assert [(h["source"]["slug"], h["figure"]["label"]) for h in history] == [
        ("tokayev", "2–3 bn USD"), ("prosecutor-general", "209 m USD")]
    assert history[1]["figure"]["breakdown"] == [{"label": "business losses", "value": 193000000, "qualifier": "exactly"}]
    later = claims_in(kazakhstan.narrative("2022-09-01", "official"))
    assert later["tokayev-damage-2-3bn"]["status"] == "superseded"
    assert later["tokayev-damage-2-3bn"]["superseded_by"] == "prosecutor-damage-209m"


def test_detention_counts_and_the_doubt_about_them(kazakhstan):
    history = kazakhstan.topic_history("detentions")["history"]
    assert [(h["claim"], (h["figure"] or {}).get("label")) for h in history] == [
        ("authorities-nearly-10000-detained", "nearly 10,000 people"),
        ("tokayev-about-2000-arrested", "about 2,000 people"),
        ("reporters-detained-without-good-reason", None),
        ("prosecutor-1237-detained", "1,237 people"),
    ]
    assert history[1]["citations"][0]["document"] == "AP" and history[1]["stated"]["edtf"] == "2022-01-12/2022-01-20"
    assert incoming(kazakhstan, "authorities-nearly-10000-detained", "reframes") == {"reporters-detained-without-good-reason"}
    cases = current_figure(kazakhstan, "2022-01-17", "criminal-cases")
    assert cases["figure"]["value"] == 819
    assert {p["label"]: p["value"] for p in cases["figure"]["breakdown"]} == {
        "acts of terrorism": 45, "mass unrest": 36, "murder": 15}
    assert "8,354 administrative cases" in cases["text"]


def test_the_count_of_attackers_moves_from_20000_to_50000_joiners(kazakhstan):
    assert current_figure(kazakhstan, "2022-01-15", "attackers")["figure"]["value"] == 20000
    later = current_figure(kazakhstan, "2022-01-16", "attackers")
    assert later["claim"] == "authorities-50000-joined-uprising" and later["figure"]["label"] == "about 50,000 people"
    assert later["stated"]["edtf"] == "2022-01-16?"


# ----- retractions and foreign involvement


def test_which_official_claims_were_retracted(kazakhstan):
    story = claims_in(kazakhstan.narrative("2022-12-31", "official"))
    retracted = {slug: c for slug, c in story.items() if c["status"] == "retracted"}
    assert set(retracted) == {"ministry-toll-164", "ruzakhunov-televised-confession"}
    assert "technical error" in retracted["ministry-toll-164"]["reason"]
    assert "deported" in retracted["ruzakhunov-televised-confession"]["reason"]
    assert retracted["ruzakhunov-televised-confession"]["via"]["slug"] == "kazakh-state-tv"


def test_who_spoke_of_foreign_involvement_and_what_became_of_it(kazakhstan):
    history = kazakhstan.topic_history("foreign-involvement")["history"]
    said = [(h["claim"], h["kind"], h["source"]["slug"], (h["via"] or {}).get("slug")) for h in history]
    assert said == [
        ("televised-detainees-foreigners-paid", "stated", "detainees-on-state-tv", "kazakh-state-tv"),
        ("ruzakhunov-televised-confession", "stated", "vikram-ruzakhunov", "kazakh-state-tv"),
        ("ruzakhunov-televised-confession", "retracted", "vikram-ruzakhunov", "kazakh-state-tv"),
        ("reporters-kyrgyz-detainees-released", "stated", "opendemocracy-reporters", None),
    ]
    assert history[1]["figure"]["label"] == "more than 200 USD"
    assert incoming(kazakhstan, "televised-detainees-foreigners-paid", "reframes") == {"reporters-kyrgyz-detainees-released"}
    assert "38 other Kyrgyz citizens" in history[3]["text"]
    story = claims_in(kazakhstan.narrative("2022-01-31", "official"))
    assert story["televised-detainees-foreigners-paid"]["status"] == "current"
    assert story["ruzakhunov-televised-confession"]["status"] == "retracted"


# ----- the CSTO, the protesters and the political order


def test_the_csto_request_and_those_who_opposed_it(kazakhstan):
    request = claims_in(kazakhstan.narrative("2022-01-06", "official"))["tokayev-requests-csto-troops"]
    assert request["stated"]["part_of_day"] == "night" and "which night" in request["stated"]["note"]
    assert incoming(kazakhstan, "tokayev-requests-csto-troops", "disputes") == {
        "citizens-csto-threat-to-sovereignty", "peaceful-protesters-banners"}
    assert incoming(kazakhstan, "tokayev-requests-csto-troops", "supports") == {"pro-government-experts-caliphate"}
    assert incoming(kazakhstan, "tokayev-requests-csto-troops", "reframes") == {"reporters-political-order-unscathed"}
    assert incoming(kazakhstan, "tokayev-state-will-not-fall", "supports") == {"nazarbayev-side-monolithic"}


def test_what_the_protesters_wanted_in_their_own_words(kazakhstan):
    story = claims_in(kazakhstan.narrative("2022-01-05", "protesters"))
    demands = {slug: c for slug, c in story.items() if c["topic"] == "protesters-demands"}
    assert {"protesters-alga-kazakhstan", "protesters-demand-new-political-system",
            "placards-people-awake-government-resign", "tole-bi-marchers-demands",
            "protesters-oyan-kazakhstan-slogan"} <= set(demands)
    assert all(c["via"]["slug"] == "opendemocracy-reporters" for c in demands.values())
    assert "The government should resign!" in demands["placards-people-awake-government-resign"]["quote"]
    assert incoming(kazakhstan, "protesters-live-ammunition", "contradicts") == {"protesters-rubber-bullets"}
    assert incoming(kazakhstan, "protesters-suspect-wahhabite", "disputes") == {"reporters-bearded-men-bag-empty"}


def test_the_reporters_own_account_is_a_source_in_the_independent_media_camp(kazakhstan):
    reporters = kazakhstan.source_claims("opendemocracy-reporters")
    assert reporters["source"]["camp"] == "independent-media"
    own = {v["claim"] for v in reporters["versions"] if v["source"]["slug"] == "opendemocracy-reporters"}
    relayed = {v["claim"] for v in reporters["versions"] if v["source"]["slug"] != "opendemocracy-reporters"}
    assert len(own) == 18 and "reporters-protest-became-armed-riot" in own
    assert "protester-nazarbayev-family-steals" in relayed


# ----- names, places and dates


@pytest.mark.parametrize("name, slug", [
    ("Kassym-Jomart Tokayev", "tokayev"), ("Kassym-Zhomart Tokayev", "tokayev"),
    ("Satybaldy", "kairat-satybaldy"), ("Satybalda", "kairat-satybaldy"),
    ("Nur Otan", "nur-otan"), ("Nur-Otan", "nur-otan"),
    ("KNB", "knb"), ("National Security Committee", "knb"),
    ("Oyan, Qazaqstan", "oyan-qazaqstan"), ("Wake up, Kazakhstan", "oyan-qazaqstan"),
    ("prosecutor's office", "prosecutor-general"), ("Ministry of Internal Affairs", "ministry-of-internal-affairs"),
])
def test_every_spelling_in_the_article_finds_its_source(kazakhstan, name, slug):
    assert kazakhstan.resolve_source(name)["slug"] == slug


def test_incidents_keep_the_article_precision_and_places(kazakhstan):
    incidents = {i["slug"]: i for i in kazakhstan.entries("incident")}
    assert len(incidents) >= 20
    assert incidents["armed-groups-night-5-6-january"]["occurred"]["part_of_day"] == "night"
    assert incidents["peaceful-gathering-6-january"]["occurred"]["part_of_day"] == "afternoon"
    assert incidents["republic-square-morning-5-january"]["occurred"]["part_of_day"] == "morning"
    assert incidents["taraz-riots"]["occurred"]["edtf"] == "2022-01-05/2022-01-10"
    places = " ".join(i["place"] or "" for i in incidents.values())
    for place in ("Republic Square", "Tole bi", "Astana Square", "city administration", "Taraz", "Aktobe",
                  "Taldykorgan", "Mangistau"):
        assert place in places, place
    read = read_chronicle(KAZAKHSTAN)
    files, records = read.files, read.records
    about = {slug for r in records["claims"] for slug in r.data["incidents"]}
    assert {"tole-bi-march", "republic-square-clash", "csto-troops-arrive", "almaty-firefights"} <= about


# ----- the data is evidence: verbatim quotes, followable citations, one story


SEED = KAZAKHSTAN.parent.parent.parent / "shared" / "seed"


def _seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"the seed documents are not beside the repository ({SEED})")
    return " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in sorted(SEED.glob("*.*")))


def test_every_quote_is_the_sources_exact_words():
    text, read = _seed_text(), read_chronicle(KAZAKHSTAN)
    quotes = [(r.data["slug"], r.data.get("quote")) for r in read.records["claims"]]
    quotes += [(r.data["slug"], e.get("quote")) for r in read.records["claims"] for e in r.data["events"]]
    quotes += [(r.data["slug"], c.get("quote")) for r in read.records["claims"] for c in r.data["citations"]]
    missing = [(slug, q) for slug, q in quotes if q and " ".join(q.split()) not in text]
    assert not missing, f"quotes that are not verbatim in the seed documents: {missing}"


def test_citations_name_the_publication_never_a_file_path():
    read = read_chronicle(KAZAKHSTAN)
    citations = [c for r in read.records["claims"] for c in r.data["citations"]]
    citations += [c for r in read.records["claims"] for e in r.data["events"] for c in e["citations"]]
    citations += [c for r in read.records["incidents"] for c in r.data["citations"]]
    assert not [c for c in citations if "shared/" in json.dumps(c)]
    assert all(c.get("outlet") for c in citations)
    assert all(c.get("locator") for c in citations if c["document"] == ARTICLE), "an article citation without a locator"


def test_every_file_names_the_story():
    read = read_chronicle(KAZAKHSTAN)
    assert set(read.stories) == {"kazakhstan-2022"}
    assert read.stories["kazakhstan-2022"].data["title"] == "The January 2022 unrest in Kazakhstan"
    assert {r.story for section in read.records.values() for r in section} == {"kazakhstan-2022"}


def test_the_injured_counts_are_figures_on_their_own_topic(kazakhstan):
    history = kazakhstan.topic_history("injured")["history"]
    assert [(e["claim"], e["kind"], e["figure"]["value"]) for e in history if e["kind"] != "retracted"] == [
        ("ministry-toll-164", "stated", 2265), ("prosecutor-death-toll", "stated", 4353),
        ("prosecutor-death-toll", "revised", 4500)]
    toll = kazakhstan.topic_history("death-toll")["history"]
    assert 2265 not in [(e["figure"] or {}).get("value") for e in toll]


def test_the_articles_quotes_say_they_are_its_translations():
    read = read_chronicle(KAZAKHSTAN)
    translated = [r.data for r in read.records["claims"] if (r.data.get("original") or {}).get("translator")]
    assert translated and all(c["quote_language"] == "en" for c in translated)
    assert {c["original"]["translator"] for c in translated} == {"openDemocracy"}
