"""Enrollment: who has been referred to LEAD, who takes part now, and who they are.

Every figure comes from de-identified, suppressed program aggregates; a withheld value is
shown as "withheld", never as a zero.
"""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, html
from dash.development.base_component import Component

from dashboard import data, figures, summaries
from dashboard.components.card_callbacks import card_callback
from dashboard.components.chart_card import (
    DEMO_LABEL,
    CardContent,
    CardIds,
    CardParts,
    TableContent,
    aria,
    card_parts,
    chart_card,
    data_table,
)
from dashboard.components.controls import (
    apply_view_state,
    indicator_footer,
    published_run_or_stop,
    radio_group,
)
from dashboard.components.share import Share
from dashboard.pages.placeholder import not_yet_published
from dashboard.summaries import quarter_label
from dashboard.validation import choose
from etl import settings

PATH = "/enrollment"
TITLE = "Enrollment"
DESCRIPTION = (
    "Who has been referred to LEAD, how many take part now, and how the LEAD and comparison "
    "groups compare: referrals by quarter and type, active participants, exits, services "
    "and cost."
)


class Ids:
    PERIOD = "enr-period"
    REFERRAL_TYPE = "enr-referral-type"
    DIMENSION = "enr-dimension"
    REFERRALS = CardIds(
        "enr-referrals",
        "Referrals to LEAD per quarter",
        "People referred each quarter; use ‘Referral type’ above to see one type.",
    )
    PARTICIPANTS = CardIds(
        "enr-participants",
        "Active participants",
        "People enrolled in LEAD at the end of each quarter.",
    )
    EXITS = CardIds(
        "enr-exits",
        "Why people left LEAD",
        "Enrolments that ended, by the reason recorded, all quarters to date.",
    )
    DEMOGRAPHICS = CardIds(
        "enr-demographics",
        "Who is in the LEAD and comparison groups",
        "Share of each group, all referrals to date.",
    )
    SERVICES = CardIds(
        "enr-services",
        "Service contacts per quarter",
        "Contacts between participants and LEAD case managers and partners.",
    )
    COST = CardIds(
        "enr-cost",
        "Recorded service cost per participant-month",
        "Costs recorded on service contacts, divided by the months participants were enrolled. "
        "Not the Funding page's spending per participant-month, which divides all spending.",
    )


EVALUATION = (pd.Timestamp("2011-10-01"), pd.Timestamp("2014-07-01"))
PERIODS = {
    "all": "All quarters",
    "evaluation": "Evaluation years (Q4 2011 to Q3 2014)",
}
REFERRAL_TYPES = {
    "all": "All referral types",
    "arrest_diversion": "Arrest diversion",
    "social_contact": "Social contact",
}
DIMENSIONS = {
    "gender": ("participants_by_gender", "gender"),
    "age_band": ("participants_by_age_band", "age at referral"),
    "race_ethnicity": ("participants_by_race_ethnicity", "race and ethnicity"),
    "housing_at_referral": ("participants_by_housing_at_referral", "housing at referral"),
}
COHORT_NAMES = {"lead": "LEAD group", "control": "Comparison group"}
SUPPRESSION_NOTE = (
    "To protect privacy, any figure based on fewer than {threshold} people is withheld and "
    "shown as “withheld” (✕ on charts). A few larger figures are withheld too, so that a "
    "withheld one cannot be worked out by subtracting from a total. Withheld is not zero."
)


def code_label(code: str) -> str:
    """``"arrest_diversion"`` -> ``"Arrest diversion"``; ``"18-24"`` stays."""
    return code.replace("_", " ").capitalize()


def layout(**query: str) -> Component:
    """The page, its controls set from a permalink's query string when it has one."""
    return apply_view_state(page(), query)


