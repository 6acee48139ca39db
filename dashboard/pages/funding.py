"""Funding and spending: who pays for LEAD and what it spends, from the optional finance
extract (contract 1.2), with the published cost per participant-month for comparison."""

from __future__ import annotations

import pandas as pd
from dash import Input, html
from dash.development.base_component import Component

from dashboard import data, figures, summaries
from dashboard.components.card_callbacks import card_callback
from dashboard.components.chart_card import (
    CardContent,
    CardIds,
    CardParts,
    TableContent,
    card_parts,
    chart_card,
    data_table,
)
from dashboard.components.controls import indicator_footer, published_run_or_stop
from dashboard.components.share import Share
from dashboard.pages.placeholder import not_yet_published

PATH = "/funding"
TITLE = "Funding and spending"
DESCRIPTION = (
    "Who pays for LEAD (private foundations and public funds), what it spends by category, "
    "and what it costs per participant-month."
)
SOURCES = {
    "private_foundation": "Private foundations",
    "city": "City",
    "county": "County",
    "state": "State",
    "federal": "Federal",
    "other": "Other",
}
CATEGORIES = {
    "case_management": "Case management",
    "housing": "Housing",
    "treatment": "Treatment",
    "administration": "Administration",
    "evaluation": "Evaluation",
}
PUBLISHED_COST = {"Published average: $899": 899.0, "Published, end of evaluation: $532": 532.0}


class Ids:
    FUNDING = CardIds(
        "fin-funding",
        "Funding received, by source",
        "Money received each quarter; private foundations against public sources.",
    )
    SPENDING = CardIds(
        "fin-spending", "Spending, by category", "Money spent each quarter, by what it paid for."
    )
    COST = CardIds(
        "fin-cost",
        "Spending per participant-month",
        "All spending (evaluation excluded) divided by the months participants were enrolled; "
        "dotted lines: the University of Washington's published figures. Not the Enrollment "
        "page's recorded service cost, which counts only costs recorded on service contacts.",
    )


def layout(**_query: str) -> Component:
    run = data.published_run()
    if run is None or data.indicator(run.run_id, "spending") is None:
        return not_yet_published(
            TITLE, DESCRIPTION + " The program extract in this data version has no finance.csv."
        )
    children: list[Component] = [html.H1(TITLE), html.P(DESCRIPTION, className="lede")]
    if run.program_is_synthetic:
        children.append(
            html.P(
                html.Strong(
                    "Demonstration data, not the program's accounts: the amounts follow the "
                    "generator's assumptions, calibrated to the published cost per person-month."
                ),
                className="demo-banner",
            )
        )
    children += [chart_card(Ids.FUNDING), chart_card(Ids.SPENDING), chart_card(Ids.COST)]
    return html.Div(children, className="page")


def _parts(run: data.PublishedRun, indicator_id: str) -> pd.DataFrame:
    frame = data.observations(run.run_id, indicator_id)
    return frame[frame["breakdown_value"] != ""]


def _totals(run: data.PublishedRun, indicator_id: str) -> pd.DataFrame:
    frame = data.observations(run.run_id, indicator_id)
    return frame[frame["breakdown_value"] == ""]


def _money_table(
    frame: pd.DataFrame, names: dict[str, str], caption: str, totals: pd.DataFrame | None = None
) -> TableContent:
    wide = frame.pivot_table(
        index="period_start_date", columns="breakdown_value", values="value", aggfunc="sum"
    ).sort_index()
    table = pd.DataFrame({"Quarter": [summaries.quarter_label(p) for p in wide.index]})
    withheld = pd.DataFrame({"Quarter": [False] * len(wide)})
    flags = frame.pivot_table(
        index="period_start_date", columns="breakdown_value", values="is_suppressed", aggfunc="max"
    ).reindex(wide.index)
    for code in wide.columns:
        table[names.get(code, code)] = wide[code].to_numpy()
        withheld[names.get(code, code)] = flags[code].fillna(False).astype(bool).to_numpy()
    if totals is not None and not totals.empty:  # the stack's height: the published total
        by_quarter = totals.set_index("period_start_date").reindex(wide.index)
        table["Total"] = by_quarter["value"].to_numpy()
        withheld["Total"] = by_quarter["is_suppressed"].fillna(False).astype(bool).to_numpy()
    table.attrs["withheld"] = withheld
    return data_table(table, caption=caption, value_format="${:,.0f}")


