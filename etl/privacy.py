"""Small-cell suppression with complementary suppression, and an audit that proves it.

Every figure derived from program (person-level) records passes through :func:`suppress`
before it is published:

1. **Primary suppression**: a cell based on fewer than ``threshold`` people (default 11,
   setting ``SUPPRESSION_THRESHOLD``) is withheld. Zero counts are withheld too: "nobody in
   this group" is itself a small-cell disclosure.
2. **Complementary suppression**: published figures are tied together by linear
   relations (a total is the sum of its parts; a cumulative count is the previous one plus
   the period's count; a stock changes by inflows minus outflows). For every relation, if
   exactly one of its cells is withheld it could be recomputed by differencing, so the
   smallest other cell of the relation is withheld as well; and if the withheld cells of a
   relation add up to fewer than ``threshold`` people, one more is withheld, so that their
   sum does not disclose a small group. Then the audit below is run, and any withheld
   cell it can still pin down (relations combined with counts never being negative) takes
   the nearest published cell with it. This repeats until nothing changes.
3. **Links** ``(a, b)``: if ``a`` is withheld, so is ``b``. A share is linked from its
   count and from its denominator, so a published share never reveals either.
4. **Audit**: :func:`audit` takes only what would be published (withheld values unknown)
   and, for each withheld cell, computes the smallest and largest value it can take given
   every relation (integer bounds of a linear program, cells >= 0). If any withheld
   cell is pinned to one value, the publication is refused.

Cells are identified by any hashable key (the pipeline uses the observation's identity:
indicator, area, period, breakdown). The functions are pure.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

Key = Hashable


@dataclass(frozen=True)
class Relation:
    """``sum(coefficient * value) == 0`` over the cells named, e.g. total - a - b = 0."""

    terms: tuple[tuple[Key, int], ...]

    @classmethod
    def total(cls, total: Key, parts: Iterable[Key]) -> Relation:
        """``total == sum(parts)``."""
        return cls(((total, 1), *((part, -1) for part in parts)))

    @property
    def keys(self) -> tuple[Key, ...]:
        return tuple(key for key, _ in self.terms)


@dataclass
class SuppressionResult:
    """Which cells are withheld, and why (``primary``, ``complementary`` or ``linked``)."""

    suppressed: dict[Key, bool]
    reasons: dict[Key, str] = field(default_factory=dict)

    def withheld(self) -> list[Key]:
        return [key for key, is_suppressed in self.suppressed.items() if is_suppressed]


def suppress(
    people: Mapping[Key, float],
    values: Mapping[Key, float],
    relations: Sequence[Relation],
    threshold: int,
    links: Sequence[tuple[Key, Key]] = (),
    hidden: Iterable[Key] = (),
) -> SuppressionResult:
    """Decide which cells to withhold.

    ``people[key]`` is the number of people a cell is based on (for a count, the count;
    for a rate, the smaller of its numerator and the people without the attribute);
    ``values[key]`` is the cell's value as it appears in the ``relations``. Every key in a
    relation or link must be in both mappings. ``hidden`` cells take part in relations but
    are never published (e.g. people referred but never enrolled, which tie referrals to
    active counts); they are protected like any other cell when they are small.
    """
    error = "every cell in a relation or link needs a people count and a value"
    assert all(k in people and k in values for r in relations for k in r.keys), error
    assert all(a in people and b in people for a, b in links), error
    never_published = set(hidden)
    suppressed = {key: people[key] < threshold or key in never_published for key in people}
    reasons = {
        key: ("not published" if key in never_published else "primary")
        for key, is_suppressed in suppressed.items()
        if is_suppressed
    }
    protected = {key for key in people if key not in never_published or people[key] < threshold}
    changed = True
    while changed:
        changed = _apply_links(suppressed, reasons, links)
        for relation in relations:
            withheld = [k for k in relation.keys if suppressed[k]]
            published = [k for k in relation.keys if not suppressed[k]]
            if not published or not protected.intersection(withheld):
                continue
            too_few = sum(values[k] for k in withheld) < threshold
            if len(withheld) == 1 or too_few:
                choice = min(published, key=lambda k: (values[k], str(k)))
                suppressed[choice] = True
                reasons[choice] = "complementary"
                changed = True
        if not changed and relations:
            changed = _suppress_exposed(values, relations, suppressed, reasons, protected)
    return SuppressionResult(suppressed=suppressed, reasons=reasons)


def _suppress_exposed(
    values: Mapping[Key, float],
    relations: Sequence[Relation],
    suppressed: dict[Key, bool],
    reasons: dict[Key, str],
    protected: set[Key],
) -> bool:
    """Differencing is covered by the rules above, but relations *combined with* the fact
    that counts are never negative can still pin a withheld cell (e.g. a total equal to one
    published part forces the others to zero). For each pinned cell, withhold the smallest
    published cell reachable from it through the relations. Returns whether it changed."""
    published = {k: (None if suppressed[k] else values[k]) for k in suppressed}
    exposed = [e for e in audit(published, relations) if e.key in protected]
    if not exposed:
        return False
    for exposure in exposed:
        choice = _nearest_published(exposure.key, relations, suppressed, values)
        if choice is not None and not suppressed[choice]:
            suppressed[choice] = True
            reasons[choice] = "complementary"
    return True


def _nearest_published(
    start: Key,
    relations: Sequence[Relation],
    suppressed: Mapping[Key, bool],
    values: Mapping[Key, float],
) -> Key | None:
    """The smallest published cell in the nearest ring of relations around ``start``."""
    seen = {start}
    frontier = {start}
    while frontier:
        touching = [r for r in relations if frontier.intersection(r.keys)]
        ring = {k for r in touching for k in r.keys} - seen
        candidates = [k for k in ring if not suppressed[k]]
        if candidates:
            return min(candidates, key=lambda k: (values[k], str(k)))
        seen |= ring
        frontier = ring
    return None


def _apply_links(
    suppressed: dict[Key, bool], reasons: dict[Key, str], links: Sequence[tuple[Key, Key]]
) -> bool:
    changed = False
    for source, target in links:
        if suppressed[source] and not suppressed[target]:
            suppressed[target] = True
            reasons[target] = "linked"
            changed = True
    return changed


@dataclass(frozen=True)
class Exposure:
    """A withheld cell an attacker can bound: ``low <= value <= high`` (integers)."""

    key: Key
    low: int
    high: float


def attainable_bounds(
    published: Mapping[Key, float | None], relations: Sequence[Relation]
) -> dict[Key, Exposure]:
    """For every withheld cell (value ``None``), the integer range an attacker can prove.

    Uses only published values and the relations, with withheld cells >= 0: the bounds
    of a linear program, rounded inwards to integers. ``high`` is ``inf`` when nothing
    caps the cell.
    """
    unknown = sorted((k for k, v in published.items() if v is None), key=str)
    if not unknown:
        return {}
    column = {key: i for i, key in enumerate(unknown)}
    rows: list[np.ndarray] = []
    rhs: list[float] = []
    for relation in relations:
        if not any(published.get(k, 0) is None for k in relation.keys):
            continue
        row = np.zeros(len(unknown))
        constant = 0.0
        for key, coefficient in relation.terms:
            value = published[key]
            if value is None:
                row[column[key]] += coefficient
            else:
                constant += coefficient * value
        rows.append(row)
        rhs.append(-constant)
    a_eq = np.array(rows) if rows else None
    b_eq = np.array(rhs) if rows else None
    exposures: dict[Key, Exposure] = {}
    for key, index in column.items():
        objective = np.zeros(len(unknown))
        objective[index] = 1.0
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        error = "published figures are inconsistent with their relations"
        assert low.status in (0, 3) and high.status in (0, 3), error
        low_value = math.ceil(low.fun - 1e-6) if low.status == 0 else 0
        high_value = math.floor(-high.fun + 1e-6) if high.status == 0 else math.inf
        exposures[key] = Exposure(key=key, low=max(low_value, 0), high=high_value)
    return exposures


def audit(published: Mapping[Key, float | None], relations: Sequence[Relation]) -> list[Exposure]:
    """Withheld cells whose value the published figures pin down exactly (should be none)."""
    return [e for e in attainable_bounds(published, relations).values() if e.low >= e.high]
