"""Hostile text is stored exactly, comes back exactly, and is searchable."""

from __future__ import annotations

import pytest

from chronicle.domain import InvalidValueError

HOSTILE = [
    "<script>alert('x')</script><b onmouseover=\"steal()\">bold</b>",
    "Қасым-Жомарт Тоқаев: «государство не рухнет»",
    "\u200fمرحبا\u202e reversed \u202c and a bell \x07 and escape \x1b[31m",
    "'; DROP TABLE versions; --",
    "x" * 20000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=["html", "kazakh", "rtl-control", "sql", "huge"])
def test_hostile_text_round_trips_exactly(chronicle, text):
    chronicle.start_story("a-story", "A story")
    chronicle.register_source("odd-source", text[:200] or "x", "official", aliases=[text[:100]])
    chronicle.open_topic("odd-topic", text[:300], "question")
    chronicle.state_claim("odd-claim", "odd-source", "odd-topic", "2022-01-07", text, quote=text, note=text,
                          citations=[{"document": text}])
    claim = chronicle.narrative("2022-01-07", "everyone")["topics"][0]["claims"][0]
    assert claim["text"] == text and claim["quote"] == text and claim["note"] == text
    assert claim["citations"] == [{"document": text}]
    assert claim["source"]["name"] == text[:200]
    assert chronicle.resolve_source(text[:100])["slug"] == "odd-source"


def test_kazakh_and_russian_words_are_searchable(chronicle):
    chronicle.start_story("a-story", "A story")
    chronicle.register_source("tokayev", "Қасым-Жомарт Тоқаев", "official", aliases=["Касым-Жомарт Токаев"])
    chronicle.open_topic("stability", "Stability", "question")
    chronicle.state_claim("will-not-fall", "tokayev", "stability", "2022-01-10", "Государство не рухнет")
    assert [r["slug"] for r in chronicle.search("рухнет")] == ["will-not-fall"]
    assert [r["slug"] for r in chronicle.search("тоқаев")] == ["tokayev"]
    assert chronicle.resolve_source("ҚАСЫМ-ЖОМАРТ ТОҚАЕВ")["slug"] == "tokayev"


def test_a_nul_character_is_refused_with_a_clear_error(chronicle):
    chronicle.start_story("a-story", "A story")
    chronicle.register_source("s", "S", "official")
    chronicle.open_topic("t", "T", "question")
    with pytest.raises(InvalidValueError, match="NUL"):
        chronicle.state_claim("c", "s", "t", "2022-01-07", "before\x00after")
    assert chronicle.entries("claim") == []
