"""Plain words for an effect, generated from its indicator's estimand (``etl/estimands.py``).

One sentence form per estimand kind, so a change in change or a within-person change can
never be worded as a difference between groups after entry, and every place that speaks of
an effect (pages, tiles, the briefing, chart labels) says the same thing:

* after-entry difference: "In the 6 months after entry, the LEAD group's odds of any arrest
  were about 67% lower than the comparison group's. It could be as little as ...";
* change in change: "This compares each group with itself, from ... The LEAD group's odds
  of any arrest fell more, or rose less, than the comparison group's: about 70% lower ...
  This does not compare the groups after entry. ...";
* within-person change: "This follows LEAD participants ... There is no comparison
  group. ...";
* area change in change: "From the 24 months before October 2011 to the 24 months after,
  reported robbery in Belltown changed 23% less than in Capitol Hill. ... This compares
  areas, not people. ...".

Sentences are short (about grade 8, checked in tests): each number, its comparison and how
sure it is get a sentence of their own.

Every number comes from an argument; nothing is typed in by hand.
"""

from __future__ import annotations

from collections.abc import Mapping

from dashboard.narrative import effect_parts, percent_words
from etl.estimands import (
    AFTER_ENTRY,
    AREA_CHANGE_IN_CHANGE,
    AREA_EVENT_STUDY,
    CHANGE_IN_CHANGE,
    NOT_ADJUSTED,
    WITHIN_PERSON,
)

RATIO_UNITS = ("odds ratio", "rate ratio")
WITHIN_PERSON_NOTE = (
    "There is no comparison group. People often join at a low point and get better anyway. "
    "So the change may come from that, from time passing or from who stayed in follow-up, "
    "not only from LEAD."
)
CHANGE_NOTE = (
    "This does not compare the groups after entry. It is not adjusted for how the groups differed."
)
AREA_NOTE = (
    "This compares areas, not people. Reported crime also moves with policing, reporting "
    "and events that differ between areas. So it cannot show that LEAD caused the change."
)
PLURAL_STARTS = ("the odds", "odds", "days", "rates", "jail bookings", "bookings", "arrests")


def _field(meta: Mapping[str, str], name: str, override: str | None) -> str:
    return override if override is not None else str(meta.get(f"estimand_{name}", ""))


def is_ratio(meta: Mapping[str, str]) -> bool:
    return str(meta.get("unit", "")) in RATIO_UNITS


def adjustment_sentence(meta: Mapping[str, str]) -> str:
    """How an after-entry comparison treats the groups' differences at entry."""
    adjusted_for = str(meta.get("estimand_adjusted_for", "")) or NOT_ADJUSTED
    if adjusted_for == NOT_ADJUSTED:
        return "This compares the groups after entry. It does not adjust for how they differed."
    return f"This compares the groups after entry. It is adjusted for {adjusted_for}."


def comparative(size: str) -> str:
    """The word after a size: ``about 40% lower than``, ``about 2.5 times as high as``."""
    return "as" if size == "about the same" or " times as " in size else "than"


