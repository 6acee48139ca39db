"""Recidivism: were people referred to LEAD arrested, charged and jailed less than
comparable people processed as usual? The main figures compare the groups after entry,
adjusted for who was referred, with 95% intervals and how fragile they are; change-in-change
figures follow as secondary estimates, then the published evaluation beside like-for-like
figures."""

from __future__ import annotations

from dash import Input, html
from dash.development.base_component import Component

from dashboard import data, published_effects
from dashboard.components.card_callbacks import card_callback
from dashboard.components.chart_card import (
    DEMO_LABEL,
    CardIds,
    CardParts,
    aria,
    card_parts,
    chart_card,
)
from dashboard.components.controls import apply_view_state, published_run_or_stop, radio_group
from dashboard.components.share import Share
from dashboard.glossary import term
from dashboard.pages import recidivism_effects as effects
from dashboard.pages.placeholder import not_yet_published
from dashboard.pages.recidivism_cards import (
    CHANGE_IN_CHANGE,
    JAIL_INDICATORS,
    JAIL_MEASURES,
    OUTCOMES,
    SHARE_EVENTS,
    SHARE_INDICATORS,
    change_in_change_card,
    costs_card,
    jail_card,
    outcomes_card,
    shares_card,
    survival_card,
)
from dashboard.pages.recidivism_methods import DESIGN_CAVEAT, methods_section, published_panel
from dashboard.validation import choose
from etl import settings

PATH = "/recidivism"
TITLE = "Recidivism"
DESCRIPTION = (
    "Whether people referred to LEAD were arrested, charged and jailed less often than a "
    "comparable group processed as usual, adjusted for who was referred, with 95% confidence "
    "intervals and how fragile the results are."
)
HEADLINE_INDICATOR = "arrest_odds_ratio_weighted"


class Ids:
    SHARE_EVENT = "rec-share-event"
    JAIL_MEASURE = "rec-jail-measure"
    OUTCOME = "rec-outcome"
    SENSITIVITY_MEASURE = "rec-sensitivity-measure"
    HEADLINE = "rec-headline"
    EFFECTS = CardIds(
        "rec-effects",
        "LEAD compared with the comparison group after entry",
        "Odds of any arrest in 6 months and jail use in 12 months after entry, unadjusted, "
        "adjusted and weighted; bars show 95% confidence intervals.",
    )
    SENSITIVITY = CardIds(
        "rec-sensitivity",
        "How fragile is it? Other follow-up windows",
        "The adjusted and weighted estimates over 6, 12 and 18 months after entry, and how "
        "strong an unmeasured difference would have to be to explain them away.",
    )
    BALANCE = CardIds(
        "rec-balance",
        "How alike the groups were at entry",
        "Standardized differences between the LEAD and comparison groups, before and after "
        "weighting the comparison group.",
    )
    SHARES = CardIds(
        "rec-shares",
        "People arrested or charged, six months before and after entry",
        "Share of each group with at least one event; bars show 95% confidence intervals.",
    )
    CHANGE = CardIds(
        "rec-change",
        "Change in change (secondary): each group against its own past",
        "Each group's after-entry figure divided by its own before-entry figure, LEAD "
        "relative to the comparison group; below 1 means LEAD's figure fell more.",
    )
    SURVIVAL = CardIds(
        "rec-survival",
        "Time to first arrest after entry",
        "Estimated share of each group not yet arrested, by months since entry.",
    )
    JAIL = CardIds(
        "rec-jail",
        "Jail use per person-year, before and after entry",
        "12 months before entry and up to 12 months after; 95% confidence intervals.",
    )
    COSTS = CardIds(
        "rec-costs",
        "Criminal legal system cost per person-year",
        "Bookings, jail days, prosecution, defense and court, at the unit costs under Methods.",
    )
    OUTCOMES = CardIds(
        "rec-outcomes",
        "Housing, work and income after referral (LEAD participants)",
        "Share of assessed participants in each month, from the month before referral; no "
        "comparison group.",
    )


