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
   every relation (integer bounds of a linear program, cells >= 0). A withheld cell must
   not be pinned to one value, nor narrowed to a range of fewer than ``threshold`` that
   could hold 1 to ``threshold`` - 1 people (:func:`isolates`); nor may any **group**, a
   sum of hidden cells that is itself a number of people (say, the people who left the
   referred pool in a quarter: never enrolled plus exited, which referrals minus the change
   in active participants would give), be found so. Anything found is protected by
   withholding the nearest published cell, and the audit runs again; a publication that
   still fails it is refused.

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
    # What the last audit still found (no published cell left to withhold): must be empty.
    unresolved: list[Exposure] = field(default_factory=list)

    def withheld(self) -> list[Key]:
        return [key for key, is_suppressed in self.suppressed.items() if is_suppressed]


def suppress(
    people: Mapping[Key, float],
    values: Mapping[Key, float],
    relations: Sequence[Relation],
    threshold: int,
    links: Sequence[tuple[Key, Key]] = (),
    hidden: Iterable[Key] = (),
    groups: Sequence[tuple[Key, ...]] = (),
    fixed: Mapping[Key, bool] | None = None,
    cost: Mapping[Key, float] | None = None,
) -> SuppressionResult:
    """Decide which cells to withhold.

    ``people[key]`` is the number of people a cell is based on (for a count, the count;
    for a rate, the smaller of its numerator and the people without the attribute);
    ``values[key]`` is the cell's value as it appears in the ``relations``. Every key in a
    relation or link must be in both mappings. ``hidden`` cells take part in relations but
    are never published (e.g. people referred but never enrolled, which tie referrals to
    active counts); they are protected like any other cell when they are small.
    ``fixed`` cells were decided by an earlier release (``True`` withheld, ``False``
    published): their state never changes, so complementary suppression falls on the others.
    ``cost`` ranks the cells complementary suppression may take (cheapest first; default
    the cell's value), so a caller can prefer to withhold, say, a stock over its flows.
    """
    error = "every cell in a relation or link needs a people count and a value"
    assert all(k in people and k in values for r in relations for k in r.keys), error
    assert all(a in people and b in people for a, b in links), error
    never_published = set(hidden)
    fixed = dict(fixed or {})
    price = {key: (cost or {}).get(key, values[key]) for key in values}
    suppressed = {
        key: fixed.get(key, people[key] < threshold or key in never_published) for key in people
    }
    reasons = {
        key: _first_reason(key, never_published, fixed)
        for key, is_suppressed in suppressed.items()
        if is_suppressed
    }
    protected = {key for key in people if key not in never_published or people[key] < threshold}
    # A range that isolates (low < t, width < t) holds at most 2t - 2: a group of more
    # people than that can never be isolated, so it need not be bounded.
    groups = [g for g in groups if sum(values[k] for k in g) <= 2 * threshold - 2]
    unresolved: list[Exposure] = []
    changed = True
    while changed:
        changed = _apply_links(suppressed, reasons, links, fixed)
        for relation in relations:
            withheld = [k for k in relation.keys if suppressed[k]]
            published = [k for k in relation.keys if not suppressed[k] and k not in fixed]
            if not published or not protected.intersection(withheld):
                continue
            too_few = sum(values[k] for k in withheld) < threshold
            if len(withheld) == 1 or too_few:
                choice = min(published, key=lambda k: (price[k], str(k)))
                suppressed[choice] = True
                reasons[choice] = "complementary"
                changed = True
        if not changed and relations:
            changed, unresolved = _suppress_exposed(
                values,
                price,
                relations,
                suppressed,
                reasons,
                protected,
                groups,
                threshold,
                fixed,
                frozenset(never_published),
            )
    return SuppressionResult(suppressed=suppressed, reasons=reasons, unresolved=unresolved)


