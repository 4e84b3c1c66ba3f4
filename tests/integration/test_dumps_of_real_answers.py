"""The chronicle's real answers dump alike through marshmallow and through the compiled form the API uses."""

from __future__ import annotations

from chronicle import schemas
from chronicle.compiled_dumps import compiled
from chronicle_web.api import schemas as api


def test_a_list_of_answers_is_dumped_alike(kazakhstan):
    schema = schemas.NarrativeOut()
    answers = [kazakhstan.narrative(day, lens) for day in ("2022-01-05", "2022-01-10", "2022-01-16")
               for lens in ("official", "everyone")]
    assert compiled(schema)(answers, many=True) == schema.dump(answers, many=True)
    for answer in answers:
        assert compiled(schema)(answer) == schema.dump(answer)


def test_the_api_dumps_through_the_compiled_form(kazakhstan):
    dumped = api.shared(api.NarrativePageOut).dump
    assert dumped.__module__ == "chronicle.compiled_dumps"