SENSITIVITY_MEASURES = {
    "arrest": "Any arrest",
    "booking": "Jail bookings",
    "jail_days": "Days in jail",
}


def layout(**query: str) -> Component:
    """The page, its controls set from a permalink's query string when it has one."""
    return apply_view_state(page(), query)


def page() -> Component:
    run = data.published_run()
    if run is None or data.indicator(run.run_id, HEADLINE_INDICATOR) is None:
        return not_yet_published(TITLE, DESCRIPTION)
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    children: list[Component] = [html.H1("Recidivism: LEAD compared with usual processing")]
    if run.program_is_synthetic:
        children.append(
            html.P(
                [
                    html.Strong(DEMO_LABEL),
                    ": these estimates come from generated records that "
                    "resemble the published evaluation; they do not describe real people.",
                ],
                className="demo-banner",
            )
        )
    children += [
        headline(run, threshold),
        chart_card(Ids.EFFECTS),
        chart_card(
            Ids.SENSITIVITY,
            controls=[radio_group(Ids.SENSITIVITY_MEASURE, "Show", SENSITIVITY_MEASURES, "arrest")],
        ),
        chart_card(Ids.BALANCE),
        chart_card(
            Ids.SHARES,
            controls=[radio_group(Ids.SHARE_EVENT, "Show", SHARE_EVENTS, "arrest")],
        ),
        chart_card(Ids.CHANGE),
        chart_card(Ids.SURVIVAL),
        chart_card(
            Ids.JAIL,
            controls=[radio_group(Ids.JAIL_MEASURE, "Show", JAIL_MEASURES, "bookings")],
        ),
        chart_card(Ids.COSTS),
        chart_card(
            Ids.OUTCOMES,
            controls=[radio_group(Ids.OUTCOME, "Show", OUTCOMES, "housed")],
        ),
        published_panel(run, threshold),
        methods_section(run, threshold),
    ]
    return html.Div(children, className="page")


def headline(run: data.PublishedRun, threshold: int) -> Component:
    main = published_effects.headline_effect(run, "arrest")
    sentence = main.sentence(threshold) if main is not None else ""
    fragility = [
        published_effects.e_value_sentence(run, HEADLINE_INDICATOR),
        published_effects.window_sentence(run, "arrest"),
    ]
    unadjusted = published_effects.effect(
        run, published_effects.indicator_id("arrest", "after_entry"), 6
    )
    if unadjusted is not None:
        fragility.append("Without adjustment: " + unadjusted.sentence(threshold))
    sizes = data.observations(run.run_id, "evaluation_group_size")
    groups = ", ".join(
        f"{name}: "
        + ("withheld" if bool(row["is_suppressed"]) else f"{int(row['value']):,} people")
        for cohort, name in (("lead", "LEAD group"), ("control", "Comparison group"))
        for row in sizes[sizes["breakdown_value"] == cohort].to_dict("records")
    )
    return html.Section(
        className="headline",
        **aria(labelledby="rec-headline-title"),
        children=[
            html.H2("The main result", id="rec-headline-title"),
            html.P(sentence, id=Ids.HEADLINE, className="headline__sentence"),
            html.P(
                [html.Strong("How fragile it is: "), " ".join(s for s in fragility if s)],
                className="headline__fragility",
            ),
            html.P(
                [
                    html.Strong("Keep in mind: "),
                    DESIGN_CAVEAT,
                    " See the glossary: ",
                    term("comparison group", "control-group"),
                    ", ",
                    term("odds ratio", "odds-ratio"),
                    ", ",
                    term("confidence interval", "confidence-interval"),
                    ".",
                ]
            ),
            html.P(f"Evaluation groups ({groups}); people who entered October 2011 to July 2014."),
        ],
    )


@card_callback(Ids.EFFECTS, Input(Ids.SHARE_EVENT, "id"))
def update_effects(_trigger: object) -> CardParts:
    ids = tuple(
        published_effects.indicator_id(measure, adjustment)
        for measure in published_effects.MEASURES
        for adjustment in published_effects.ADJUSTMENTS
    )
    share = Share(Ids.EFFECTS.card_id, Ids.EFFECTS.heading, ids)
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    return card_parts(*effects.after_entry_card(published_run_or_stop(), threshold), None, share)


