"""Releases: once published, a program figure is final, so versions cannot be differenced.

Anyone can keep every published version. Two versions of the same figure differ by the
people added (or changed) between them, so a version that added one person to "housing
at referral: unsheltered" would name that person's housing. Each run therefore publishes
the program figures as a *release* that builds on the published one (the ledger):

* **Closed quarters are frozen.** Every quarterly or evaluation figure the ledger holds
  is published again exactly as it was (value, or withheld); a late correction to a
  closed quarter never changes it. A new version only adds quarters. Earlier running
  totals stay published and enter the relations (two running totals differ by the
  quarters between them).
* **All-time figures move on the quarterly cadence, checked against the last release.**
  Totals over the whole period (participants by cohort and by gender, age, race and
  housing, exits by reason, median months enrolled) are recomputed only when a new
  quarter has closed. The previous release's all-time cells enter the suppression system
  as fixed cells (values as published, withheld ones unknown) beside the new ones, tied
  by a hidden *change* cell per count (new = released + change), protected like any
  count of people: a change of 1 to ``threshold`` - 1 people, or a combination of
  published cells that pins one, makes suppression withhold a new cell instead.
* **Published stays published.** If the new all-time block would have to withhold a
  figure the ledger publishes (the category grew by too few people since), the whole
  block is held at its released vintage and published as it was, until enough people
  have been added. So the set of published all-time figures only grows, and every
  difference an attacker can take between two versions is a sum of checked changes.

The functions are pure except :func:`read_ledger`, which reads the published run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from etl import release_note
from etl.indicators.program import DEMOGRAPHIC_DIMENSIONS, CellSet, run_suppression
from etl.load import published_run_id
from etl.models import OBSERVATION_COLUMNS, Indicator, Observation
from etl.privacy import Relation

ALL_TIME = "all"
# All-time cells that count people: their change between releases is a number of people.
COUNTED = {"participants_by_cohort", "exits", *DEMOGRAPHIC_DIMENSIONS.values()}
VALUE_FIELDS = ("value", "lower_bound", "upper_bound", "denominator_n", "is_suppressed")

Key = tuple[str, str, str, str, str, str]


@dataclass(frozen=True)
class Ledger:
    """The program figures of the published run, by cell key."""

    rows: dict[Key, dict[str, Any]]
    # The date its whole-period figures run to (from their caveats, etl.release_note).
    all_time_through: pd.Timestamp | None = None

    @property
    def vintage(self) -> pd.Timestamp | None:
        """The last quarter the release covers (None for no release)."""
        quarters = [pd.Timestamp(k[2]) for k in self.rows if k[0] == "participants_active"]
        return max(quarters) if quarters else None

    def cumulative_quarters(self) -> list[pd.Timestamp]:
        return sorted(pd.Timestamp(k[2]) for k in self.rows if k[0] == "referrals_cumulative")


def read_ledger(engine: Engine, indicator_ids: Iterable[str]) -> Ledger:
    """The published run's program figures (an empty ledger before the first release)."""
    ids = sorted(set(indicator_ids))
    with engine.connect() as conn:
        latest = published_run_id(conn)
        if latest is None:
            return Ledger({})
        caveats = conn.execute(
            select(Indicator.caveats).where(
                Indicator.run_id == latest, Indicator.indicator_id == "participants_by_cohort"
            )
        ).scalar()
        found = conn.execute(
            select(*(getattr(Observation, name) for name in OBSERVATION_COLUMNS)).where(
                Observation.run_id == latest, Observation.indicator_id.in_(ids)
            )
        ).mappings()
        frame = pd.DataFrame(
            [dict(row) for row in found], columns=list(OBSERVATION_COLUMNS), dtype=object
        )
    return ledger_from_frame(frame, release_note.through(caveats))


def ledger_from_frame(frame: pd.DataFrame, through: date | None = None) -> Ledger:
    """A ledger from published observations (the columns of etl.models.OBSERVATION_COLUMNS)."""
    rows = {
        _key(
            row["indicator_id"],
            row["area"],
            row["period_start_date"],
            row["period_grain"],
            row["breakdown_name"],
            row["breakdown_value"],
        ): {name: _plain(row[name]) for name in VALUE_FIELDS}
        for row in frame.to_dict("records")
    }
    return Ledger(rows, pd.Timestamp(through) if through is not None else None)


def _plain(value: object) -> object:
    """None for a missing value (NaN from a frame), the value otherwise."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _key(indicator: str, area: str, period: date, grain: str, name: str, value: str) -> Key:
    return (indicator, area, pd.Timestamp(period).strftime("%Y-%m-%d"), grain, name, value)


def _tag(key: Key, label: str) -> Key:
    """The same cell in another release (kept apart in the system)."""
    return (key[0], key[1], f"{label} {key[2]}", key[3], key[4], key[5])


@dataclass
class Outcome:
    """What :func:`plan` decided, for the run's log."""

    kind: str  # "first", "same quarter", "new quarter", "held"
    vintage: pd.Timestamp | None
    held_back: list[Key]
    # The last day whose referrals the whole-period figures count.
    through: pd.Timestamp | None = None

    def describe(self) -> str:
        at = f" ({self.vintage:%Y}-Q{self.vintage.quarter})" if self.vintage is not None else ""
        if self.kind == "held" and self.through is not None:
            at = f" (referrals to {self.through:%Y-%m-%d})"
        if self.kind == "first":
            return "first release of program figures"
        if self.kind == "same quarter":
            return f"no new closed quarter: program figures as released{at}"
        if self.kind == "held":
            return (
                f"new quarter added; all-time figures held as released{at}: "
                f"{len(self.held_back)} would change by fewer people than the threshold"
            )
        return "new quarter added; all-time figures re-released, checked against the last release"


