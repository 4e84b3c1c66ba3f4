"""A seeded generator of realistic chronicle histories, at any size.

    python -m bench.generator --statements 10000 [--seed 2022]    # prints what it made

A history is a stream of commands in *recorded* order: the order in which a newsroom learns of
statements, which is not the order in which they were said. It is made of stories (an unrest,
an election, a disaster), each with its own sources in camps (the story's officials, opposition,
independent media, experts, civil society, foreign governments), its topics (figures with units,
open questions) and incidents, and its claims: stated, then revised (figures mostly go up),
sometimes retracted, disputed or supported by other camps, and now and then corrected by an
editor. Most statements are recorded within days of being said; some are backfilled from
archives months later. Texts are of real length. The same seed always gives the same history.

Camps are named per story (``varnessa-official``): an "official" camp means one government's
officials, and the lens is how a reader scopes a question to one story.
"""

from __future__ import annotations

import argparse
import functools
import heapq
import itertools
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

# Commands, each a tuple whose first item names it:
#   ("source", record) ("topic", record) ("incident", record) ("state", record)
#   ("revise", slug, changes) ("retract", slug, changes) ("link", slug, link) ("correct", slug, fix)
#   ("done", [claim slugs])  -- the story will not touch these claims again
STATEMENTS = ("state", "revise", "retract", "link", "correct")
_STORY = re.compile(r"^([a-z]+-(\d+))-")

CAMPS = (("official", 30), ("opposition", 14), ("independent-media", 20), ("expert", 14),
         ("civil-society", 12), ("foreign-government", 10))
SOURCE_KINDS = {"official": ("ministry", "office", "person"), "opposition": ("party", "person", "movement"),
                "independent-media": ("outlet", "person"), "expert": ("person", "organisation"),
                "civil-society": ("organisation", "group", "person"), "foreign-government": ("ministry", "office")}
FIGURES = (("death-toll", "Death toll", "people", 40), ("injured", "People injured", "people", 300),
           ("detained", "People detained", "people", 900), ("displaced", "People displaced", "people", 5000),
           ("damage", "Damage to property", "USD", 2e8), ("turnout", "Turnout", "percent", 55),
           ("protesters", "Size of the largest protest", "people", 20000),
           ("charged", "People charged", "people", 120))
QUESTIONS = ("Who ordered the use of force", "Were foreign fighters involved", "Was the internet shut down",
             "Who organised the protests", "Were the detainees tortured", "Why did the security forces withdraw",
             "Was the election result falsified", "Who started the fire", "Were journalists targeted",
             "Did the army open fire on civilians", "Was the curfew lawful", "Who paid the organisers")
SYLLABLES = ("va", "ren", "sa", "kor", "ta", "mi", "lo", "dar", "es", "ka", "nu", "bel", "or", "za", "qa",
             "tin", "ul", "mar", "ko", "yev", "an", "gri", "sto", "vi", "ha", "lem", "ost", "ru", "din", "ya")
GIVEN = ("Aigerim", "Nurlan", "Darya", "Marat", "Elena", "Timur", "Saule", "Pavel", "Amira", "Yusuf",
         "Irina", "Askar", "Lena", "Omar", "Gulnara", "Viktor", "Zarina", "Ruslan", "Maria", "Tomas")
OFFICES = ("Ministry of Interior", "Ministry of Health", "Prosecutor General's Office", "Presidential Press Office",
           "Ministry of Information", "National Security Committee", "Central Election Commission",
           "Ministry of Defence", "Emergency Situations Ministry", "City Administration")
OUTLETS = ("Daily Courier", "Free Radio", "The Observer", "News Network", "Open Channel", "State TV",
           "Morning Post", "Telegram channel", "Wire Service", "Evening Bulletin")
GROUPS = ("Human Rights Bureau", "Lawyers' Collective", "Mothers' Committee", "Election Watch",
          "Journalists' Union", "Medical Volunteers", "Students' Council", "Defenders' Network")
