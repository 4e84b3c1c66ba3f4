"""The answer cache in memory: bounded, least recently used out first, and every read a copy of its own."""

from __future__ import annotations

from chronicle.answers import LRU, Answers, cached, reading, reading_at


def test_the_lru_keeps_its_size_and_drops_the_least_recently_used():
    kept = LRU(3)
    for number in range(3):
        kept.put(number, str(number))
    assert kept.get(0) == "0"  # 0 is now the most recently used
    kept.put(3, "3")
    assert len(kept) == 3 and kept.get(1) is None and kept.get(0) == "0" and kept.get(3) == "3"


def test_the_lru_keeps_the_bytes_it_holds_under_its_bound():
    kept = LRU(100, max_bytes=10, weigh=len)
    for key in "abcd":
        kept.put(key, b"xxx")
    assert len(kept) == 3 and kept.bytes == 9 and kept.get("a") is None
    kept.put("b", b"x" * 7)  # replacing an entry re-weighs it
    assert kept.bytes <= 10 and kept.get("b") == b"x" * 7
    kept.put("huge", b"x" * 11)  # larger than the whole bound: not kept, and nothing dropped for it
    assert kept.get("huge") is None and kept.get("b") == b"x" * 7


def test_answers_larger_than_the_cache_are_answered_but_not_kept():
    answers = Answers(4, max_bytes=64)
    assert answers.get("q", lambda: "x" * 100) == "x" * 100
    assert len(answers) == 0 and answers.get("small", lambda: [1]) == [1] and len(answers) == 1


def test_each_read_of_an_answer_is_a_copy_of_its_own():
    answers = Answers(4)
    first = answers.get("q", lambda: {"topics": [{"claims": [{"text": "said"}]}]})
    first["topics"][0]["claims"][0]["text"] = "changed"
    second = answers.get("q", lambda: None)
    second["topics"].clear()
    assert answers.get("q", lambda: None) == {"topics": [{"claims": [{"text": "said"}]}]}


def test_an_answer_that_is_not_plain_data_is_answered_but_not_kept():
    answers = Answers(4)
    assert answers.get("q", lambda: {object}) == {object}
    assert len(answers) == 0


class _Asked:
    """A stand-in application: its position moves when told to."""

    behind = None

    def __init__(self):
        self.answers, self.position, self.computed = Answers(8), 1, 0

    def read_position(self):
        return "generation", self.position

    @cached
    def question(self, word: str) -> dict:
        self.computed += 1
        return {"word": word, "at": reading()}


def test_a_cached_method_is_keyed_by_position_and_question():
    app = _Asked()
    assert app.question("a") == app.question("a") == {"word": "a", "at": ("generation", 1)}
    assert app.computed == 1
    app.question("b")
    app.position = 2
    assert app.question("a")["at"] == ("generation", 2) and app.computed == 3
    with reading_at(("generation", 1)):
        assert app.question("a")["at"] == ("generation", 1) and app.computed == 3