def plan(
    build: Callable[[pd.Timestamp | None, list[pd.Timestamp]], CellSet],
    ledger: Ledger,
    threshold: int,
    released_ids: Iterable[str],
) -> tuple[CellSet, Outcome]:
    """The cell set to suppress for this release.

    ``build(as_of, cumulative_at)`` builds the program cells at ``as_of`` (None: every
    cell, at the extract's own date); ``released_ids`` are the indicators this code still
    publishes (ledger rows of others, and of indicators the extract no longer gives, are
    dropped).
    """
    cumulative = ledger.cumulative_quarters()
    now = build(None, cumulative)
    last = _last_quarter(now)
    latest = _quarter_end(last)
    if not ledger.rows:
        return now, Outcome("first", None, [], latest)
    # An indicator this extract no longer gives at all (say, no drug-use columns) is
    # withdrawn whole: nothing of it is left to difference.
    keep = set(released_ids) & {key[0] for key in now.rows}
    rows = {k: r for k, r in ledger.rows.items() if k[0] in keep}
    vintage = ledger.vintage
    released = ledger.all_time_through or _quarter_end(vintage)
    advancing = vintage is not None and last is not None and last > vintage
    _freeze(now, rows, skip_all_time=advancing)
    if not advancing or released is None:
        return now, Outcome("same quarter", vintage, [], released)
    block = released.to_period("Q").start_time
    previous = build(released, [q for q in cumulative if q <= block])
    _add_previous(now, previous, rows, threshold)
    held = withheld_published(now, run_suppression(now, threshold).suppressed)
    if not held:
        return now, Outcome("new quarter", last, [], latest)
    _hold_all_time(now, rows)
    return now, Outcome("held", vintage, held, released)


def _quarter_end(quarter: pd.Timestamp | None) -> pd.Timestamp | None:
    return None if quarter is None else (quarter + pd.offsets.QuarterEnd(0)).normalize()


def _last_quarter(cells: CellSet) -> pd.Timestamp | None:
    quarters = [pd.Timestamp(k[2]) for k in cells.rows if k[0] == "participants_active"]
    return max(quarters) if quarters else None


def _same(released: object, computed: float) -> bool:
    return isinstance(released, int | float) and math.isclose(float(released), computed)


def _freeze(cells: CellSet, rows: dict[Key, dict[str, object]], skip_all_time: bool) -> None:
    """Ledger cells keep their state; a published one whose value has since changed is
    published as released, its true value hidden in the relations."""
    for key, row in rows.items():
        if skip_all_time and key[3] == ALL_TIME:
            continue
        if key not in cells.rows:
            cells.released[key] = dict(row)
            continue
        withheld = bool(row["is_suppressed"])
        if not withheld and not _same(row["value"], cells.rows[key].value):
            cells.hidden.add(key)
            cells.released[key] = dict(row)
        else:
            cells.fixed[key] = withheld
            if not withheld:
                cells.released[key] = dict(row)


def _add_previous(
    cells: CellSet, previous: CellSet, rows: dict[Key, dict[str, object]], threshold: int
) -> None:
    """The released all-time block (fixed, as published) and the change of each count."""
    tagged: dict[Hashable, Hashable] = {}
    for key, cell in previous.rows.items():
        if key[3] != ALL_TIME:
            continue
        tag = _tag(key, "released")
        tagged[key] = tag
        cells.rows[tag] = cell
        cells.reference.add(tag)
        if key not in rows:  # never published (a hidden total): protected where small
            cells.hidden.add(tag)
            continue
        row = rows[key]
        withheld = bool(row["is_suppressed"])
        if withheld or _same(row["value"], cell.value):
            cells.fixed[tag] = withheld
        else:  # corrected since: what was published is no longer a count of these people
            cells.hidden.add(tag)
            cells.rows[tag] = type(cell)(cell.value, float(threshold), cell.denominator_n)
        if key[0] in COUNTED and key in cells.rows:
            change = cells.rows[key].value - cell.value
            if change < 0:
                continue  # people removed since: no non-negative change to relate
            delta = _tag(key, "change")
            people = change if change else float(threshold)  # a change of 0 isolates no one
            cells.rows[delta] = type(cell)(change, people)
            cells.hidden.add(delta)
            cells.relations.append(Relation(((key, 1), (tag, -1), (delta, -1))))
    for relation in previous.relations:
        if not any(k in tagged for k in relation.keys):
            continue
        terms = tuple((tagged.get(k, k), c) for k, c in relation.terms)
        if all(k in cells.rows for k, _ in terms):
            cells.relations.append(Relation(terms))


def withheld_published(cells: CellSet, suppressed: Mapping[Hashable, bool]) -> list[Key]:
    """All-time cells published in the last release that this one would withhold."""
    return [
        key
        for key, tag in ((k, _tag(k, "released")) for k in cells.rows if k[3] == ALL_TIME)
        if tag in cells.fixed and not cells.fixed[tag] and suppressed.get(key, False)
    ]


def _hold_all_time(cells: CellSet, rows: dict[Key, dict[str, object]]) -> None:
    """Publish the released all-time block as it was; the new values stay in the relations
    as hidden cells (protected where small), so nothing else may give them away."""
    for key in [k for k in cells.rows if k[3] == ALL_TIME and k not in cells.reference]:
        cells.hidden.add(key)
        cells.fixed.pop(key, None)
        if key in rows:
            cells.released[key] = dict(rows[key])
    for key, row in rows.items():
        if key[3] == ALL_TIME and key not in cells.rows:
            cells.released[key] = dict(row)