WORDS = (
    "the authorities said that security forces had restored order in the city after two days of unrest "
    "officials reported new figures from hospitals and morgues while independent journalists questioned "
    "the account given at the briefing witnesses described shots fired near the square late at night and "
    "the internet was cut across the region for several days the ministry denied that any civilians were "
    "killed by troops and blamed armed groups trained abroad relatives gathered outside the detention centre "
    "demanding information about those arrested lawyers said they had not been allowed to see their clients "
    "the president announced an investigation and promised that those responsible would be punished "
    "according to the statement the figure includes members of the security forces and civilians "
    "the opposition called the numbers a cover-up and published its own list of names with photographs "
    "experts who studied satellite images said the damage was far greater than officially acknowledged "
    "a spokesperson later clarified that the earlier figure had been a technical error in the data "
    "foreign governments urged restraint and asked for an independent inquiry into the events "
    "the report cites medical sources and regional officials who spoke on condition of anonymity"
).split()


@dataclass
class Story:
    """One story's cast and calendar, while its claims are being generated."""

    slug: str
    place: str
    start: date
    sources: list[dict] = field(default_factory=list)
    topics: list[dict] = field(default_factory=list)
    incidents: list[dict] = field(default_factory=list)


def history(statements: int, seed: int = 2022) -> Iterator[tuple]:
    """Commands in recorded order until ``statements`` statements (claim events) have been made."""
    rng = random.Random(seed)
    made = 0
    pending: list[tuple] = []
    sequence = itertools.count()
    stories = _story_starts(rng)
    next_story = next(stories)
    while made < statements:
        while not pending or next_story[0] <= pending[0][0]:
            number, start = next_story[1], next_story[0]
            for when, command in _story(random.Random(f"{seed}/{number}"), number, start):
                heapq.heappush(pending, (when, next(sequence), command))
            next_story = next(stories)
        _, _, command = heapq.heappop(pending)
        if command[0] in STATEMENTS:
            made += 1
        yield command
    yield ("done", None)


def _story_starts(rng: random.Random) -> Iterator[tuple[date, int]]:
    """Stories begin every few days, from 2012 on."""
    day = date(2012, 1, 1)
    for number in itertools.count():
        yield day, number
        day += timedelta(days=rng.randint(0, 9))


@functools.cache
def _starts(seed: int, count: int) -> list[date]:
    return [day for day, _ in itertools.islice(_story_starts(random.Random(seed)), count)]