def page() -> Component:
    run = data.published_run()
    if run is None or data.indicator(run.run_id, "referrals") is None:
        return not_yet_published(TITLE, DESCRIPTION)
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    children: list[Component] = [html.H1(TITLE), html.P(DESCRIPTION, className="lede")]
    if run.program_is_synthetic:
        children.append(
            html.P(
                [
                    html.Strong(DEMO_LABEL),
                    ": the figures below are generated to resemble the "
                    "published evaluation and do not describe real people.",
                ],
                className="demo-banner",
            )
        )
    children += [
        kpi_tiles(run, threshold),
        html.P(SUPPRESSION_NOTE.format(threshold=threshold), className="notice"),
        html.Div(
            className="page-controls",
            children=[
                radio_group(Ids.PERIOD, "Quarters shown", PERIODS, "all"),
                html.Div(
                    className="control",
                    children=[
                        html.Label("Referral type", htmlFor=Ids.REFERRAL_TYPE),
                        dbc.Select(
                            id=Ids.REFERRAL_TYPE,
                            options=[{"label": v, "value": k} for k, v in REFERRAL_TYPES.items()],
                            value="all",
                            className="select",
                        ),
                    ],
                ),
            ],
        ),
        chart_card(Ids.REFERRALS),
        chart_card(
            Ids.PARTICIPANTS,
        ),
        chart_card(
            Ids.EXITS,
        ),
        chart_card(
            Ids.DEMOGRAPHICS,
            controls=[
                radio_group(
                    Ids.DIMENSION,
                    "Compare by",
                    {k: v[1].capitalize() for k, v in DIMENSIONS.items()},
                    "gender",
                )
            ],
        ),
        chart_card(
            Ids.SERVICES,
        ),
        chart_card(
            Ids.COST,
        ),
    ]
    return html.Div(children, className="page")


def kpi_tiles(run: data.PublishedRun, threshold: int) -> Component:
    """Total referred, active at the latest quarter's end, median months enrolled."""
    cumulative = data.observations(run.run_id, "referrals_cumulative")
    active = data.observations(run.run_id, "participants_active")
    median = data.observations(run.run_id, "months_enrolled_median")
    tiles = [
        _tile("People referred since October 2011", _latest(cumulative, threshold, "{:,.0f}")),
        _tile("Active participants", _latest(active, threshold, "{:,.0f}")),
        _tile("Median months enrolled", _latest(median, threshold, "{:,.1f}", with_period=False)),
    ]
    return html.Ul(tiles, className="kpi-tiles", **aria(label="Key figures"))


def _latest(
    frame: pd.DataFrame, threshold: int, fmt: str, with_period: bool = True
) -> tuple[str, str]:
    if frame.empty:
        return "–", "no figure in the current extract"
    latest = frame.sort_values("period_start_date").iloc[-1]
    when = f"at the end of {quarter_label(pd.Timestamp(latest['period_start_date']))}"
    if bool(latest["is_suppressed"]):
        return "withheld", f"fewer than {threshold} people"
    return fmt.format(
        float(latest["value"])
    ), when if with_period else "referral to exit or latest quarter"


def _tile(label: str, value_and_note: tuple[str, str]) -> Component:
    value, note = value_and_note
    return html.Li(
        className="kpi-tile",
        children=[
            html.Span(label, className="kpi-tile__label"),
            html.Strong(value, className="kpi-tile__value"),
            html.Span(note, className="kpi-tile__note"),
        ],
    )


def _in_period(frame: pd.DataFrame, period: str) -> pd.DataFrame:
    if period != "evaluation" or frame.empty:
        return frame
    start, end = EVALUATION
    return frame[(frame["period_start_date"] >= start) & (frame["period_start_date"] <= end)]


def _period_filters(period: str) -> dict[str, str]:
    """API filters for the quarters a card shows (see :func:`_in_period`)."""
    if period != "evaluation":
        return {}
    start, end = EVALUATION
    return {"from": start.date().isoformat(), "to": end.date().isoformat()}


