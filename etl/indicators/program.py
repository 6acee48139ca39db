"""Program (person-level) indicators, built as cells for the suppression step.

Everything here works on the de-identified, in-memory frames of a program extract
(:class:`etl.sources.program.ProgramExtract`) and returns *cells*: one candidate
observation each, with the number of people it is based on, plus the linear relations
that tie cells together (totals, cumulative counts, stocks and flows). Nothing leaves
this module un-suppressed: :func:`suppressed_observations` runs :func:`etl.privacy.suppress`
over all cells at once and returns only what may be published.

Time grain is the **quarter**: LEAD referred about six people a month in its evaluation
years, so monthly counts would be almost all withheld. Only complete quarters up to the
extract date are published.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from etl.privacy import Relation, SuppressionResult, suppress

AREA = "belltown"
ALL = ""  # breakdown value meaning "all categories"
DEMOGRAPHIC_DIMENSIONS = {
    "gender": "participants_by_gender",
    "age_band": "participants_by_age_band",
    "race_ethnicity": "participants_by_race_ethnicity",
    "housing_status_at_referral": "participants_by_housing_at_referral",
}
REFERRAL_TYPES = ("arrest_diversion", "social_contact")
COHORTS = ("lead", "control")

Key = tuple[str, str, str, str, str, str]

# Referrals less the change in active participants gives the people who left in a quarter
# (a handful), so one of the three must often be withheld: withhold the stock first (it is
# also shown as a running total), keeping the referral series whole where possible.
STOCKS = ("participants_active",)
STOCK_COST = 0.01


@dataclass(frozen=True)
class Cell:
    value: float
    people: float
    denominator_n: int | None = None


@dataclass
class CellSet:
    """Candidate observations plus what ties them together, before suppression."""

    rows: dict[Key, Cell] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    links: list[tuple[Hashable, Hashable]] = field(default_factory=list)
    hidden: set[Key] = field(default_factory=set)
    bounds: dict[Key, tuple[float | None, float | None]] = field(default_factory=dict)
    # Sums of hidden cells that are themselves numbers of people (privacy.suppress).
    groups: list[tuple[Key, ...]] = field(default_factory=list)
    # From earlier releases (etl.releases): cells whose state is decided (True withheld),
    # cells of an earlier release kept only for the relations (never published again by
    # this version), and released rows published as they were.
    fixed: dict[Key, bool] = field(default_factory=dict)
    reference: set[Key] = field(default_factory=set)
    released: dict[Key, dict[str, object]] = field(default_factory=dict)

    def add(
        self,
        indicator_id: str,
        period: pd.Timestamp,
        grain: str,
        breakdown_name: str,
        breakdown_value: str,
        value: float,
        people: float,
        denominator_n: int | None = None,
        hidden: bool = False,
    ) -> Key:
        key: Key = (
            indicator_id,
            AREA,
            period.strftime("%Y-%m-%d"),
            grain,
            breakdown_name,
            breakdown_value,
        )
        error = f"cell {key} defined twice"
        assert key not in self.rows, error
        self.rows[key] = Cell(float(value), float(people), denominator_n)
        if hidden:
            self.hidden.add(key)
        return key


def complete_quarters(first: pd.Timestamp, as_of: pd.Timestamp) -> pd.DatetimeIndex:
    """Quarter starts from ``first``'s quarter to the last quarter that ended by ``as_of``."""
    start = first.to_period("Q").start_time
    last = as_of.to_period("Q")
    if as_of.normalize() < last.end_time.normalize():
        last = last - 1
    if last.start_time < start:
        return pd.DatetimeIndex([])
    return pd.date_range(start, last.start_time, freq="QS")


def quarter_of(dates: pd.Series) -> pd.Series:
    return dates.dt.to_period("Q").dt.start_time


def build_cells(
    participants: pd.DataFrame,
    services: pd.DataFrame,
    as_of: pd.Timestamp,
    cumulative_at: Iterable[pd.Timestamp] = (),
) -> CellSet:
    """All program cells for one extract (see module docstring). ``cumulative_at``: earlier
    quarters whose running total was published by an earlier release (etl.releases)."""
    cells = CellSet()
    lead = participants[participants["cohort"] == "lead"]
    if lead.empty:
        return cells
    quarters = complete_quarters(lead["referral_date"].min(), as_of)
    if len(quarters) == 0:
        return cells
    end = quarters[-1] + pd.offsets.QuarterEnd(0)
    lead = lead[lead["referral_date"] <= end]
    add_referrals(cells, lead, quarters, cumulative_at)
    add_active_and_exits(cells, lead, quarters)
    cohorts = participants[participants["referral_date"] <= end]
    add_demographics(cells, cohorts, quarters)
    add_services(cells, lead, services, quarters)
    add_months_enrolled(cells, lead, quarters, end)
    return cells