def _first_reason(key: Key, never_published: set[Key], fixed: Mapping[Key, bool]) -> str:
    if key in never_published:
        return "not published"
    return "released" if key in fixed else "primary"


def _suppress_exposed(
    values: Mapping[Key, float],
    price: Mapping[Key, float],
    relations: Sequence[Relation],
    suppressed: dict[Key, bool],
    reasons: dict[Key, str],
    protected: set[Key],
    groups: Sequence[tuple[Key, ...]] = (),
    threshold: int | None = None,
    fixed: Mapping[Key, bool] | None = None,
    hidden: frozenset[Key] = frozenset(),
) -> tuple[bool, list[Exposure]]:
    """Differencing is covered by the rules above, but relations *combined with* the fact
    that counts are never negative can still pin or narrow a withheld cell (e.g. a total
    equal to one published part forces the others to zero), or a group. For each, withhold
    the cheapest published cell reachable from it through the relations. Returns whether
    it changed, and what it found (unresolved if nothing changed)."""
    published = {k: (None if suppressed[k] else values[k]) for k in suppressed}
    exposures = [
        e
        for e in audit(published, relations, groups, threshold, only=protected)
        if matters(e, protected, hidden, threshold)
    ]
    if not exposures:
        return False, []
    changed = False
    touched: set[Key] = set()  # cells within two relations of one withheld this round
    for keys in (e.keys for e in exposures):
        if touched.intersection(keys):
            continue  # may be protected already: the next audit will tell
        choice = _nearest_published(keys, relations, suppressed, price, fixed or {})
        if choice is not None and not suppressed[choice]:
            suppressed[choice] = True
            reasons[choice] = "complementary"
            changed = True
            near = {k for r in relations if choice in r.keys for k in r.keys}
            touched |= {k for r in relations if near.intersection(r.keys) for k in r.keys}
    return changed, ([] if changed else exposures)


def matters(
    exposure: Exposure, protected: set[Key], hidden: Iterable[Key], threshold: int | None
) -> bool:
    """Whether an exposure found by :func:`audit` discloses something to protect: it must
    touch a protected cell; and cells that are never published (flows behind a stock) are
    protected against isolating 1 to ``threshold`` - 1 people, not against being known to
    be 0 (that nobody left in a quarter names no one)."""
    if not protected.intersection(exposure.keys):
        return False
    if threshold is not None and set(exposure.keys) <= set(hidden):
        return isolates(exposure.low, exposure.high, threshold)
    return True


def _nearest_published(
    start: Iterable[Key],
    relations: Sequence[Relation],
    suppressed: Mapping[Key, bool],
    price: Mapping[Key, float],
    fixed: Mapping[Key, bool],
) -> Key | None:
    """The cheapest published cell (not fixed by an earlier release) in the nearest two
    rings of relations around ``start`` that hold one (two: a hidden flow is often one
    relation away from a total and two from the stock it changes)."""
    seen = set(start)
    frontier = set(start)
    found: list[Key] = []
    rings = 0
    while frontier and rings < 2:
        touching = [r for r in relations if frontier.intersection(r.keys)]
        ring = {k for r in touching for k in r.keys} - seen
        found += [k for k in ring if not suppressed[k] and k not in fixed]
        if found:
            rings += 1
        seen |= ring
        frontier = ring
    return min(found, key=lambda k: (price[k], str(k))) if found else None


def _apply_links(
    suppressed: dict[Key, bool],
    reasons: dict[Key, str],
    links: Sequence[tuple[Key, Key]],
    fixed: Mapping[Key, bool],
) -> bool:
    changed = False
    for source, target in links:
        if suppressed[source] and not suppressed[target] and target not in fixed:
            suppressed[target] = True
            reasons[target] = "linked"
            changed = True
    return changed


@dataclass(frozen=True)
class Exposure:
    """A withheld cell, or a group of hidden cells, an attacker can bound:
    ``low <= value <= high`` (integers)."""

    keys: tuple[Key, ...]
    low: int
    high: float

    @property
    def key(self) -> Key:
        return self.keys[0]