def story_start(seed: int, number: int) -> date:
    """The day a story of the seed's history begins."""
    return _starts(seed, (number // 1000 + 1) * 1000)[number]


def story_of(slug: str) -> int:
    """The number of the story an entry (source, camp, topic, incident or claim) belongs to."""
    return int(_STORY.match(slug)[2])


def story_slug(slug: str) -> str:
    """The slug of the story an entry belongs to (its slugs begin with it)."""
    return _STORY.match(slug)[1]


def _story(rng: random.Random, number: int, start: date) -> list[tuple[date, tuple]]:
    """Every command of one story, each with the day it was recorded."""
    place = _name(rng, 2, 3)
    story = Story(f"{place.lower()}-{number}", place, start)
    commands: list[tuple[date, tuple]] = [(start, ("story", {"slug": story.slug, "title": f"Events in {place}"}))]
    for record in _sources(rng, story) + _topics(rng, story) + _incidents(rng, story):
        commands.append((start, record))
    claims = _claims(rng, story, commands)
    last = max(when for when, _ in commands)
    commands.append((last, ("done", claims)))
    return commands


def _name(rng: random.Random, low: int, high: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(low, high))).capitalize()


def _sources(rng: random.Random, story: Story) -> list[tuple]:
    camps, weights = zip(*CAMPS)
    commands = []
    for number in range(rng.randint(12, 28)):
        camp = rng.choices(camps, weights)[0]
        kind = rng.choice(SOURCE_KINDS[camp])
        name = _source_name(rng, kind, story.place)
        record = {"slug": f"{story.slug}-src{number}", "name": name, "camp": f"{story.slug}-{camp}",
                  "kind": kind, "aliases": _aliases(rng, name),
                  "description": _sentence(rng, 8, 20) if rng.random() < 0.5 else None}
        story.sources.append(record)
        commands.append(("source", record))
    return commands


def _source_name(rng: random.Random, kind: str, place: str) -> str:
    if kind == "person":
        return f"{rng.choice(GIVEN)} {_name(rng, 2, 3)}"
    if kind in ("ministry", "office"):
        return f"{rng.choice(OFFICES)} of {place}"
    if kind == "outlet":
        return f"{place} {rng.choice(OUTLETS)}"
    return f"{rng.choice(GROUPS)} of {place}"


def _aliases(rng: random.Random, name: str) -> list[str]:
    """Other spellings a source is reported under: transliterations, initials, abbreviations."""
    variants = {name.replace("y", "i"), name.replace("kh", "h").replace("zh", "j"), name.upper(),
                " ".join(word[0] + "." if i == 0 else word for i, word in enumerate(name.split()))}
    variants.discard(name)
    return sorted(variants)[:rng.randint(0, 3)]


def _topics(rng: random.Random, story: Story) -> list[tuple]:
    commands = []
    figures = rng.sample(FIGURES, rng.randint(2, 6))
    for slug, title, unit, base in figures:
        record = {"story": story.slug, "slug": f"{story.slug}-{slug}", "title": f"{title} in {story.place}", "kind": "figure",
                  "unit": unit, "description": _sentence(rng, 10, 25), "base": base}
        story.topics.append(record)
    for question in rng.sample(QUESTIONS, rng.randint(3, 9)):
        slug = "-".join(question.lower().split()[:4])
        record = {"story": story.slug, "slug": f"{story.slug}-{slug}", "title": f"{question}?", "kind": "question",
                  "unit": None,
                  "description": _sentence(rng, 10, 25) if rng.random() < 0.5 else None}
        story.topics.append(record)
    for record in story.topics:
        commands.append(("topic", {k: v for k, v in record.items() if k != "base"}))
    return commands


def _incidents(rng: random.Random, story: Story) -> list[tuple]:
    commands = []
    for number in range(rng.randint(2, 8)):
        day = story.start + timedelta(days=rng.randint(0, 20))
        record = {"story": story.slug, "slug": f"{story.slug}-incident{number}",
                  "title": _sentence(rng, 4, 9).rstrip("."),
                  "occurred": {"edtf": day.isoformat(), "part_of_day": rng.choice([None, "night", "morning"]),
                               "note": None},
                  "place": f"{_name(rng, 2, 3)} Square, {story.place}", "description": _sentence(rng, 15, 40),
                  "citations": [_citation(rng, story, day)]}
        story.incidents.append(record)
        commands.append(("incident", record))
    return commands


def _claims(rng: random.Random, story: Story, commands: list) -> list[str]:
    """Claims with their later history; returns their slugs."""
    slugs: list[str] = []
    by_topic: dict[str, list[tuple[str, str, date, date]]] = {}
    weights = [2 if s["camp"].endswith("-official") else 2 if s["kind"] == "outlet" else 1 for s in story.sources]
    outlets = [s for s in story.sources if s["kind"] == "outlet"]
    for number in range(int(rng.lognormvariate(5.0, 0.7)) + 1):
        topic = rng.choice(story.topics)
        source = rng.choices(story.sources, weights)[0]
        stated = story.start + timedelta(days=int(rng.expovariate(1 / 25)))
        slug = f"{story.slug}-c{number}"
        figure = _figure(rng, topic, 1.0) if topic["kind"] == "figure" else None
        record = {"slug": slug, "source": source["slug"], "topic": topic["slug"], "stated": stated.isoformat(),
                  "text": _sentence(rng, 18, 60), "quote": _sentence(rng, 8, 25) if rng.random() < 0.5 else None,
                  "figure": figure, "citations": [_citation(rng, story, stated) for _ in range(rng.randint(1, 3))],
                  "note": _sentence(rng, 6, 15) if rng.random() < 0.1 else None,
                  "via": rng.choice(outlets)["slug"] if outlets and rng.random() < 0.08 else None,
                  "incidents": [i["slug"] for i in rng.sample(story.incidents, rng.randint(0, 1))]}
        recorded = stated + _delay(rng)
        commands.append((recorded, ("state", record)))
        slugs.append(slug)
        _later(rng, story, record, source["camp"], stated, recorded, commands, by_topic.get(topic["slug"], []))
        by_topic.setdefault(topic["slug"], []).append((slug, source["camp"], stated, recorded))
    return slugs


def _later(rng: random.Random, story: Story, claim: dict, camp: str, stated: date, recorded: date,
           commands: list, earlier: list[tuple[str, str, date, date]]) -> None:
    """What happens to a claim after it is stated, each event recorded after the one before."""
    slug, scale, versions = claim["slug"], 1.0, 1
    revisions = rng.choices((0, 1, 2, 3, 5), (55, 20, 12, 8, 5))[0] if claim["figure"] else int(rng.random() < 0.2)
    for _ in range(revisions):
        stated += timedelta(days=rng.randint(0, 20))
        recorded = max(recorded, stated) + timedelta(days=rng.randint(0, 2))
        scale *= rng.uniform(1.0, 1.6)
        change = {"stated": stated.isoformat(), "citations": [_citation(rng, story, stated)], "note": None}
        if claim["figure"]:
            topic = next(t for t in story.topics if t["slug"] == claim["topic"])
            change.update(figure=_figure(rng, topic, scale), text=_sentence(rng, 18, 60))
        else:
            change.update(text=_sentence(rng, 18, 60), quote=_sentence(rng, 8, 25) if rng.random() < 0.3 else None)
        commands.append((recorded, ("revise", slug, change)))
        versions += 1
    if earlier and rng.random() < 0.3:
        target, other_camp, day, known = rng.choice(earlier)
        relation = rng.choice(("disputes", "contradicts", "reframes") if other_camp != camp else ("supports",))
        link = {"relation": relation, "target": target, "stated": max(day, stated).isoformat(),
                "note": _sentence(rng, 6, 14) if rng.random() < 0.3 else None}
        recorded = max(recorded, known)
        commands.append((recorded, ("link", slug, link)))
    if rng.random() < 0.07:
        stated += timedelta(days=rng.randint(1, 30))
        recorded = max(recorded, stated) + timedelta(days=rng.randint(0, 3))
        commands.append((recorded, ("retract", slug, {"stated": stated.isoformat(), "reason": _sentence(rng, 8, 20),
                                                      "citations": [_citation(rng, story, stated)]})))
    if rng.random() < 0.08:
        recorded += timedelta(days=rng.randint(1, 200))
        version = rng.randrange(versions)
        changes = rng.choice(({"text": _sentence(rng, 18, 60)}, {"note": _sentence(rng, 6, 15)},
                              {"source": rng.choice(story.sources)["slug"]}))
        commands.append((recorded, ("correct", slug, {"changes": changes, "reason": _sentence(rng, 5, 12),
                                                      "version": version if "source" not in changes else None})))


def _delay(rng: random.Random) -> timedelta:
    """Most statements are recorded within days; one in ten is backfilled from an archive later."""
    if rng.random() < 0.1:
        return timedelta(days=rng.randint(30, 400))
    return timedelta(days=rng.randint(0, 3))


def _figure(rng: random.Random, topic: dict, scale: float) -> dict:
    value = max(1, int(topic["base"] * scale * rng.uniform(0.5, 1.5)))
    figure = {"value": value, "unit": topic["unit"], "qualifier": rng.choice(("exactly", "exactly", "about", "at least")),
              "breakdown": []}
    if rng.random() < 0.2:
        figure["breakdown"] = [{"label": _sentence(rng, 2, 4).rstrip("."), "value": value // 3, "qualifier": "exactly"}]
    return figure


def _citation(rng: random.Random, story: Story, day: date) -> dict:
    outlet = rng.choice(OUTLETS)
    return {"document": f"{outlet}, '{_sentence(rng, 5, 12).rstrip('.')}'",
            "url": f"https://{outlet.lower().replace(' ', '-')}.example/{day.isoformat()}/{rng.randint(1000, 99999)}",
            "date": {"edtf": day.isoformat(), "part_of_day": None, "note": None}}


def _sentence(rng: random.Random, low: int, high: int) -> str:
    start = rng.randrange(len(WORDS))
    words = [WORDS[(start + i) % len(WORDS)] if rng.random() < 0.7 else rng.choice(WORDS)
             for i in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()
    counts: Counter = Counter()
    stories, lengths = set(), []
    for command in history(args.statements, args.seed):
        counts[command[0]] += 1
        if command[0] == "topic":
            stories.add(command[1]["slug"].rsplit("-", 1)[0])
        if command[0] == "state":
            lengths.append(len(command[1]["text"]))
    print(f"seed {args.seed}: {sum(counts[k] for k in STATEMENTS)} statements, {dict(counts)}")
    print(f"claim text: {min(lengths)}-{max(lengths)} characters, median {sorted(lengths)[len(lengths) // 2]}")


if __name__ == "__main__":
    main()