def cell_key(indicator_id: str, period: pd.Timestamp, grain: str, name: str, value: str) -> Key:
    return (indicator_id, AREA, period.strftime("%Y-%m-%d"), grain, name, value)


def add_referrals(
    cells: CellSet,
    lead: pd.DataFrame,
    quarters: pd.DatetimeIndex,
    cumulative_at: Iterable[pd.Timestamp] = (),
) -> None:
    """Referrals per quarter by type and in total, and the number referred to date.

    The running total is computed for the latest quarter, and for the quarters at which
    earlier releases published it (they stay published, etl.releases): with the relations,
    suppression sees that differencing two running totals gives the quarters between.
    """
    referral_quarter = quarter_of(lead["referral_date"])
    totals = []
    for quarter in quarters:
        in_quarter = lead[referral_quarter == quarter]
        parts = []
        for referral_type in REFERRAL_TYPES:
            n = int((in_quarter["referral_type"] == referral_type).sum())
            parts.append(
                cells.add("referrals", quarter, "quarter", "referral_type", referral_type, n, n)
            )
        total = cells.add(
            "referrals", quarter, "quarter", "referral_type", ALL, len(in_quarter), len(in_quarter)
        )
        cells.relations.append(Relation.total(total, parts))
        totals.append(total)
    earlier = {pd.Timestamp(q) for q in cumulative_at} & set(quarters[:-1])
    for index, quarter in enumerate(quarters):
        if quarter not in earlier and index != len(quarters) - 1:
            continue
        n = int((referral_quarter <= quarter).sum())
        cumulative = cells.add("referrals_cumulative", quarter, "quarter", "", ALL, n, n)
        cells.relations.append(Relation.total(cumulative, totals[: index + 1]))


def add_active_and_exits(cells: CellSet, lead: pd.DataFrame, quarters: pd.DatetimeIndex) -> None:
    """Active participants at each quarter's end; exits by reason over the whole period.

    Active at a quarter's end = enrolled (not "referred_not_enrolled"), referred by then,
    and not exited by then. Exits are published for the whole period only (a few a
    quarter would all be withheld). The quarterly flows behind the active series are
    *hidden* cells in the relations: active(q) = active(q-1) + enrolments(q) - exits(q),
    referrals(q) = enrolments(q) + never enrolled(q), and the period's exits and never
    enrolled add up to those quarters'. A small hidden flow (zero included) is protected
    like a published cell.
    """
    enrolled = lead[lead["enrollment_status"] != "referred_not_enrolled"]
    referral_quarter = quarter_of(lead["referral_date"])
    exit_quarter = quarter_of(enrolled["exit_date"])
    previous: Key | None = None
    quarterly_exits = []
    quarterly_never = []
    for quarter in quarters:
        quarter_end = quarter + pd.offsets.QuarterEnd(0)
        joined = int((quarter_of(enrolled["referral_date"]) == quarter).sum())
        never = int(
            (
                (referral_quarter == quarter)
                & (lead["enrollment_status"] == "referred_not_enrolled")
            ).sum()
        )
        left = int((exit_quarter == quarter).sum())
        enrolments = cells.add(
            "enrolments", quarter, "quarter", "", ALL, joined, joined, hidden=True
        )
        not_enrolled = cells.add(
            "referrals_not_enrolled", quarter, "quarter", "", ALL, never, never, hidden=True
        )
        exits = cells.add("exits_in_quarter", quarter, "quarter", "", ALL, left, left, hidden=True)
        quarterly_exits.append(exits)
        quarterly_never.append(not_enrolled)
        referrals_total = cell_key("referrals", quarter, "quarter", "referral_type", ALL)
        cells.relations.append(Relation.total(referrals_total, [enrolments, not_enrolled]))
        active_n = int(
            (
                (enrolled["referral_date"] <= quarter_end) & ~(enrolled["exit_date"] <= quarter_end)
            ).sum()
        )
        active = cells.add("participants_active", quarter, "quarter", "", ALL, active_n, active_n)
        terms: list[tuple[Hashable, int]] = [(active, 1), (enrolments, -1), (exits, 1)]
        if previous is not None:
            terms.append((previous, -1))
        cells.relations.append(Relation(tuple(terms)))
        previous = active
    # Referrals minus the change in active participants gives the people who left the
    # referred pool (never enrolled plus exited) over any run of quarters: each such sum
    # is a number of people to protect like a cell.
    for first in range(len(quarters)):
        for last in range(first, len(quarters)):
            span = range(first, last + 1)
            cells.groups.append(
                tuple(quarterly_never[i] for i in span) + tuple(quarterly_exits[i] for i in span)
            )
    period_end = quarters[-1] + pd.offsets.QuarterEnd(0)
    exited = enrolled[enrolled["exit_date"] <= period_end]
    recorded = exited["exit_reason"].fillna("")
    parts = [
        cells.add(
            "exits",
            quarters[0],
            "all",
            "exit_reason",
            reason,
            int((recorded == reason).sum()),
            int((recorded == reason).sum()),
        )
        for reason in sorted(set(recorded) - {""})
    ]
    exits_total = cells.add(
        "exits", quarters[0], "all", "exit_reason", ALL, len(exited), len(exited)
    )
    cells.relations.append(Relation.total(exits_total, parts))
    cells.relations.append(Relation.total(exits_total, quarterly_exits))
    never_total = int((lead["enrollment_status"] == "referred_not_enrolled").sum())
    never_key = cells.add(
        "referrals_not_enrolled", quarters[0], "all", "", ALL, never_total, never_total, hidden=True
    )
    cells.relations.append(Relation.total(never_key, quarterly_never))


