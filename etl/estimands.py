"""What each effect indicator compares: its estimand, declared as data.

Shared by the ETL (which writes the fields into the ``indicator`` table) and the site (whose
sentences, tiles, chart labels and downloads read them back), so the words about a number
can never claim more than its design supports. Pure: no I/O, nothing person-level.

Kinds (``ESTIMAND_KINDS``):

* ``after_entry_difference``: the two groups compared with each other *after* entry
  (e.g. the odds of arrest in the six months after entry, LEAD vs comparison), unadjusted
  or adjusted for what the groups looked like at entry.
* ``change_in_change``: each group's after-entry figure divided by its own before-entry
  figure, LEAD's ratio relative to the comparison group's (difference in differences). It
  compares *changes*; it is never worded as a difference between the groups after entry.
* ``within_person_change``: LEAD participants compared with themselves before referral.
  There is no comparison group, so time, regression to the mean and drop-out are not
  separated from LEAD.
* ``area_change_in_change``: Belltown's before-to-after change relative to a comparison
  area's. It compares areas (reported counts), not people.
* ``area_event_study``: Belltown relative to a comparison area in each year, relative to
  the same ratio in the year before LEAD began.
"""

from __future__ import annotations

from dataclasses import dataclass

AFTER_ENTRY = "after_entry_difference"
CHANGE_IN_CHANGE = "change_in_change"
WITHIN_PERSON = "within_person_change"
AREA_CHANGE_IN_CHANGE = "area_change_in_change"
AREA_EVENT_STUDY = "area_event_study"

ESTIMAND_KINDS: dict[str, str] = {
    AFTER_ENTRY: "Difference between the groups after entry",
    CHANGE_IN_CHANGE: (
        "Change in change: each group's after-entry figure relative to its own before-entry "
        "figure, LEAD relative to the comparison group"
    ),
    WITHIN_PERSON: "Within-person change, no comparison group",
    AREA_CHANGE_IN_CHANGE: (
        "Change in change between areas: Belltown's before-to-after change relative to a "
        "comparison area's (areas, not people)"
    ),
    AREA_EVENT_STUDY: (
        "Belltown relative to a comparison area in each year, relative to the year before "
        "LEAD began (areas, not people)"
    ),
}
"""Each kind and its one-line name, as downloads and the Methods page print it."""

NOT_ADJUSTED = "nothing (unadjusted)"

ESTIMAND_FIELDS = (
    "estimand_kind",
    "estimand_outcome",
    "estimand_window",
    "estimand_groups",
    "estimand_adjusted_for",
)
"""The ``indicator`` columns that hold an estimand (empty strings for a non-effect)."""


@dataclass(frozen=True)
class Estimand:
    """What an effect compares, of what, over which window, between whom, adjusted for what.

    ``outcome``, ``window`` and ``groups`` are phrases that fit into a sentence ("the odds of
    any arrest", "the 6 months after entry", "people referred to LEAD and the comparison
    group"); ``adjusted_for`` names the adjustment ("nothing (unadjusted)" when none).
    """

    kind: str
    outcome: str
    window: str
    groups: str
    adjusted_for: str = NOT_ADJUSTED

    def __post_init__(self) -> None:
        error = f"unknown estimand kind {self.kind!r}"
        assert self.kind in ESTIMAND_KINDS, error

    def as_fields(self) -> dict[str, str]:
        return {
            "estimand_kind": self.kind,
            "estimand_outcome": self.outcome,
            "estimand_window": self.window,
            "estimand_groups": self.groups,
            "estimand_adjusted_for": self.adjusted_for,
        }


NO_ESTIMAND_FIELDS = dict.fromkeys(ESTIMAND_FIELDS, "")


def estimand_lines(meta: dict[str, str]) -> list[str]:
    """The estimand as plain lines for a download's header or the API (none if not an effect)."""
    kind = meta.get("estimand_kind", "")
    if not kind:
        return []
    return [
        f"Compares: {ESTIMAND_KINDS.get(kind, kind)}",
        f"Outcome: {meta.get('estimand_outcome', '')}",
        f"Window: {meta.get('estimand_window', '')}",
        f"Groups: {meta.get('estimand_groups', '')}",
        f"Adjusted for: {meta.get('estimand_adjusted_for', '') or NOT_ADJUSTED}",
    ]