def funding_card(run: data.PublishedRun) -> CardContent:
    frame = _parts(run, "funding_received")
    figure = figures.category_bars_figure(
        frame, "breakdown_value", lambda c: SOURCES.get(c, c), "US dollars", summaries.quarter_label
    )
    share = data.observations(run.run_id, "public_funding_share")
    shown = share[~share["is_suppressed"]].sort_values("period_start_date")
    summary = "Funding by source each quarter."
    if not shown.empty:
        first, last = shown.iloc[0], shown.iloc[-1]
        summary = (
            f"Public sources (city, county, state and federal) gave "
            f"{float(first['value']):.0f}% of the money received in {_label(first)} and "
            f"{float(last['value']):.0f}% in {_label(last)}."
        )
        foundations = frame[
            (frame["breakdown_value"] == "private_foundation") & ~frame["is_suppressed"]
        ]
        received = data.observations(run.run_id, "funding_received")
        all_rows = received[(received["breakdown_value"] == "") & ~received["is_suppressed"]]
        if not foundations.empty and not all_rows.empty:
            part = 100 * float(foundations["value"].sum()) / float(all_rows["value"].sum())
            summary += f" Over all quarters shown, private foundations gave {part:.0f}%."
    table = _money_table(
        frame,
        SOURCES,
        "Funding received by quarter and source, US dollars",
        _totals(run, "funding_received"),
    )
    return figure, summary, table, indicator_footer(run, "funding_received", _span(frame), frame)


def spending_card(run: data.PublishedRun) -> CardContent:
    frame = _parts(run, "spending")
    figure = figures.category_bars_figure(
        frame,
        "breakdown_value",
        lambda c: CATEGORIES.get(c, c),
        "US dollars",
        summaries.quarter_label,
    )
    shown = frame[~frame["is_suppressed"]]
    totals = {str(k): float(v) for k, v in shown.groupby("breakdown_value")["value"].sum().items()}
    summary = "Spending by category each quarter."
    if totals and sum(totals.values()) > 0:
        top = max(totals, key=lambda k: totals[k])
        summary = (
            f"Over all quarters shown, {CATEGORIES.get(top, top).lower()} took the largest "
            f"share of spending ({100 * totals[top] / sum(totals.values()):.0f}%)."
        )
    table = _money_table(
        frame, CATEGORIES, "Spending by quarter and category, US dollars", _totals(run, "spending")
    )
    return figure, summary, table, indicator_footer(run, "spending", _span(frame), frame)


def cost_card(run: data.PublishedRun) -> CardContent:
    frame = data.observations(run.run_id, "finance_cost_per_participant_month")
    figure = figures.period_line_figure(
        frame, "US dollars per participant-month", summaries.quarter_label, PUBLISHED_COST
    )
    shown = frame[~frame["is_suppressed"]].sort_values("period_start_date")
    summary = "Spending per participant-month each quarter."
    if len(shown) >= 2:
        first, last = shown.iloc[0], shown.iloc[-1]
        start, end = _label(first), _label(last)
        summary = (
            f"Spending per participant-month was ${float(first['value']):,.0f} in {start} and "
            f"${float(last['value']):,.0f} in {end}. The published evaluation found about "
            "$899 on average. It fell to $532 near the end."
        )
    table_frame = pd.DataFrame(
        {
            "Quarter": [summaries.quarter_label(p) for p in frame["period_start_date"]],
            "US dollars per participant-month": frame["value"].to_numpy(),
            "Participant-months": frame["denominator_n"].to_numpy(),
        }
    )
    table_frame.attrs["withheld"] = pd.DataFrame(
        {
            "Quarter": False,
            "US dollars per participant-month": frame["is_suppressed"].to_numpy(),
            "Participant-months": frame["is_suppressed"].to_numpy(),
        }
    )
    table = data_table(table_frame, caption="Spending per participant-month by quarter")
    footer = indicator_footer(run, "finance_cost_per_participant_month", _span(frame), frame)
    return figure, summary, table, footer


def _label(row: pd.Series) -> str:
    return summaries.quarter_label(pd.Timestamp(row["period_start_date"]))


def _span(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "no quarters"
    first, last = frame["period_start_date"].min(), frame["period_start_date"].max()
    return f"{summaries.quarter_label(first)} to {summaries.quarter_label(last)}, by quarter"


@card_callback(Ids.FUNDING, Input(Ids.FUNDING.card_id, "id"))
def update_funding(_trigger: object) -> CardParts:
    share = Share(Ids.FUNDING.card_id, Ids.FUNDING.heading, ("funding_received",))
    return card_parts(*funding_card(published_run_or_stop()), None, share)


@card_callback(Ids.SPENDING, Input(Ids.SPENDING.card_id, "id"))
def update_spending(_trigger: object) -> CardParts:
    share = Share(Ids.SPENDING.card_id, Ids.SPENDING.heading, ("spending",))
    return card_parts(*spending_card(published_run_or_stop()), None, share)


@card_callback(Ids.COST, Input(Ids.COST.card_id, "id"))
def update_cost(_trigger: object) -> CardParts:
    share = Share(Ids.COST.card_id, Ids.COST.heading, ("finance_cost_per_participant_month",))
    return card_parts(*cost_card(published_run_or_stop()), None, share)
