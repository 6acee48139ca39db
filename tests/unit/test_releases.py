"""Releases (etl/releases.py) on a small hand-made program: a running total, an active
count and a whole-period breakdown of the LEAD group by gender."""

from __future__ import annotations

import pandas as pd

from etl.indicators.program import ALL, CellSet, suppressed_observations
from etl.privacy import Relation
from etl.releases import Ledger, ledger_from_frame, plan

THRESHOLD = 11
Q1, Q2, Q3 = (pd.Timestamp(q) for q in ("2016-01-01", "2016-04-01", "2016-07-01"))
IDS = {"referrals", "referrals_cumulative", "participants_active", "participants_by_cohort",
       "participants_by_gender"}  # fmt: skip


def program(referrals: dict[pd.Timestamp, int], female: int, male: int) -> CellSet:
    """Referrals per quarter (their running total at the last one and at any quarter asked
    for), active = referred, and the whole period by gender."""
    cells = CellSet()
    totals = []
    for quarter, n in referrals.items():
        totals.append(cells.add("referrals", quarter, "quarter", "referral_type", ALL, n, n))
        running = sum(v for q, v in referrals.items() if q <= quarter)
        cells.add("participants_active", quarter, "quarter", "", ALL, running, running)
    last = max(referrals)
    everyone = sum(referrals.values())
    cumulative = cells.add("referrals_cumulative", last, "quarter", "", ALL, everyone, everyone)
    cells.relations.append(Relation.total(cumulative, totals))
    lead = female + male
    total = cells.add("participants_by_cohort", Q1, "all", "cohort", "lead", lead, lead)
    parts = [
        cells.add("participants_by_gender", Q1, "all", "cohort|gender", f"lead|{name}", n, n)
        for name, n in (("female", female), ("male", male))
    ]
    cells.relations.append(Relation.total(total, parts))
    cells.relations.append(Relation.total(total, [cumulative]))
    return cells


def builder(versions: dict[pd.Timestamp | None, CellSet]):  # type: ignore[no-untyped-def]
    """``build(as_of, cumulative_at)`` for plan(): the program as of each quarter's end."""

    def build(as_of: pd.Timestamp | None, _cumulative: list[pd.Timestamp]) -> CellSet:
        key = None if as_of is None else as_of.to_period("Q").start_time
        return versions[key]

    return build


def release(cells: CellSet) -> pd.DataFrame:
    frame, _counts = suppressed_observations(cells, THRESHOLD)
    return frame.set_index(["indicator_id", "breakdown_value", "period_start_date"])


def test_the_first_release_is_the_suppressed_program() -> None:
    cells, outcome = plan(builder({None: program({Q1: 20, Q2: 30}, 25, 25)}), Ledger({}), 11, IDS)
    assert outcome.kind == "first"
    assert outcome.through == pd.Timestamp("2016-06-30")
    assert release(cells).loc[("participants_by_gender", "lead|female", Q1), "value"] == 25


def test_a_closed_quarter_corrected_later_stays_as_released() -> None:
    first, _ = plan(builder({None: program({Q1: 20, Q2: 30}, 25, 25)}), Ledger({}), 11, IDS)
    ledger = ledger_from_frame(suppressed_observations(first, THRESHOLD)[0].reset_index())
    corrected = program({Q1: 23, Q2: 30}, 27, 26)  # three people entered late in Q1
    cells, outcome = plan(builder({None: corrected}), ledger, THRESHOLD, IDS)
    assert outcome.kind == "same quarter"
    frame = release(cells)
    assert frame.loc[("referrals", "", Q1), "value"] == 20
    assert frame.loc[("participants_by_gender", "lead|female", Q1), "value"] == 25
    assert frame.loc[("participants_by_cohort", "lead", Q1), "value"] == 50


def test_whole_period_figures_wait_until_every_change_is_11_or_more() -> None:
    first, _ = plan(builder({None: program({Q1: 20, Q2: 30}, 25, 25)}), Ledger({}), 11, IDS)
    ledger = ledger_from_frame(
        suppressed_observations(first, THRESHOLD)[0], pd.Timestamp("2016-06-30")
    )
    previous = program({Q1: 20, Q2: 30}, 25, 25)
    # Q3 adds 14 people, 3 of them women: the female count would tell their gender.
    few = {None: program({Q1: 20, Q2: 30, Q3: 14}, 28, 36), Q2: previous}
    cells, outcome = plan(builder(few), ledger, THRESHOLD, IDS)
    assert outcome.kind == "held"
    assert outcome.through == pd.Timestamp("2016-06-30")
    frame = release(cells)
    assert frame.loc[("participants_by_gender", "lead|female", Q1), "value"] == 25
    assert frame.loc[("participants_by_gender", "lead|male", Q1), "value"] == 25
    assert frame.loc[("participants_active", "", Q3), "value"] == 64  # new quarters go on
    # Q3 adds 24 people, 12 women and 12 men: the whole period moves on.
    enough = {None: program({Q1: 20, Q2: 30, Q3: 24}, 37, 37), Q2: previous}
    cells, outcome = plan(builder(enough), ledger, THRESHOLD, IDS)
    assert outcome.kind == "new quarter"
    assert outcome.through == pd.Timestamp("2016-09-30")
    frame = release(cells)
    assert frame.loc[("participants_by_gender", "lead|female", Q1), "value"] == 37
    assert frame.loc[("referrals_cumulative", "", Q3), "value"] == 74
