"""Quality of life: Belltown against each comparison area around LEAD's start.

Three cards, built so a reader can judge the before/after comparison: the before/after
ratio for 12, 24 and 36 months each side; the year-by-year event study with its pre-trend
test (is Belltown already moving differently before LEAD?); and the placebo start dates
that show how big a ratio ordinary variation produces. Every label compares areas
("Belltown lower / higher than ..."), never people.
"""

from __future__ import annotations

import math

import pandas as pd
from dash import html
from dash.development.base_component import Component

from dashboard import data, estimand_text, figures, interval_figures, row_figures
from dashboard.components.chart_card import TableContent, data_table
from dashboard.components.controls import indicator_footer
from dashboard.labels import area_label, offense_phrase
from etl import settings

BEFORE_AFTER_ID = "reported_offenses_before_after"
EVENT_STUDY_ID = "reported_offenses_event_study"
PRETREND_ID = "reported_offenses_pretrend"
PRETREND_P_ID = "reported_offenses_pretrend_p_value"
PLACEBO_ID = "reported_offenses_placebo"
NO_DATA = "No data for this period in the current extract."
HEADLINE_WINDOW = 24
PLACEBO_WINDOW = 12
Parts = tuple[object, str, TableContent, list[Component]]


def _rows(run: data.PublishedRun, indicator_id: str, group: str) -> pd.DataFrame:
    frame = data.observations(run.run_id, indicator_id)
    frame = frame[frame["breakdown_value"].str.startswith(f"{group}|")]
    parts = frame["breakdown_value"].str.split("|", expand=True)
    if frame.empty:
        return frame.assign(comparison=pd.Series(dtype=str))
    frame = frame.assign(comparison=parts[1].map(area_label))
    if parts.shape[1] > 2:
        frame = frame.assign(window_months=parts[2].astype(int))
    return frame


def _empty(reason: str) -> Parts:
    return figures.empty_figure(NO_DATA), NO_DATA, html.P(NO_DATA), [html.P(reason)]


def pre_trend_sentence(run: data.PublishedRun, group: str) -> str:
    """The pre-trend test in words, per comparison area; says so when it rejects."""
    trend = _rows(run, PRETREND_ID, group)
    p_values = {
        row["comparison"]: float(row["value"])
        for row in _rows(run, PRETREND_P_ID, group).to_dict("records")
    }
    sentences = []
    for row in trend.to_dict("records"):
        ratio, p_value = float(row["value"]), p_values.get(row["comparison"], math.nan)
        share = round(abs(ratio - 1) * 100)
        pace = "faster" if ratio > 1 else "slower"
        test = (
            f"The test for a trend already under way finds one (p = {p_value:.3f}). So a "
            "before/after ratio mixes in a change that had already begun."
            if p_value < 0.05
            else "The test for a trend already under way does not find one "
            f"(p = {p_value:.2f}). That does not show there was none; these data cannot tell."
        )
        sentences.append(
            f"Before LEAD, reported {offense_phrase(group)} in Belltown were changing "
            f"{share}% a year {pace} than in {row['comparison']} (95% confidence interval "
            f"{float(row['lower_bound']):.2f} to {float(row['upper_bound']):.2f} times a year). "
            f"{test}"
        )
    return " ".join(sentences)


@data.cache.memoize()
def before_after_parts(run: data.PublishedRun, group: str) -> Parts:
    meta = data.indicator(run.run_id, BEFORE_AFTER_ID)
    frame = _rows(run, BEFORE_AFTER_ID, group)
    if meta is None or frame.empty:
        return _empty("Needs every month of a window around October 2011.")
    frame = frame.sort_values(["comparison", "window_months"])
    labelled = frame.assign(
        indicator_id="vs " + frame["comparison"] + ", " + frame["window_months"].astype(str)
        + " months each side"
    )  # fmt: skip
    figure = row_figures.forest_figure(
        labelled,
        lambda label: label,
        x_title="Belltown's change divided by the comparison area's (log scale; 1 = same)",
        sides=("Belltown changed less", "Belltown changed more"),
    )
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    sentences = [
        estimand_text.effect_sentence(
            meta,
            float(row["value"]),
            float(row["lower_bound"]),
            float(row["upper_bound"]),
            threshold,
            outcome=f"reported {offense_phrase(group)}",
            comparison=row["comparison"],
            with_note=False,
        )
        for row in frame[frame["window_months"] == HEADLINE_WINDOW].to_dict("records")
    ]
    others = [
        f"with {int(row['window_months'])} months each side, {row['comparison']} "
        f"{float(row['value']):.2f} ({float(row['lower_bound']):.2f} to "
        f"{float(row['upper_bound']):.2f})"
        for row in frame[frame["window_months"] != HEADLINE_WINDOW].to_dict("records")
    ]
    summary = " ".join(sentences)
    if others:
        summary += " The ratio depends on the window chosen: " + "; ".join(others) + "."
    trend = pre_trend_sentence(run, group)
    if trend:
        summary += " " + trend
    summary += " " + estimand_text.AREA_NOTE
    table = data_table(
        pd.DataFrame(
            {
                "Comparison area": frame["comparison"],
                "Months each side": frame["window_months"],
                "Rate ratio": frame["value"],
                "95% CI, lower": frame["lower_bound"],
                "95% CI, upper": frame["upper_bound"],
                "Offenses counted": frame["denominator_n"],
            }
        ),
        caption=meta["title"],
        value_format="{:,.2f}",
    )
    footer = indicator_footer(
        run, BEFORE_AFTER_ID, "12, 24 and 36 months either side of October 2011", frame
    )
    return figure, summary, table, footer