def add_demographics(cells: CellSet, people: pd.DataFrame, quarters: pd.DatetimeIndex) -> None:
    """Counts and shares by cohort for gender, age band, race/ethnicity, housing at referral.

    Shares (percent of the cohort) are linked to their counts: a share is withheld exactly
    when its count is. The LEAD cohort total equals the cumulative referrals at the last
    quarter, and that identity is given to the suppression step too.
    """
    period = quarters[0]
    totals: dict[str, Key] = {}
    for cohort in COHORTS:
        n = int((people["cohort"] == cohort).sum())
        totals[cohort] = cells.add("participants_by_cohort", period, "all", "cohort", cohort, n, n)
    last_cumulative = cell_key("referrals_cumulative", quarters[-1], "quarter", "", ALL)
    cells.relations.append(Relation.total(totals["lead"], [last_cumulative]))
    for dimension, indicator_id in DEMOGRAPHIC_DIMENSIONS.items():
        categories = sorted(people[dimension].dropna().unique())
        for cohort in COHORTS:
            group = people[people["cohort"] == cohort]
            cohort_n = len(group)
            parts = []
            for category in categories:
                n = int((group[dimension] == category).sum())
                label = f"{cohort}|{category}"
                count = cells.add(indicator_id, period, "all", f"cohort|{dimension}", label, n, n)
                share = 100.0 * n / cohort_n if cohort_n else 0.0
                pct = cells.add(
                    f"{indicator_id}_pct",
                    period,
                    "all",
                    f"cohort|{dimension}",
                    label,
                    round(share, 1),
                    n,
                    denominator_n=cohort_n,
                )
                cells.links.extend([(count, pct), (totals[cohort], pct)])
                parts.append(count)
            cells.relations.append(Relation.total(totals[cohort], parts))


def add_services(
    cells: CellSet, lead: pd.DataFrame, services: pd.DataFrame, quarters: pd.DatetimeIndex
) -> None:
    """Service contacts per quarter by type, and program cost per participant-month.

    A contact count is withheld when fewer than the threshold *people* had such contacts in
    the quarter, whatever the number of contacts. Cost per participant-month = known costs
    in the quarter / months that enrolled participants were active in it.
    """
    services = services[services["person_key"].isin(lead["person_key"])]
    contact_quarter = quarter_of(services["contact_date"])
    types = sorted(services["service_type"].unique())
    months = _active_person_months(lead, quarters)
    for quarter in quarters:
        here = services[contact_quarter == quarter]
        parts = []
        for service_type in types:
            of_type = here[here["service_type"] == service_type]
            parts.append(
                cells.add(
                    "service_contacts",
                    quarter,
                    "quarter",
                    "service_type",
                    service_type,
                    len(of_type),
                    of_type["person_key"].nunique(),
                )
            )
        total = cells.add(
            "service_contacts",
            quarter,
            "quarter",
            "service_type",
            ALL,
            len(here),
            here["person_key"].nunique(),
        )
        cells.relations.append(Relation.total(total, parts))
        person_months = int(months.get(quarter, 0))
        active_people = int(_active_people(lead, quarter))
        known_cost = here["cost_usd"].dropna()
        if person_months and not known_cost.empty:
            cells.add(
                "program_cost_per_participant_month",
                quarter,
                "quarter",
                "",
                ALL,
                round(float(known_cost.sum()) / person_months, 0),
                active_people,
                denominator_n=person_months,
            )


