"""Funding and spending from the optional ``finance.csv`` (contract 1.2), by quarter.

Money is not a count of people, but a quarter's figures describe a small program, so they
go through the same suppression step as every program figure: each cell carries the number
of participants active in the quarter, and a quarter with fewer than the threshold is
withheld (with its totals' parts, by the relations). Definitions (cited on the site):

* **Funding received** by fund source and in all; **public share** = city, county, state and
  federal funding as a percent of all funding received in the quarter.
* **Spending** by category and in all.
* **Cost per participant-month** = spending in every category except ``evaluation`` divided
  by the months enrolled LEAD participants were active in the quarter (as the services-based
  figure on the Enrollment page).
"""

from __future__ import annotations

import pandas as pd

from etl.indicators.program import (
    ALL,
    CellSet,
    _active_people,
    _active_person_months,
    complete_quarters,
)
from etl.privacy import Relation
from etl.sources.program import PUBLIC_FUND_SOURCES, ProgramExtract

EXCLUDED_FROM_COST = ("evaluation",)


def quarterly_totals(finance: pd.DataFrame) -> pd.DataFrame:
    """Amounts by quarter, flow and source/category (the finance rows summed)."""
    frame = finance.assign(quarter=finance["month"].dt.to_period("Q").dt.start_time)
    frame["part"] = frame["fund_source"].where(
        frame["flow"] == "received", frame["spending_category"]
    )
    summed = frame.groupby(["quarter", "flow", "part"])["amount_usd"].sum().reset_index()
    return summed.sort_values(["quarter", "flow", "part"]).reset_index(drop=True)


def cost_per_participant_month(spent: float, person_months: int) -> float | None:
    """Spending (evaluation excluded by the caller) per participant-month, whole dollars."""
    if person_months <= 0:
        return None
    return round(spent / person_months, 0)


def add_finance(cells: CellSet, extract: ProgramExtract) -> None:
    """Funding, spending, public share and cost per participant-month for each complete
    quarter of the program that the finance extract covers."""
    if "finance.csv" not in extract.provided or extract.finance.empty:
        return
    lead = extract.participants[extract.participants["cohort"] == "lead"]
    if lead.empty:
        return
    quarters = complete_quarters(lead["referral_date"].min(), pd.Timestamp(extract.extract_date))
    if len(quarters) == 0:
        return
    totals = quarterly_totals(extract.finance)
    months = _active_person_months(lead, quarters)
    for quarter in quarters:
        here = totals[totals["quarter"] == quarter]
        if here.empty:
            continue
        people = _active_people(lead, quarter)
        received = here[here["flow"] == "received"]
        spent = here[here["flow"] == "spent"]
        for indicator_id, rows, name in (
            ("funding_received", received, "fund_source"),
            ("spending", spent, "spending_category"),
        ):
            if rows.empty:
                continue
            parts = [
                cells.add(indicator_id, quarter, "quarter", name, part, float(amount), people)
                for part, amount in zip(rows["part"], rows["amount_usd"], strict=True)
            ]
            total = cells.add(
                indicator_id, quarter, "quarter", name, ALL, float(rows["amount_usd"].sum()), people
            )
            cells.relations.append(Relation.total(total, parts))
        if not received.empty and float(received["amount_usd"].sum()) > 0:
            public = float(
                received.loc[received["part"].isin(PUBLIC_FUND_SOURCES), "amount_usd"].sum()
            )
            share = 100 * public / float(received["amount_usd"].sum())
            cells.add("public_funding_share", quarter, "quarter", "", ALL, round(share, 1), people)
        program_spending = float(
            spent.loc[~spent["part"].isin(EXCLUDED_FROM_COST), "amount_usd"].sum()
        )
        person_months = int(months.get(quarter, 0))
        cost = cost_per_participant_month(program_spending, person_months)
        if cost is not None and not spent.empty:
            cells.add(
                "finance_cost_per_participant_month",
                quarter,
                "quarter",
                "",
                ALL,
                cost,
                people,
                denominator_n=person_months,
            )