def _year_label(start: pd.Timestamp) -> str:
    """``2010–11``: the year from October 2010 to September 2011."""
    return f"{start.year}–{(start.year + 1) % 100:02d}"


@data.cache.memoize()
def event_study_parts(run: data.PublishedRun, group: str) -> Parts:
    meta = data.indicator(run.run_id, EVENT_STUDY_ID)
    frame = _rows(run, EVENT_STUDY_ID, group)
    if meta is None or frame.empty:
        return _empty("Needs complete October-to-September years, including the one before LEAD.")
    frame = frame.sort_values(["comparison", "period_start_date"]).assign(
        year=lambda f: f["period_start_date"].map(_year_label)
    )
    lead_start = pd.Timestamp(settings.get("LEAD_START_MONTH"))
    figure = interval_figures.event_study_figure(frame, _year_label(lead_start))
    summary = pre_trend_sentence(run, group) or "No pre-trend test for this offense group."
    before = frame[frame["period_start_date"] < lead_start - pd.DateOffset(years=1)]
    after = frame[frame["period_start_date"] >= lead_start]
    for comparison, rows in after.groupby("comparison"):
        shown = rows.dropna(subset=["lower_bound"])
        lower = int((shown["upper_bound"] < 1).sum())
        summary += (
            f" Against {comparison}, Belltown was lower than in the year before LEAD in "
            f"{lower} of {len(shown)} later years."
        )
        earlier = before[before["comparison"] == comparison].dropna(subset=["lower_bound"])
        if not earlier.empty:
            off = int(((earlier["upper_bound"] < 1) | (earlier["lower_bound"] > 1)).sum())
            summary += f" It differed from that year in {off} of {len(earlier)} earlier years."
    summary += (
        " The year before LEAD is the baseline (= 1). So a busy or quiet baseline year moves "
        "every other year's ratio. " + estimand_text.AREA_NOTE
    )
    table = data_table(
        pd.DataFrame(
            {
                "Year (October to September)": frame["year"],
                "Comparison area": frame["comparison"],
                "Ratio to the year before LEAD": frame["value"],
                "95% CI, lower": frame["lower_bound"],
                "95% CI, upper": frame["upper_bound"],
                "Offenses counted (both areas)": frame["denominator_n"],
            }
        ),
        caption=meta["title"],
        value_format="{:,.2f}",
    )
    first, last = frame["period_start_date"].min(), frame["period_start_date"].max()
    period = f"October {first.year} to September {last.year + 1}"
    return figure, summary, table, indicator_footer(run, EVENT_STUDY_ID, period, frame)


@data.cache.memoize()
def placebo_parts(run: data.PublishedRun, group: str) -> Parts:
    meta = data.indicator(run.run_id, PLACEBO_ID)
    placebos = _rows(run, PLACEBO_ID, group)
    real = _rows(run, BEFORE_AFTER_ID, group)
    if meta is None or placebos.empty:
        return _empty("Needs 12 months either side of false start dates before LEAD.")
    real = real[real["window_months"] == PLACEBO_WINDOW] if not real.empty else real
    figure = row_figures.placebo_figure(placebos, real)
    first, last = placebos["period_start_date"].min(), placebos["period_start_date"].max()
    span = f"{first:%B %Y} to {last:%B %Y}"
    sentences = []
    for comparison, rows in placebos.groupby("comparison"):
        actual = real[real["comparison"] == comparison]
        ratios = rows["value"].astype(float)
        sentence = (
            f"Against {comparison}, {len(rows)} false start dates ({span}) gave ratios "
            f"from {ratios.min():.2f} to {ratios.max():.2f}."
        )
        if not actual.empty:
            value = float(actual.iloc[0]["value"])
            distance = abs(math.log(value))
            as_far = int((ratios.map(lambda r: abs(math.log(r))) >= distance).sum())
            share = round(100 * as_far / len(rows))
            counted = (
                "None of them was"
                if as_far == 0
                else f"{as_far} of them ({share}%) {'was' if as_far == 1 else 'were'}"
            )
            sentence += f" {counted} as far from 1 as the real 12-month estimate, {value:.2f}."
            if as_far == 0:
                sentence += (
                    " So ordinary ups and downs of this kind do not explain it on their own. A "
                    "trend already under way before LEAD (above) still could."
                )
        sentences.append(sentence)
    summary = " ".join(sentences) + (
        " If many false starts gave ratios as far from 1 as the real one, ordinary ups and "
        "downs between the areas could explain it. " + estimand_text.AREA_NOTE
    )
    table = data_table(
        pd.DataFrame(
            {
                "False start": placebos["period_start_date"].dt.strftime("%B %Y"),
                "Comparison area": placebos["comparison"],
                "Rate ratio": placebos["value"],
            }
        ),
        caption=meta["title"],
        value_format="{:,.2f}",
    )
    footer = indicator_footer(run, PLACEBO_ID, f"false starts {span}", placebos)
    return figure, summary, table, footer
