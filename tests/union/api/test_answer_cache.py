"""The search answer cache keeps an answer for its time to live, then forgets it, and
never holds more than its capacity (pure: the clock is passed in)."""

from __future__ import annotations

from union.api.cache import AnswerCache


class Clock:
    """Seconds that move only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_answer_is_served_until_its_time_to_live_runs_out() -> None:
    clock = Clock()
    cache = AnswerCache(clock, ttl=2.0)
    cache.put("q=sejarah", b"{}")
    clock.now += 1.9
    assert cache.get("q=sejarah") == b"{}"
    clock.now += 0.1
    assert cache.get("q=sejarah") is None


def test_other_query_strings_are_other_answers() -> None:
    cache = AnswerCache(Clock())
    cache.put("q=sejarah", b"1")
    assert cache.get("q=sejarah&page=2") is None


def test_the_least_recently_stored_answer_goes_first_when_full() -> None:
    cache = AnswerCache(Clock(), capacity=2)
    for key in ("a", "b", "c"):
        cache.put(key, key.encode())
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (None, b"b", b"c")
