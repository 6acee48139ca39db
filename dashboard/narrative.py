"""Plain-language sentences for the Overview and the Briefing, generated from numbers.

Written for about a grade-8 reader: short sentences; each says what the number is, the
period, what it is compared with and how sure it is. A withheld figure is explained, never
shown as zero. No figure is ever typed into a sentence by hand: every number here comes
from an argument.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# A change smaller than this (in either direction) is called "about the same".
FLAT_SHARE = 0.05
# Below this at both ends, a change in a count is given as the two counts, no percentage:
# a few events more or fewer would swing it ("down 50%" of 12 is 6 offenses).
SMALL_COUNT = 20


def withheld_phrase(threshold: int) -> str:
    """``not shown to protect privacy (fewer than 11 people)``"""
    return f"not shown to protect privacy (fewer than {threshold} people)"


def missing_phrase(figure: Figure, threshold: int) -> str:
    """Why a figure is not shown, in words."""
    if figure.reason == "no data":
        return "not available (no data for this period)"
    if figure.reason == "partly withheld":
        return "not shown, because part of it is withheld to protect privacy"
    return withheld_phrase(threshold)


def count_text(value: float, unit: str) -> str:
    """``1,234 people``; ``1 person``; decimals kept to one place."""
    if float(value).is_integer():
        number = f"{int(value):,}"
        if unit == "people" and int(value) == 1:
            return "1 person"
        return f"{number} {unit}"
    return f"{value:,.1f} {unit}"


@dataclass(frozen=True)
class Figure:
    """One published figure for one period: ``value`` is None when withheld."""

    value: float | None
    period: str  # e.g. "July to September 2014"
    # Why ``value`` is None: "withheld" (a small count), "partly withheld" (a sum with a
    # withheld part) or "no data" (nothing published for the period).
    reason: str = "withheld"

    @property
    def withheld(self) -> bool:
        return self.value is None or (isinstance(self.value, float) and math.isnan(self.value))


def change_sentence(
    subject: str,
    unit: str,
    current: Figure,
    prior: Figure,
    threshold: int,
    preposition: str = "in",
) -> str:
    """The latest figure against the period before, in words.

    ``change_sentence("People referred to LEAD", "people", Figure(25, "Q3 2014"),
    Figure(20, "Q2 2014"), 11)`` is ``"People referred to LEAD in Q3 2014: 25 people. That
    is up from 20 in Q2 2014 (25% more)."``
    """
    at = f"{preposition} {current.period}"
    then = f"{preposition} {prior.period}"
    if current.withheld:
        return f"{subject} {at}: {missing_phrase(current, threshold)}."
    now = count_text(float(current.value or 0), unit)
    if prior.withheld:
        return (
            f"{subject} {at}: {now}. The {prior.period} figure is "
            f"{missing_phrase(prior, threshold)}, so there is no comparison."
        )
    before = float(prior.value or 0)
    after = float(current.value or 0)
    before_text = f"{int(before):,}" if before.is_integer() else f"{before:,.1f}"
    if before == 0:
        if after == 0:
            return f"{subject} {at}: none. That is the same as {then}."
        return f"{subject} {at}: {now}. That is up from none {then}."
    if before == after:
        return f"{subject} {at}: {now}. That is the same as {then}."
    if max(before, after) < SMALL_COUNT:
        return f"{subject} {at}: {now}. That compares with {before_text} {then}."
    direction, percent = relative_change(before, after)
    if direction == "flat":
        return f"{subject} {at}: {now}. That is about the same as {then} ({before_text})."
    more = "more" if direction == "up" else "fewer"
    return (
        f"{subject} {at}: {now}. That is {direction} from {before_text} {then} ({percent}% {more})."
    )


def relative_change(before: float, after: float) -> tuple[str, int]:
    """``("up", 25)``, ``("down", 25)`` or ``("flat", 3)``: the change from a non-zero
    ``before``, flat when under :data:`FLAT_SHARE` (the site's one "about the same")."""
    share = (after - before) / before
    direction = "flat" if abs(share) < FLAT_SHARE else "up" if share > 0 else "down"
    return direction, round(abs(share) * 100)


def _percent(ratio: float) -> int:
    return round(abs(1 - ratio) * 100)


def percent_words(ratio: float) -> str:
    """0.33 -> ``67% lower``; 1.25 -> ``25% higher``; 3.0 -> ``3.0 times as high``."""
    if ratio >= 2:
        return f"{ratio:.1f} times as high"
    share = round(abs(1 - ratio) * 100)
    if share == 0:
        return "about the same"
    return f"{share}% {'lower' if ratio < 1 else 'higher'}"


def effect_parts(estimate: float, lower: float, upper: float) -> tuple[str, str]:
    """(size, how sure): ``("about 40% lower", "It could be as little as 20% lower or as
    much as 55% lower.")``, the second a sentence of its own; an interval that includes 1
    says the data cannot tell."""
    if upper < 1:
        return (
            f"about {_percent(estimate)}% lower",
            f"It could be as little as {_percent(upper)}% lower or as much as "
            f"{_percent(lower)}% lower.",
        )
    if lower > 1 and estimate >= 2:
        return (
            f"about {percent_words(estimate)}",
            f"It could be as little as {percent_words(lower)} or as much as "
            f"{percent_words(upper)}.",
        )
    if lower > 1:
        return (
            f"about {_percent(estimate)}% higher",
            f"It could be as little as {_percent(lower)}% higher or as much as "
            f"{_percent(upper)}% higher.",
        )
    if round(estimate, 2) == 1:
        size = "about the same"
    else:
        size = f"about {_percent(estimate)}% {'lower' if estimate < 1 else 'higher'}"
    return (
        size,
        f"But the likely range runs from {_percent(lower)}% lower to {_percent(upper)}% "
        "higher. So these data cannot tell if there is a real difference.",
    )
