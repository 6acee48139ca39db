"""Validation of user-supplied values (control values, query parameters) against known sets.

An unknown value never raises: it falls back to the default and returns a notice the page
shows, so a mistyped link still shows a chart and says what happened.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence


def choose(
    value: object,
    allowed: Sequence[str],
    default: str,
    what: str,
    label: Callable[[str], str] = str,
) -> tuple[str, str | None]:
    """``(value, None)`` if ``value`` is allowed, else ``(default, notice)``."""
    if isinstance(value, str) and value in allowed:
        return value, None
    if value is None or value == "":
        return default, None
    shown = str(value)[:60]
    return default, f"“{shown}” is not a known {what}; showing {label(default)} instead."
