"""Random histories, recorded in any order: the read models must agree with the reference model.

Hypothesis draws claims with revisions, retractions, reinstatements, disputes and editorial
corrections, and records them in a random order: claims are mixed, and each claim's later events
arrive in any order, not the order they were stated in (a 58 recorded after the 79 it preceded).
Commands the chronicle must refuse (a revision after a retraction with no reinstatement between)
are refused by both. It then asks the chronicle and the brute-force model in
tests/reference_model.py the same narrative questions for random days, lenses and "known at"
moments. Set HYPOTHESIS_PROFILE=thorough for more examples.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chronicle.bootstrap import open_chronicle
from chronicle.config import Settings
from chronicle.domain import ChronicleError
from tests.conftest import TEST_DATABASE_URL, drop_schemas
from tests.reference_model import Model

settings.register_profile("default", max_examples=60)
settings.register_profile("thorough", max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

CAMPS = {"s0": "official", "s1": "official", "s2": "expert", "s3": "expert"}
WORDS = st.text(alphabet="abcxyzЖқ <>&\u200f", min_size=1, max_size=12).filter(lambda t: t.strip())


@st.composite
def histories(draw):
    """Per-claim events (in stated order: the statement, then what followed) and disputes between claims."""
    claims = []
    for number in range(draw(st.integers(2, 6))):
        topic = draw(st.sampled_from(["toll", "why"]))
        day = draw(st.integers(1, 20))
        value = draw(st.integers(1, 500)) if topic == "toll" else None
        ops = [("state", f"c{number}", draw(st.sampled_from(sorted(CAMPS))), topic, day, draw(WORDS), value)]
        retracted = False
        for _ in range(draw(st.integers(0, 5))):
            kind = "reinstate" if retracted else draw(st.sampled_from(["revise", "revise", "retract", "correct"]))
            if kind == "correct":
                ops.append(("correct", f"c{number}", draw(st.integers(0, 9)), draw(WORDS)))
                continue
            day = min(day + draw(st.integers(0, 4)), 31)
            text = draw(st.one_of(st.none(), WORDS)) if kind == "revise" else None
            new_value = draw(st.integers(1, 500)) if kind == "revise" and topic == "toll" else None
            if kind == "revise" and text is None and new_value is None:
                text = draw(WORDS)
            ops.append((kind, f"c{number}", day, text, new_value))
            retracted = kind == "retract"
        claims.append(ops)
    disputes = draw(st.lists(st.tuples(st.integers(0, len(claims) - 1), st.integers(0, len(claims) - 1))
                             .filter(lambda pair: pair[0] != pair[1]), max_size=3))
    return claims, disputes


def interleave(claims: list[list[tuple]], disputes: list[tuple[int, int]], rng) -> list[tuple]:
    """One recorded order: each claim's statement first, its later events in any order, claims mixed,
    disputes once both claims exist."""
    queues = []
    for ops in claims:
        later = list(ops[1:])
        rng.shuffle(later)
        queues.append([ops[0], *later])
    order, stated = [], set()
    pending = list(disputes)
    while any(queues):
        queue = rng.choice([q for q in queues if q])
        command = queue.pop(0)
        order.append(command)
        stated.add(command[1])
        for pair in [p for p in pending if f"c{p[0]}" in stated and f"c{p[1]}" in stated]:
            pending.remove(pair)
            order.append(("dispute", f"c{pair[0]}", f"c{pair[1]}"))
    return order


def day(number: int) -> str:
    return f"2022-01-{number:02d}"


def apply(chronicle, command: tuple) -> None:
    kind, slug = command[0], command[1]
    if kind == "state":
        _, _, source, topic, when, text, value = command
        figure = {"value": value, "unit": "people"} if value is not None else None
        chronicle.state_claim(slug, source, topic, day(when), text, figure=figure)
    elif kind == "revise":
        _, _, when, text, value = command
        chronicle.revise_claim(slug, day(when), text=text,
                               figure={"value": value, "unit": "people"} if value is not None else None)
    elif kind == "retract":
        chronicle.retract_claim(slug, day(command[2]), "withdrawn")
    elif kind == "reinstate":
        chronicle.reinstate_claim(slug, day(command[2]), "stands by it")
    elif kind == "dispute":
        chronicle.link_claims(slug, "disputes", command[2])
    else:
        chronicle.correct_claim(slug, {"text": command[3]}, "our typo", version=command[2])


def as_sets(narrative: dict) -> dict[str, set]:
    return {group["topic"]["slug"]: {(c["claim"], c["version"], c["kind"], c["status"], c["text"],
                                      c["figure"]["value"] if c["figure"] else None, c["disputed"])
                                     for c in group["claims"]} for group in narrative["topics"]}


def as_model_sets(answer: dict) -> dict[str, set]:
    return {topic: {(s, n, k, st_, t, v, d) for s, n, k, st_, t, v, d in rows} for topic, rows in answer.items()}


def new_chronicle(folder: Path, database_url: str | None):
    chronicle = open_chronicle(Settings(data_dir=folder, database_url=database_url))
    chronicle.start_story("s", "A story")
    for slug, camp in CAMPS.items():
        chronicle.register_source(slug, slug.upper(), camp)
    chronicle.open_topic("toll", "Toll", "figure", "people")
    chronicle.open_topic("why", "Why", "question")
    return chronicle


@contextmanager
def fresh_store(backend: str):
    """A database URL for one example: None for SQLite files, or a PostgreSQL schema of its own."""
    if backend == "sqlite":
        yield None
        return
    schema = f"p_{uuid.uuid4().hex[:16]}"
    try:
        yield f"{TEST_DATABASE_URL}{'&' if '?' in TEST_DATABASE_URL else '?'}schema={schema}"
    finally:
        drop_schemas(schema)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request):
    if request.param == "postgresql":
        reason = request.getfixturevalue("postgres_server")
        if reason:
            if os.environ.get("CI"):
                pytest.fail(f"the PostgreSQL tests must run in CI, but {reason}")
            pytest.skip(reason)
    return request.param


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(history=histories(), rng=st.randoms(use_true_random=False), questions=st.data())
def test_read_models_agree_with_the_reference_model(backend, history, rng, questions):
    claims, disputes = history
    with tempfile.TemporaryDirectory() as folder, fresh_store(backend) as url:
        chronicle = new_chronicle(Path(folder), url)
        model = Model(CAMPS, {"toll"})
        moments = [datetime.now(timezone.utc).isoformat()]
        for command in interleave(claims, disputes, rng):
            if command[0] == "correct":
                command = (*command[:2], command[2] % model.versions_recorded(command[1]), command[3])
            if model.record(*command):
                apply(chronicle, command)
                moments.append(datetime.now(timezone.utc).isoformat())
            else:
                with pytest.raises(ChronicleError, match="retraction|reinstate"):
                    apply(chronicle, command)
        for _ in range(6):
            as_of = questions.draw(st.integers(1, 31))
            lens = questions.draw(st.sampled_from(["official", "everyone", "expert"]))
            known = questions.draw(st.one_of(st.none(), st.integers(0, len(model.commands))))
            camps = None if lens == "everyone" else {lens}
            expected = model.narrative(as_of, camps, known)
            actual = chronicle.narrative(day(as_of), lens, None if known is None else moments[known])
            assert as_sets(actual) == as_model_sets(expected), (as_of, lens, known)
        chronicle.view.close()
        chronicle.close()