def _verb(what: str) -> str:
    return "were" if what.startswith(PLURAL_STARTS) else "was"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def effect_sentence(
    meta: Mapping[str, str],
    estimate: float | None,
    lower: float | None,
    upper: float | None,
    threshold: int,
    outcome: str | None = None,
    window: str | None = None,
    comparison: str | None = None,
    with_note: bool = True,
) -> str:
    """The sentence for one published effect of indicator ``meta`` (its metadata row).

    ``outcome``, ``window`` and (for areas) ``comparison`` override the estimand's phrases
    for one observation (e.g. a 12-month window of the sensitivity analysis, or the
    offense group and comparison area of a neighborhood figure). ``None`` estimates mean
    the figure is withheld.
    """
    kind = str(meta.get("estimand_kind", ""))
    what = _field(meta, "outcome", outcome)
    when = _field(meta, "window", window)
    if estimate is None or lower is None or upper is None:
        return _withheld(kind, what, when, threshold)
    if kind == AFTER_ENTRY:
        size, sureness = effect_parts(estimate, lower, upper)
        than = comparative(size)
        outcome_words = what.removeprefix("the ")
        sentence = (
            f"In {when}, the LEAD group's {outcome_words} {_verb(outcome_words)} {size} {than} "
            f"the comparison group's. {sureness}"
        )
        return f"{sentence} {adjustment_sentence(meta)}" if with_note else sentence
    if kind == CHANGE_IN_CHANGE:
        size, sureness = effect_parts(estimate, lower, upper)
        outcome_words = what.removeprefix("the ")
        if size == "about the same":
            moved = "changed about as much as the comparison group's"
        elif estimate < 1:
            moved = f"fell more, or rose less, than the comparison group's: {size}"
        else:
            moved = f"rose more, or fell less, than the comparison group's: {size}"
        return (
            f"This compares each group with itself, from {when}. The LEAD group's "
            f"{outcome_words} {moved}. {sureness} {CHANGE_NOTE}"
        )
    if kind == WITHIN_PERSON:
        groups = str(meta.get("estimand_groups", "LEAD participants"))
        subject = groups.split(" (", 1)[0]
        if is_ratio(meta):
            size, sureness = effect_parts(estimate, lower, upper)
            return (
                f"This follows {subject}. {_capital(what)} {when}, {_verb(what)} {size}. "
                f"{sureness} {WITHIN_PERSON_NOTE}"
            )
        return (
            f"Among {subject}, {what} changed by {_signed(estimate)} {when} (likely range "
            f"{_signed(lower)} to {_signed(upper)}). {WITHIN_PERSON_NOTE}"
        )
    if kind in (AREA_CHANGE_IN_CHANGE, AREA_EVENT_STUDY):
        area = comparison or "the comparison area"
        return area_sentence(what, area, when, estimate, lower, upper, with_note)
    size, sureness = effect_parts(estimate, lower, upper)
    return f"{_capital(what)}: {size}. {sureness}"


def _withheld(kind: str, what: str, when: str, threshold: int) -> str:
    label = {
        AFTER_ENTRY: "The comparison of",
        CHANGE_IN_CHANGE: "The change in change of",
        WITHIN_PERSON: "The within-person change in",
    }.get(kind, "The figure for")
    return (
        f"{label} {what.removeprefix('the ')} ({when}) is not shown to protect privacy. It "
        f"rests on, or would reveal, a group of fewer than {threshold} people."
    )


def area_sentence(
    what: str,
    comparison: str,
    window: str,
    ratio: float,
    lower: float,
    upper: float,
    with_note: bool = True,
) -> str:
    """``"From the 24 months before October 2011 to the 24 months after, reported robbery in
    Belltown changed 23% less than in Capitol Hill. The rate ratio is 0.77 (95% confidence
    interval 0.55 to 1.07). That interval includes no difference. This compares areas..."``"""
    share = round(abs(1 - ratio) * 100)
    word = "less" if ratio < 1 else "more"
    change = "about as much as" if share == 0 else f"{share}% {word} than"
    verdict = " That interval includes no difference." if lower <= 1 <= upper else ""
    sentence = (
        f"From {window}, {what} in Belltown changed {change} in {comparison}. The rate ratio "
        f"is {ratio:.2f} (95% confidence interval {lower:.2f} to {upper:.2f}).{verdict}"
    )
    return f"{sentence} {AREA_NOTE}" if with_note else sentence


def _signed(value: float) -> str:
    return f"{value:+.1f}".replace("-", "−")


def range_words(lower: float, upper: float) -> str:
    """The interval in the headline's unit: ``likely range 47% to 80% lower``, or across 1
    ``likely range 20% lower to 15% higher``."""
    if upper < 1:
        return f"likely range {round((1 - upper) * 100)}% to {round((1 - lower) * 100)}% lower"
    return f"likely range {percent_words(lower)} to {percent_words(upper)}"