def _period_text(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "no quarters"
    first = quarter_label(pd.Timestamp(frame["period_start_date"].min()))
    last = quarter_label(pd.Timestamp(frame["period_start_date"].max()))
    return f"{first} to {last}, by quarter"


def quarter_table(
    frame: pd.DataFrame,
    column: str,
    name: Callable[[str], str],
    caption: str,
    value_format: str = "{:,.0f}",
) -> TableContent:
    """Quarters as rows (newest first), ``column``'s values as columns, withheld marked."""
    if frame.empty:
        return html.P("No figures for this selection.")
    values = frame.pivot_table(
        index="period_start_date", columns=column, values="value", aggfunc="first", dropna=False
    ).sort_index(ascending=False)
    withheld = frame.pivot_table(
        index="period_start_date", columns=column, values="is_suppressed", aggfunc="first"
    )
    withheld = withheld.reindex(index=values.index, columns=values.columns)
    table = values.reset_index()
    labels = [name(str(c)) for c in values.columns]
    table.columns = ["Quarter", *labels]
    table["Quarter"] = [quarter_label(pd.Timestamp(p)) for p in values.index]
    flags = withheld.reset_index(drop=True).fillna(False).astype(bool)
    flags.columns = labels
    table.attrs["withheld"] = flags
    return data_table(table, caption=caption, value_format=value_format)


def _category_name(code: str) -> str:
    return "All types" if code == "" else code_label(code)


@data.cache.memoize()
def referrals_card(run: data.PublishedRun, period: str, referral_type: str) -> CardContent:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    frame = _in_period(data.observations(run.run_id, "referrals"), period)
    totals = frame[frame["breakdown_value"] == ""]
    parts = frame[frame["breakdown_value"] != ""]
    if referral_type != "all":
        parts = parts[parts["breakdown_value"] == referral_type]
        totals = parts
    # All types: one bar per quarter (the total), since most single-type figures are
    # withheld; the table keeps the split where it can be shown.
    figure = figures.category_bars_figure(
        totals, "breakdown_value", _category_name, "people", quarter_label
    )
    what = "people were referred to LEAD" + (
        "" if referral_type == "all" else f" by {code_label(referral_type).lower()}"
    )
    summary = summaries.flow_summary(
        totals,
        parts,
        what,
        lambda c: code_label(c).lower(),
        threshold,
        period_total=_running_total_change(run, totals) if referral_type == "all" else None,
    )
    table = quarter_table(
        frame if referral_type == "all" else parts,
        "breakdown_value",
        _category_name,
        f"Referrals per quarter, {_period_text(frame)}",
    )
    return figure, summary, table, indicator_footer(run, "referrals", _period_text(frame), frame)


def _running_total_change(run: data.PublishedRun, totals: pd.DataFrame) -> float | None:
    """People referred over the quarters of ``totals``, from the published running total
    (published for the latest quarter): only for a period from the first quarter of
    referrals to that quarter; None otherwise or where it is withheld."""
    if totals.empty:
        return None
    cumulative = data.observations(run.run_id, "referrals_cumulative")
    cumulative = cumulative[cumulative["breakdown_value"] == ""].set_index("period_start_date")
    referrals = data.observations(run.run_id, "referrals")
    first, last = totals["period_start_date"].min(), totals["period_start_date"].max()
    if first != referrals["period_start_date"].min() or last not in cumulative.index:
        return None
    if bool(cumulative.loc[last, "is_suppressed"]):
        return None
    return float(cumulative.loc[last, "value"])


@data.cache.memoize()
def participants_card(run: data.PublishedRun, period: str) -> CardContent:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    cumulative = data.observations(run.run_id, "referrals_cumulative")
    active = _in_period(data.observations(run.run_id, "participants_active"), period)
    series = active.assign(area="active")
    figure = figures.trend_figure(series, "active", "people", lambda _a: "Active at quarter's end")
    summary = " ".join(
        [
            summaries.latest_value_sentence(
                active,
                "At the end of {period}, {value} people were active LEAD participants.",
                threshold,
            ),
            summaries.latest_value_sentence(
                cumulative,
                "{value} people had been referred from October 2011 to the end of {period}.",
                threshold,
            ),
        ]
    )
    table = quarter_table(
        series,
        "area",
        lambda _a: "Active participants",
        f"Active participants at each quarter's end, {_period_text(active)}",
    )
    return (
        figure,
        summary,
        table,
        indicator_footer(run, "participants_active", _period_text(active), active),
    )


@data.cache.memoize()
def exits_card(run: data.PublishedRun) -> CardContent:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    frame = data.observations(run.run_id, "exits")
    parts = frame[frame["breakdown_value"] != ""]
    total = frame[frame["breakdown_value"] == ""]
    shares = parts.assign(cohort="lead", category=parts["breakdown_value"])
    figure = figures.category_totals_figure(shares, code_label, "people")
    summary = summaries.total_with_top_category(
        total, parts, "people left LEAD", lambda c: code_label(c).lower(), threshold
    )
    rows = [
        {"Reason": code_label(str(r.breakdown_value)), "People": r.value}
        for r in parts.sort_values("breakdown_value").itertuples()
    ]
    table_frame = pd.DataFrame(rows, columns=["Reason", "People"])
    table_frame.attrs["withheld"] = pd.DataFrame(
        {
            "Reason": False,
            "People": parts.sort_values("breakdown_value")["is_suppressed"].to_numpy(),
        }
    )
    table = data_table(table_frame, caption="People leaving LEAD, by reason, all quarters")
    return figure, summary, table, indicator_footer(run, "exits", "all quarters to date", frame)


@data.cache.memoize()
def demographics_card(run: data.PublishedRun, dimension: str) -> CardContent:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    indicator_id, words = DIMENSIONS[dimension]
    shares = data.observations(run.run_id, f"{indicator_id}_pct")
    counts = data.observations(run.run_id, indicator_id)
    split = shares["breakdown_value"].str.split("|", n=1, expand=True)
    shares = shares.assign(cohort=split[0], category=split[1])
    figure = figures.cohort_share_figure(shares, code_label, COHORT_NAMES.__getitem__)
    summary = summaries.share_summary(shares, words, lambda c: code_label(c).lower(), threshold)
    table = _demographics_table(shares, counts, words)
    return (
        figure,
        summary,
        table,
        indicator_footer(run, indicator_id, "all referrals to date", shares),
    )


def _demographics_table(shares: pd.DataFrame, counts: pd.DataFrame, words: str) -> TableContent:
    merged = shares.merge(
        counts[["breakdown_value", "value", "is_suppressed"]].rename(
            columns={"value": "count", "is_suppressed": "count_withheld"}
        ),
        on="breakdown_value",
    )
    rows = []
    flags = []
    for category in sorted(merged["category"].unique()):
        row: dict[str, object] = {"Category": code_label(category)}
        flag: dict[str, bool] = {"Category": False}
        for cohort, name in COHORT_NAMES.items():
            match = merged[(merged["category"] == category) & (merged["cohort"] == cohort)]
            withheld = match.empty or bool(match["is_suppressed"].iloc[0])
            row[f"{name}: people"] = None if withheld else float(match["count"].iloc[0])
            row[f"{name}: percent"] = None if withheld else float(match["value"].iloc[0])
            flag[f"{name}: people"] = flag[f"{name}: percent"] = withheld
        rows.append(row)
        flags.append(flag)
    table = pd.DataFrame(rows)
    table.attrs["withheld"] = pd.DataFrame(flags)
    return data_table(table, caption=f"Participants by {words}", value_format="{:,.1f}")


@data.cache.memoize()
def services_card(run: data.PublishedRun, period: str) -> CardContent:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    frame = _in_period(data.observations(run.run_id, "service_contacts"), period)
    totals = frame[frame["breakdown_value"] == ""]
    parts = frame[frame["breakdown_value"] != ""]
    figure = figures.category_bars_figure(
        parts, "breakdown_value", code_label, "contacts", quarter_label
    )
    summary = summaries.flow_summary(
        totals, parts, "service contacts were recorded", lambda c: code_label(c).lower(), threshold
    )
    table = quarter_table(
        frame,
        "breakdown_value",
        _category_name,
        f"Service contacts per quarter, {_period_text(frame)}",
    )
    return (
        figure,
        summary,
        table,
        indicator_footer(run, "service_contacts", _period_text(frame), frame),
    )


@data.cache.memoize()
def cost_card(run: data.PublishedRun, period: str) -> CardContent:
    frame = _in_period(data.observations(run.run_id, "program_cost_per_participant_month"), period)
    series = frame.assign(area="cost")
    figure = figures.trend_figure(
        series, "cost", "US dollars", lambda _a: "Cost per participant-month"
    )
    summary = summaries.change_summary(frame, "Program cost per participant-month", prefix="$")
    table = quarter_table(
        series,
        "area",
        lambda _a: "US dollars per participant-month",
        f"Program cost per participant-month, {_period_text(frame)}",
    )
    return (
        figure,
        summary,
        table,
        indicator_footer(run, "program_cost_per_participant_month", _period_text(frame), frame),
    )


def _validated(period: object, referral_type: object) -> tuple[str, str, str | None]:
    period_value, period_notice = choose(
        period, list(PERIODS), "all", "period", PERIODS.__getitem__
    )
    type_value, type_notice = choose(
        referral_type, list(REFERRAL_TYPES), "all", "referral type", REFERRAL_TYPES.__getitem__
    )
    return period_value, type_value, period_notice or type_notice


@card_callback(Ids.REFERRALS, Input(Ids.PERIOD, "value"), Input(Ids.REFERRAL_TYPE, "value"))
def update_referrals(period: object, referral_type: object) -> CardParts:
    period_value, type_value, notice = _validated(period, referral_type)
    filters = _period_filters(period_value)
    if type_value != "all":
        filters["breakdown"] = type_value
    share = Share(
        Ids.REFERRALS.card_id,
        Ids.REFERRALS.heading,
        ("referrals",),
        filters,
        view=REFERRAL_TYPES[type_value] if type_value != "all" else "",
    )
    return card_parts(
        *referrals_card(published_run_or_stop(), period_value, type_value), notice, share
    )


@card_callback(Ids.PARTICIPANTS, Input(Ids.PERIOD, "value"))
def update_participants(period: object) -> CardParts:
    period_value, _type, notice = _validated(period, "all")
    share = Share(
        Ids.PARTICIPANTS.card_id,
        Ids.PARTICIPANTS.heading,
        ("participants_active", "referrals_cumulative"),
        _period_filters(period_value),
    )
    return card_parts(*participants_card(published_run_or_stop(), period_value), notice, share)


@card_callback(Ids.EXITS, Input(Ids.PERIOD, "value"))
def update_exits(_period: object) -> CardParts:
    share = Share(Ids.EXITS.card_id, Ids.EXITS.heading, ("exits",))
    return card_parts(*exits_card(published_run_or_stop()), None, share)


@card_callback(Ids.DEMOGRAPHICS, Input(Ids.DIMENSION, "value"))
def update_demographics(dimension: object) -> CardParts:
    value, notice = choose(
        dimension, list(DIMENSIONS), "gender", "comparison", lambda d: DIMENSIONS[d][1]
    )
    indicator_id = DIMENSIONS[value][0]
    share = Share(
        Ids.DEMOGRAPHICS.card_id,
        Ids.DEMOGRAPHICS.heading,
        (f"{indicator_id}_pct", indicator_id),
        view=f"by {DIMENSIONS[value][1]}",
    )
    return card_parts(*demographics_card(published_run_or_stop(), value), notice, share)


@card_callback(Ids.SERVICES, Input(Ids.PERIOD, "value"))
def update_services(period: object) -> CardParts:
    period_value, _type, notice = _validated(period, "all")
    share = Share(
        Ids.SERVICES.card_id,
        Ids.SERVICES.heading,
        ("service_contacts",),
        _period_filters(period_value),
    )
    return card_parts(*services_card(published_run_or_stop(), period_value), notice, share)


@card_callback(Ids.COST, Input(Ids.PERIOD, "value"))
def update_cost(period: object) -> CardParts:
    period_value, _type, notice = _validated(period, "all")
    share = Share(
        Ids.COST.card_id,
        Ids.COST.heading,
        ("program_cost_per_participant_month",),
        _period_filters(period_value),
    )
    return card_parts(*cost_card(published_run_or_stop(), period_value), notice, share)