def add_months_enrolled(
    cells: CellSet, lead: pd.DataFrame, quarters: pd.DatetimeIndex, end: pd.Timestamp
) -> None:
    """Median months enrolled (referral to exit, or to the last quarter's end if still active)."""
    enrolled = lead[lead["enrollment_status"] != "referred_not_enrolled"]
    if enrolled.empty:
        return
    stop = enrolled["exit_date"].where(enrolled["exit_date"] <= end, end)
    months = (stop - enrolled["referral_date"]).dt.days / (365.25 / 12)
    cells.add(
        "months_enrolled_median",
        quarters[0],
        "all",
        "",
        ALL,
        round(float(np.median(months)), 1),
        len(enrolled),
        denominator_n=len(enrolled),
    )


def _active_person_months(lead: pd.DataFrame, quarters: pd.DatetimeIndex) -> pd.Series:
    """Participant-months per quarter: each enrolled person counts each month, from the
    referral month to the exit month (or the last quarter), in which they were enrolled."""
    enrolled = lead[lead["enrollment_status"] != "referred_not_enrolled"]
    last_month = quarters[-1] + pd.DateOffset(months=2)
    counts: dict[pd.Timestamp, int] = {}
    firsts = enrolled["referral_date"].dt.to_period("M").dt.start_time
    stops = enrolled["exit_date"].fillna(last_month).dt.to_period("M").dt.start_time
    for first, stop in zip(firsts, stops, strict=True):
        for month in pd.date_range(first, min(stop, last_month), freq="MS"):
            quarter = month.to_period("Q").start_time
            counts[quarter] = counts.get(quarter, 0) + 1
    return pd.Series(counts, dtype="int64")


def _active_people(lead: pd.DataFrame, quarter: pd.Timestamp) -> int:
    enrolled = lead[lead["enrollment_status"] != "referred_not_enrolled"]
    quarter_end = quarter + pd.offsets.QuarterEnd(0)
    started = enrolled["referral_date"] <= quarter_end
    not_left = ~(enrolled["exit_date"] < quarter)
    return int((started & not_left).sum())


def run_suppression(cells: CellSet, threshold: int) -> SuppressionResult:
    return suppress(
        {key: cell.people for key, cell in cells.rows.items()},
        {key: cell.value for key, cell in cells.rows.items()},
        cells.relations,
        threshold,
        links=cells.links,
        hidden=cells.hidden,
        groups=cells.groups,
        fixed={key: state for key, state in cells.fixed.items()},
        cost={key: cells.rows[key].value * STOCK_COST for key in cells.rows if key[0] in STOCKS},
    )


def suppressed_observations(cells: CellSet, threshold: int) -> tuple[pd.DataFrame, dict[str, int]]:
    """Run suppression over every cell and return the publishable observations.

    Hidden and reference cells are dropped; withheld cells keep their row with ``value``
    NULL and ``is_suppressed`` true (never a zero); released rows (etl.releases) are
    published as they were.
    """
    result = run_suppression(cells, threshold)
    # suppress() ends on a full audit of the final result (etl.privacy): anything it could
    # not protect is here, and the run fails rather than publish it.
    error = f"suppression left {len(result.unresolved)} withheld program figure(s) recoverable" + (
        " from figures earlier releases published (python -m etl run "
        "--new-release-series publishes afresh)"
        if cells.fixed
        else ""
    )
    assert not result.unresolved, error
    records = []
    for key, cell in cells.rows.items():
        if key in cells.hidden or key in cells.reference or key in cells.released:
            continue
        is_suppressed = result.suppressed[key]
        bounds = cells.bounds.get(key, (None, None))
        records.append(
            {
                **_identity(key),
                "value": None if is_suppressed else cell.value,
                "lower_bound": None if is_suppressed else bounds[0],
                "upper_bound": None if is_suppressed else bounds[1],
                "denominator_n": None if is_suppressed else cell.denominator_n,
                "is_suppressed": is_suppressed,
            }
        )
    records += [{**_identity(key), **row} for key, row in cells.released.items()]
    frame = pd.DataFrame.from_records(records)
    counts = {
        "published": int((~frame["is_suppressed"]).sum()) if not frame.empty else 0,
        "withheld": int(frame["is_suppressed"].sum()) if not frame.empty else 0,
    }
    return frame, counts


def _identity(key: Key) -> dict[str, object]:
    indicator_id, area, period, grain, name, value = key
    return {
        "indicator_id": indicator_id,
        "area": area,
        "period_start_date": pd.Timestamp(period),
        "period_grain": grain,
        "breakdown_name": name,
        "breakdown_value": value,
    }
