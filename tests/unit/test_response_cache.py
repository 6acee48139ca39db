"""The process-local copies of cached pages and answers: a small LRU."""

from __future__ import annotations

from dashboard.response_cache import LocalCopies


def test_the_least_recently_used_entry_goes_first() -> None:
    copies = LocalCopies(size=2)
    copies.put("a", 1)
    copies.put("b", 2)
    assert copies.get("a") == 1  # "a" is now the most recent
    copies.put("c", 3)
    assert copies.get("b") is None
    assert (copies.get("a"), copies.get("c")) == (1, 3)