def isolates(low: float, high: float, threshold: int) -> bool:
    """Whether a count of people known to lie in ``[low, high]`` isolates a small group:
    the range may hold 1 to ``threshold`` - 1 people and is narrower than ``threshold``
    (a range of at least ``threshold`` values, or one that must hold more people, does
    not)."""
    return high >= 1 and low < threshold and high - low < threshold


def _system(
    published: Mapping[Key, float | None], relations: Sequence[Relation]
) -> tuple[dict[Key, int], np.ndarray | None, np.ndarray | None]:
    """The withheld cells (columns) and the relations as ``A x = b`` over them."""
    unknown = sorted((k for k, v in published.items() if v is None), key=str)
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
    if not rows:
        return column, None, None
    return column, np.array(rows), np.array(rhs)


def _range(
    objective: np.ndarray, a_eq: np.ndarray | None, b_eq: np.ndarray | None
) -> tuple[int, float]:
    """The integer range of ``objective . x`` over ``A x = b, x >= 0``."""
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    error = "published figures are inconsistent with their relations"
    assert low.status in (0, 3) and high.status in (0, 3), error
    low_value = math.ceil(low.fun - 1e-6) if low.status == 0 else 0
    high_value = math.floor(-high.fun + 1e-6) if high.status == 0 else math.inf
    return max(low_value, 0), high_value


def attainable_bounds(
    published: Mapping[Key, float | None],
    relations: Sequence[Relation],
    only: Iterable[Key] | None = None,
) -> dict[Key, Exposure]:
    """For every withheld cell (value ``None``), or those of them in ``only``, the integer
    range an attacker can prove.

    Uses only published values and the relations, with withheld cells >= 0: the bounds
    of a linear program, rounded inwards to integers. ``high`` is ``inf`` when nothing
    caps the cell.
    """
    column, a_eq, b_eq = _system(published, relations)
    wanted = None if only is None else set(only)
    exposures: dict[Key, Exposure] = {}
    for key, index in column.items():
        if wanted is not None and key not in wanted:
            continue
        objective = np.zeros(len(column))
        objective[index] = 1.0
        low, high = _range(objective, a_eq, b_eq)
        exposures[key] = Exposure(keys=(key,), low=low, high=high)
    return exposures


def group_bounds(
    published: Mapping[Key, float | None],
    relations: Sequence[Relation],
    groups: Sequence[tuple[Key, ...]],
) -> list[Exposure]:
    """The integer range an attacker can prove for the sum of each group of withheld cells
    (a group with a published cell in it is not a group of unknowns and is skipped)."""
    column, a_eq, b_eq = _system(published, relations)
    found = []
    for group in groups:
        if not group or any(key not in column for key in group):
            continue
        objective = np.zeros(len(column))
        for key in group:
            objective[column[key]] = 1.0
        low, high = _range(objective, a_eq, b_eq)
        found.append(Exposure(keys=tuple(group), low=low, high=high))
    return found


def audit(
    published: Mapping[Key, float | None],
    relations: Sequence[Relation],
    groups: Sequence[tuple[Key, ...]] = (),
    threshold: int | None = None,
    only: Iterable[Key] | None = None,
) -> list[Exposure]:
    """Withheld cells (or those in ``only``) whose value the published figures pin down
    exactly (should be none); with ``threshold``, also withheld cells and groups narrowed so
    that they isolate a small group of people (:func:`isolates`)."""
    cells = attainable_bounds(published, relations, only).values()
    found = [e for e in cells if e.low >= e.high]
    if threshold is None:
        return found
    found += [e for e in cells if e.low < e.high and isolates(e.low, e.high, threshold)]
    found += [
        e for e in group_bounds(published, relations, groups) if isolates(e.low, e.high, threshold)
    ]
    return found