@card_callback(Ids.SENSITIVITY, Input(Ids.SENSITIVITY_MEASURE, "value"))
def update_sensitivity(measure: object) -> CardParts:
    value, notice = choose(
        measure, list(SENSITIVITY_MEASURES), "arrest", "measure", SENSITIVITY_MEASURES.__getitem__
    )
    ids = (
        published_effects.indicator_id(value, "weighted"),
        published_effects.indicator_id(value, "adjusted"),
    )
    share = Share(
        Ids.SENSITIVITY.card_id,
        Ids.SENSITIVITY.heading,
        ids,
        view=SENSITIVITY_MEASURES[value],
    )
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    content = effects.sensitivity_card(published_run_or_stop(), value, threshold)
    return card_parts(*content, notice, share)


@card_callback(Ids.BALANCE, Input(Ids.SHARE_EVENT, "id"))
def update_balance(_trigger: object) -> CardParts:
    ids = ("covariate_balance_smd", "evaluation_covariate_count", "evaluation_prior_history_mean")
    share = Share(Ids.BALANCE.card_id, Ids.BALANCE.heading, ids)
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    return card_parts(*effects.balance_card(published_run_or_stop(), threshold), None, share)


@card_callback(Ids.CHANGE, Input(Ids.SHARE_EVENT, "id"))
def update_change(_trigger: object) -> CardParts:
    share = Share(Ids.CHANGE.card_id, Ids.CHANGE.heading, tuple(CHANGE_IN_CHANGE))
    return card_parts(*change_in_change_card(published_run_or_stop()), None, share)


@card_callback(Ids.SHARES, Input(Ids.SHARE_EVENT, "value"))
def update_shares(event: object) -> CardParts:
    value, notice = choose(event, list(SHARE_EVENTS), "arrest", "event", SHARE_EVENTS.__getitem__)
    share = Share(
        Ids.SHARES.card_id,
        Ids.SHARES.heading,
        (SHARE_INDICATORS[value],),
        view=SHARE_EVENTS[value],
    )
    return card_parts(*shares_card(published_run_or_stop(), value), notice, share)


@card_callback(Ids.SURVIVAL, Input(Ids.SHARE_EVENT, "id"))
def update_survival(_trigger: object) -> CardParts:
    share = Share(Ids.SURVIVAL.card_id, Ids.SURVIVAL.heading, ("no_arrest_since_entry_pct",))
    return card_parts(*survival_card(published_run_or_stop()), None, share)


@card_callback(Ids.JAIL, Input(Ids.JAIL_MEASURE, "value"))
def update_jail(measure: object) -> CardParts:
    value, notice = choose(
        measure, list(JAIL_MEASURES), "bookings", "measure", JAIL_MEASURES.__getitem__
    )
    share = Share(
        Ids.JAIL.card_id, Ids.JAIL.heading, (JAIL_INDICATORS[value],), view=JAIL_MEASURES[value]
    )
    return card_parts(*jail_card(published_run_or_stop(), value), notice, share)


@card_callback(Ids.COSTS, Input(Ids.SHARE_EVENT, "id"))
def update_costs(_trigger: object) -> CardParts:
    share = Share(Ids.COSTS.card_id, Ids.COSTS.heading, ("legal_cost_per_person_year",))
    return card_parts(*costs_card(published_run_or_stop()), None, share)


@card_callback(Ids.OUTCOMES, Input(Ids.OUTCOME, "value"))
def update_outcomes(outcome: object) -> CardParts:
    value, notice = choose(outcome, list(OUTCOMES), "housed", "outcome", OUTCOMES.__getitem__)
    share = Share(
        Ids.OUTCOMES.card_id, Ids.OUTCOMES.heading, (f"{value}_share",), view=OUTCOMES[value]
    )
    return card_parts(*outcomes_card(published_run_or_stop(), value), notice, share)
