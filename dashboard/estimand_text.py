"""Plain words for an effect, generated from its indicator's estimand (``etl/estimands.py``).

One sentence form per estimand kind, so a change in change or a within-person change can
never be worded as a difference between groups after entry, and every place that speaks of
an effect (pages, tiles, the briefing, chart labels) says the same thing:

* after-entry difference: "In the 6 months after entry, the odds of any arrest for people
  referred to LEAD were about 67% lower than for the comparison group, ...";
* change in change: "Change in change (...): each group's odds of any arrest after entry
  divided by its own before entry was about 70% lower for people referred to LEAD than for
  the comparison group, ... This compares changes within each group, ...";
* within-person change: "Among LEAD participants (no comparison group), ... This is a
  within-person change with no comparison group: ...";
* area change in change: "Compared with Capitol Hill, reported robbery in Belltown changed
  23% less ... This compares areas, not people, ...".

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
    "This is a within-person change with no comparison group: it may reflect time, regression "
    "to the mean (people are often referred at a low point) or who stayed in follow-up, not "
    "only LEAD."
)
CHANGE_NOTE = (
    "This compares changes within each group, not the groups after entry, and is not adjusted "
    "for how the groups differed."
)
AREA_NOTE = (
    "This compares areas, not people: reported crime also moves with policing, reporting and "
    "events that differ between neighborhoods, so it cannot show that LEAD caused it."
)


def _field(meta: Mapping[str, str], name: str, override: str | None) -> str:
    return override if override is not None else str(meta.get(f"estimand_{name}", ""))


def is_ratio(meta: Mapping[str, str]) -> bool:
    return str(meta.get("unit", "")) in RATIO_UNITS


def adjustment_sentence(meta: Mapping[str, str]) -> str:
    """How an after-entry comparison treats the groups' differences at entry."""
    adjusted_for = str(meta.get("estimand_adjusted_for", "")) or NOT_ADJUSTED
    if adjusted_for == NOT_ADJUSTED:
        return "This compares the groups after entry without adjusting for how they differed."
    return f"This compares the groups after entry, adjusted for {adjusted_for}."


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
        than = "as for" if size == "about the same" else "than for"
        sentence = (
            f"In {when}, {what} for people referred to LEAD were {size} {than} the comparison "
            f"group, {sureness}."
        )
        return f"{sentence} {adjustment_sentence(meta)}" if with_note else sentence
    if kind == CHANGE_IN_CHANGE:
        size, sureness = effect_parts(estimate, lower, upper)
        than = "as for" if size == "about the same" else "than for"
        return (
            f"Change in change ({when}): each group's {what.removeprefix('the ')} after entry "
            f"divided by its own before entry was {size} for people referred to LEAD {than} "
            f"the comparison group, {sureness}. {CHANGE_NOTE}"
        )
    if kind == WITHIN_PERSON:
        groups = str(meta.get("estimand_groups", "LEAD participants"))
        subject = groups.split(" (", 1)[0]
        if is_ratio(meta):
            size, sureness = effect_parts(estimate, lower, upper)
            verb = "were" if what.startswith(("the odds", "days", "rates")) else "was"
            return f"Among {subject}, {what} {when} {verb} {size}, {sureness}. {WITHIN_PERSON_NOTE}"
        return (
            f"Among {subject}, {what} changed by {_signed(estimate)} {when} (likely range "
            f"{_signed(lower)} to {_signed(upper)}). {WITHIN_PERSON_NOTE}"
        )
    if kind in (AREA_CHANGE_IN_CHANGE, AREA_EVENT_STUDY):
        area = comparison or "the comparison area"
        return area_sentence(what, area, when, estimate, lower, upper, with_note)
    size, sureness = effect_parts(estimate, lower, upper)
    return f"{what[:1].upper()}{what[1:]}: {size}, {sureness}."


def _withheld(kind: str, what: str, when: str, threshold: int) -> str:
    label = {
        AFTER_ENTRY: "The comparison of",
        CHANGE_IN_CHANGE: "The change in change of",
        WITHIN_PERSON: "The within-person change in",
    }.get(kind, "The figure for")
    return (
        f"{label} {what.removeprefix('the ')} ({when}) is not shown to protect privacy: it "
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
    """``"Compared with Capitol Hill, reported robbery in Belltown changed 23% less from the
    24 months before October 2011 to the 24 months after (rate ratio 0.77, 95% confidence
    interval 0.55 to 1.07; the interval includes no difference). This compares areas..."``"""
    share = round(abs(1 - ratio) * 100)
    word = "less" if ratio < 1 else "more"
    change = "about the same" if share == 0 else f"{share}% {word}"
    verdict = "; the interval includes no difference" if lower <= 1 <= upper else ""
    sentence = (
        f"Compared with {comparison}, {what} in Belltown changed {change} from {window} (rate "
        f"ratio {ratio:.2f}, 95% confidence interval {lower:.2f} to {upper:.2f}{verdict})."
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
