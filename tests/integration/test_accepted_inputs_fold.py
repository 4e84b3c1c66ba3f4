"""Whatever the schemas accept, the read models fold; whatever they refuse stores nothing.

Hypothesis draws chronicle files and editorial corrections from the marshmallow schemas
themselves (tests/strategies.py): every field anywhere in what it accepts, and often just outside
(huge and tiny numbers, odd Unicode, wrong types, impossible dates). Each is recorded through the
doors people use (a file load, a correction) on a fresh chronicle on each store. A refusal must be
a ChronicleError that stored nothing; an acceptance must be folded by every read model, so that
the view reaches the head of the log with no fault, and every question and every output schema
serves it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from chronicle import schemas
from chronicle.domain import ChronicleError
from chronicle.loader import load_chronicle
from chronicle.schemas import CORRECTABLE, ClaimEventRecord, ClaimRecord, LinkRecord
from tests.integration.test_properties import backend, fresh_store, new_chronicle  # noqa: F401 - a fixture
from tests.strategies import anything, date_values, from_schema

SLUGS = ["c0", "c1", "c2"]
SOURCES = st.sampled_from(["s0", "s1", "s2", "S3", "nobody"])
TOPICS = st.sampled_from(["toll", "why", "injured", "nowhere"])


def claims() -> st.SearchStrategy:
    links = st.lists(from_schema(LinkRecord, {"target": st.sampled_from(SLUGS + ["gone"])}), max_size=2)
    events = st.lists(from_schema(ClaimEventRecord, {
        "changes": st.dictionaries(st.sampled_from(CORRECTABLE), anything(), max_size=3),
        "version": st.integers(-1, 4) | st.none(),
        "figures": st.lists(from_schema(schemas.OtherFigureRecord, {"topic": TOPICS}), max_size=2),
    }), max_size=3)
    return from_schema(ClaimRecord, {"slug": st.sampled_from(SLUGS), "source": SOURCES, "via": SOURCES,
                                     "topic": TOPICS, "incidents": st.just([]), "links": links, "events": events,
                                     "stated": date_values(),
                                     "figures": st.lists(from_schema(schemas.OtherFigureRecord, {"topic": TOPICS}),
                                                         max_size=2)})


def serve_everything(chronicle) -> None:
    """Every question of the story, dumped through its output schema and to JSON."""
    answers = []
    for day in ("1999-01-01", "2022-01-10", "2100-01-01"):
        for lens in ("official", "everyone", "s1"):
            answers.append(schemas.NarrativeOut().dump(chronicle.narrative(day, lens)))
        answers.append(chronicle.timeline(day, "everyone"))
    answers.append(schemas.DiffOut().dump(chronicle.diff("1999-01-01", "2100-01-01", "everyone")))
    answers.append(schemas.LensHistoryOut().dump(chronicle.lens_history("everyone")))
    for topic in ("toll", "why", "injured"):
        answers.append(schemas.TopicHistoryOut().dump(chronicle.topic_history(topic)))
    for claim in chronicle.entries("claim"):
        answers.append(schemas.ClaimHistoryOut().dump(chronicle.claim_history(claim["slug"])))
    answers.append(schemas.SourceClaimsOut().dump(chronicle.source_claims("s0")))
    answers.append(chronicle.search("a"))
    answers.append(chronicle.narrative_days("everyone"))
    json.dumps(answers, default=str)


@settings(max_examples=int(os.environ.get("FOLD_EXAMPLES", 100)), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(files=st.lists(st.lists(claims(), min_size=1, max_size=3), min_size=1, max_size=3),
       corrections=st.lists(st.tuples(st.sampled_from(SLUGS), st.dictionaries(st.sampled_from(
           [*CORRECTABLE, "source_id", "topic_id", "incident_ids"]), anything(), max_size=3),
           st.integers(-1, 3) | st.none()), max_size=3))
def test_every_accepted_input_is_folded_and_served(backend, files, corrections):  # noqa: F811
    with tempfile.TemporaryDirectory() as folder, fresh_store(backend) as url:
        chronicle = new_chronicle(Path(folder) / "data", url)
        try:
            record_and_serve(chronicle, folder, files, corrections)
        finally:
            chronicle.view.close()
            chronicle.close()


def record_and_serve(chronicle, folder: str, files: list, corrections: list) -> None:
    """Record the drawn files and corrections; check each refusal stored nothing and everything accepted is served."""
    chronicle.open_topic("injured", "Injured", "figure", "people")
    for number, records in enumerate(files):
        path = Path(folder) / f"file{number}.json"
        path.write_text(json.dumps({"story": "s", "claims": records}), encoding="utf-8")
        before = chronicle.recorder.max_notification_id()
        try:
            load_chronicle(chronicle, path)
            event("a file was loaded")
        except ChronicleError:
            event("a file was refused")
            assert chronicle.recorder.max_notification_id() == before, "a refused load stored something"
    for slug, changes, version in corrections:
        before = chronicle.recorder.max_notification_id()
        try:
            chronicle.correct_claim(slug, changes, "fuzzed correction", version)
            event("a correction was recorded")
        except ChronicleError:
            assert chronicle.recorder.max_notification_id() == before, "a refused correction stored something"
    status = chronicle.view_status()
    assert status["fault"] is None, status
    assert status["position"] == status["head"]
    serve_everything(chronicle)
    assert chronicle.verify_chain().ok


@pytest.mark.parametrize("changes", [
    {"text": 123}, {"text": ["a"]}, {"quote": 5}, {"reason": 7}, {"note": {"x": [1]}}, {"citations": "x"},
    {"citations": [5]}, {"text": None}, {"source_id": None}, {"topic_id": None},
    {"figure": {"unit": "people", "value": 9.3e18}}, {"figure": {"unit": "people", "value": 1e308}},
])
def test_corrections_of_the_wrong_type_are_refused_and_store_nothing(kazakhstan, changes):
    before = kazakhstan.recorder.max_notification_id()
    with pytest.raises(ChronicleError):
        kazakhstan.correct_claim("ministry-toll-164", changes, "fuzz", version=0)
    assert kazakhstan.recorder.max_notification_id() == before
    serve_everything_kz = kazakhstan.timeline("2022-01-10", "everyone")
    assert serve_everything_kz["items"]


@pytest.mark.parametrize("value", [9.3e18, 1e20, 1e308, -1e20])
def test_a_figure_too_large_for_the_stores_is_refused_at_every_door(kazakhstan, value, tmp_path):
    with pytest.raises(ChronicleError, match="figure"):
        kazakhstan.revise_claim("prosecutor-death-toll", "2022-09-01", figure={"unit": "people", "value": value})
    with pytest.raises(ChronicleError, match="figure"):
        kazakhstan.state_claim("huge", "tokayev", "death-toll", "2022-01-09", "huge",
                               figure={"unit": "people", "value": value})
    path = tmp_path / "huge.json"
    path.write_text(json.dumps({"story": "kazakhstan-2022", "claims": [{
        "slug": "huge", "source": "tokayev", "topic": "death-toll", "stated": "2022-01-09", "text": "huge",
        "figure": {"unit": "people", "value": value}, "citations": [{"document": "d"}]}]}))
    with pytest.raises(ChronicleError, match="figure.value"):
        load_chronicle(kazakhstan, path)
    assert kazakhstan.view_status()["fault"] is None
