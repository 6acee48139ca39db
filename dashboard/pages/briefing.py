"""Briefing (``/briefing?period=2014-Q3``): one page for a council briefing.

Title, as-of date and data version; the key figures with their change against the period
before; three charts (enrollment, the arrest comparison with its interval, reported
offenses); a narrative generated from the same numbers; caveats, privacy note, sources;
a permalink and QR code back to the live page. The same page prints on one US Letter or A4
sheet (``assets/print.css``), downloads as a PDF made by headless Chromium
(``/briefing.pdf``, :mod:`dashboard.pdf`) and runs as a slide show (``assets/present.js``).
"""

from __future__ import annotations

import math
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
import segno
from dash import Input, Output, callback, dcc, html
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from dashboard import data, figures, kpis, row_figures, summaries
from dashboard.components.chart_card import DEMO_LABEL, GRAPH_CONFIG, aria
from dashboard.components.share import base_url, data_attributes
from dashboard.glossary import term
from dashboard.pages import drug_use, quality_of_life_trend, recidivism, recidivism_effects
from dashboard.pages.placeholder import not_yet_published
from etl import settings

PATH = "/briefing"
TITLE = "Briefing"
DESCRIPTION = (
    "A one-page brief for council members: the key figures for a chosen quarter or year, "
    "three charts, plain-language findings, caveats and sources; print, PDF or present."
)
PERIOD_ID = "brief-period"
CHART_ID = "brief-chart"
# The third chart: reported offences (default), or a drug-use chart when published.
THIRD_CHARTS = {
    "offenses": "Reported offenses",
    "treatment": "Treatment",
    "overdoses": "Overdoses and emergency visits",
}
CHART_HEIGHT = 235
PRINT_FONT_PX = 12  # 9 pt when printed at 100%
BAR_QUARTERS = 8  # the enrollment chart shows the last two years to the chosen period
CAVEATS = (
    "people were not put in LEAD or the comparison group at random. So differences may "
    "partly reflect who was referred. Reported crime depends on reporting and policing, not "
    "only on crime. Effects are for the evaluation groups (who joined from October 2011 to "
    "July 2014)."
)


def layout(period: object = None, chart: object = None, **_query: object) -> Component:
    # A repeated parameter (?period=a&period=b) arrives as a list: treated as invalid.
    period = period if period is None or isinstance(period, str) else "(several values)"
    chart = chart if chart is None or isinstance(chart, str) else "(several values)"
    run = data.published_run()
    if run is None:
        return not_yet_published(TITLE, DESCRIPTION)
    periods = kpis.available_periods(run)
    if not periods:
        return not_yet_published(TITLE, DESCRIPTION)
    chosen = kpis.parse_period(period)
    notices: list[Component] = []
    if period is not None and (chosen is None or chosen.key not in {p.key for p in periods}):
        notices.append(
            html.P(
                f"“{str(period)[:40]}” is not a period this data version covers; showing the "
                "latest complete quarter instead.",
                className="notice page-notice",
                role="status",
            )
        )
        chosen = None
    chosen = chosen or kpis.default_period(run) or periods[0]
    charts = available_charts(run)
    third = chart or "offenses"
    if third not in charts:
        notices.append(
            html.P(
                f"“{str(chart)[:40]}” is not a chart this data version has; showing reported "
                "offenses instead.",
                className="notice page-notice",
                role="status",
            )
        )
        third = "offenses"
    return brief(run, chosen, periods, notices, third, charts)


def available_charts(run: data.PublishedRun) -> dict[str, str]:
    """Third-chart choices the published data support."""
    charts = {"offenses": THIRD_CHARTS["offenses"]}
    if data.indicator(run.run_id, "any_treatment_share") is not None:
        charts["treatment"] = THIRD_CHARTS["treatment"]
    if data.indicator(run.run_id, "health_events_per_person_year") is not None:
        charts["overdoses"] = THIRD_CHARTS["overdoses"]
    return charts


def brief(
    run: data.PublishedRun,
    period: kpis.Period,
    periods: list[kpis.Period],
    notices: list[Component],
    third: str = "offenses",
    charts: dict[str, str] | None = None,
) -> Component:
    threshold = settings.get("SUPPRESSION_THRESHOLD")
    tiles = kpis.kpis(run, period)
    link = f"{base_url()}{PATH}?{urlencode(_state(period.key, third))}"
    as_of = f"{run.finished_at:%B %-d, %Y}"
    header = html.Header(
        className="brief__header",
        children=[
            html.H1(f"LEAD in Belltown: council briefing, {period.label}"),
            html.P(
                [
                    f"{period.long_label}. As of {as_of}; data version ",
                    html.Code(run.run_id, className="brief__run"),
                    ".",
                ],
                className="brief__asof",
            ),
            *(
                [
                    html.P(
                        html.Strong(f"{DEMO_LABEL}: program figures are synthetic."),
                        className="demo-label",
                    )
                ]
                if run.program_is_synthetic
                else []
            ),  # fmt: skip
        ],
    )
    return html.Div(
        className="page brief",
        id="brief",
        **data_attributes(period=period.key, run=run.run_id),
        children=[
            *notices,
            _controls(period, periods, third, charts or {"offenses": THIRD_CHARTS["offenses"]}),
            html.Section(
                className="brief-slide brief__summary",
                **aria(label="Key figures and findings"),
                children=[
                    header,
                    html.Ul(
                        [_tile(k) for k in tiles],
                        className="brief__kpis",
                        **aria(label="Key figures"),
                    ),
                ],
            ),
            # Its own slide when presenting (one screen cannot hold the tiles and these).
            html.Section(
                className="brief-slide brief__findings",
                **aria(label="In brief"),
                children=[
                    html.H2("In brief", className="brief__heading"),
                    html.Ul(
                        [html.Li(k.brief_sentence) for k in tiles], className="brief__narrative"
                    ),
                    _slide_provenance(run, program=True, police=True),
                ],
            ),
            html.Div(
                className="brief__charts",
                children=[
                    _chart_slide(*_enrollment_chart(run, period), _slide_provenance(run, True)),
                    _chart_slide(*_effects_chart(run), _slide_provenance(run, True)),
                    _chart_slide(
                        *_third_chart(run, period, third),
                        _slide_provenance(
                            run, program=third != "offenses", police=third == "offenses"
                        ),
                    ),
                ],
            ),
            html.Footer(
                className="brief__footer",
                children=[
                    html.P(
                        [
                            html.Strong("Keep in mind: "),
                            CAVEATS,
                            " Ranges are 95% ",
                            term("confidence intervals", "confidence-interval"),
                            ".",
                        ]
                    ),
                    html.P(
                        [
                            html.Strong("Privacy: "),
                            f"a program figure based on fewer than {threshold} people is ",
                            term("withheld", "suppressed"),
                            ". So are others where needed, so it cannot be worked out. No "
                            "record about a person is published.",
                        ]
                    ),
                    html.P([html.Strong("Sources: "), _sources(run)], className="brief__sources"),
                    html.Div(
                        className="brief__link",
                        children=[
                            html.Img(
                                src=segno.make(link, error="m").svg_data_uri(scale=2, border=1),
                                alt="QR code linking to this briefing online",
                                className="brief__qr",
                            ),
                            html.P(
                                [
                                    "Live version and all data: ",
                                    html.A(link, href=link, className="brief__url"),
                                ]
                            ),
                        ],
                    ),
                ],
            ),
        ],
    )


def _controls(
    period: kpis.Period, periods: list[kpis.Period], third: str, charts: dict[str, str]
) -> Component:
    return html.Div(
        className="brief__controls",
        children=[
            html.Div(
                className="control",
                children=[
                    html.Label("Third chart", htmlFor=CHART_ID),
                    dbc.Select(
                        id=CHART_ID,
                        options=[{"label": v, "value": k} for k, v in charts.items()],
                        value=third,
                        className="select",
                    ),
                ],
            ),
            html.Div(
                className="control",
                children=[
                    html.Label("Period", htmlFor=PERIOD_ID),
                    dbc.Select(
                        id=PERIOD_ID,
                        options=[{"label": p.label, "value": p.key} for p in periods],
                        value=period.key,
                        className="select",
                    ),
                ],
            ),
            html.Div(
                className="brief__actions",
                children=[
                    html.Button(
                        "Print",
                        type="button",
                        className="share-button",
                        **data_attributes(print="1"),
                    ),
                    html.A(
                        "Download PDF",
                        href=f"/briefing.pdf?{urlencode(_state(period.key, third))}",
                        className="share-button brief__pdf",
                    ),
                    html.Button(
                        "Present",
                        type="button",
                        className="share-button",
                        **data_attributes(present="brief"),
                    ),
                ],
            ),
        ],
    )


def _tile(kpi: kpis.Kpi) -> Component:
    return html.Li(
        className="brief__kpi" + (" brief__kpi--withheld" if kpi.withheld else ""),
        children=[
            html.Span(kpi.label, className="brief__kpi-label"),
            html.Strong(kpi.value, className="brief__kpi-value"),
            html.Span(kpi.detail, className="brief__kpi-detail"),
        ],
    )


def _slide_provenance(run: data.PublishedRun, program: bool, police: bool = False) -> Component:
    """What a slide shown alone must carry (the footer is not on screen when presenting):
    the demonstration label when its figures come from a synthetic extract, and the
    sources of its figures (program records, the neighborhood data, or both)."""
    parts: list[Component | str] = []
    if program and run.program_is_synthetic:
        parts.append(html.Strong(f"{DEMO_LABEL}. ", className="demo-label"))
    names = []
    if program:
        names.append(
            "LEAD program records"
            + (" (synthetic demonstration extract)" if run.program_is_synthetic else "")
        )
    if police:
        names += sorted(
            {s.publisher for s in run.sources if not s.source_id.startswith("program_")}
        )
    parts.append(f"Source: {'; '.join(names)}; data version {run.run_id}.")
    return html.P(parts, className="brief__slide-source")


def _chart_slide(
    title: str, figure: go.Figure | None, caption: str, provenance: Component | None = None
) -> Component:
    body: Component = (
        dcc.Graph(
            figure=figure,
            config=GRAPH_CONFIG,
            className="brief__graph",
        )
        if figure is not None
        else html.P("No data for this period in the current extract.", className="notice")
    )
    return html.Section(
        className="brief-slide brief__chart",
        **aria(label=title),
        children=[html.H2(title, className="brief__heading"), provenance, html.Figure(
            [body, html.Figcaption(caption, className="brief__caption")]
        )],
    )  # fmt: skip


def _compact(figure: go.Figure) -> go.Figure:
    """The print style: a third of a page wide, every text at least 12 px (9 pt at 100%
    scale), the legend above the plot (never over the axis), numbers on the bars, and
    category labels thinned to fit. Presenting restyles it for the screen (present.js)."""
    figure.update_layout(
        height=CHART_HEIGHT,
        margin={"l": 8, "r": 8, "t": 40, "b": 8},
        legend={
            "orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom",
            "font": {"size": PRINT_FONT_PX},
        },
        font={"size": PRINT_FONT_PX},
        title=None,
    )  # fmt: skip
    figure.update_xaxes(
        tickfont={"size": PRINT_FONT_PX}, title_font={"size": PRINT_FONT_PX}, automargin=True
    )
    figure.update_yaxes(
        tickfont={"size": PRINT_FONT_PX}, title_font={"size": PRINT_FONT_PX}, automargin=True,
        nticks=5,
    )  # fmt: skip
    y_range = figure.layout.yaxis.range
    if y_range is not None and y_range[1] < 0:  # a forest plot: rows named above, reversed
        # Room above the first row for its name and number at this height: the top of the
        # range, t, solves -t * plot / (r0 - t) = need (px above the first row's marker).
        need = 2 * (PRINT_FONT_PX + 3) + 9 + 8  # two lines, the shift and a gap, in px
        plot = CHART_HEIGHT - 40 - 60  # less the top margin and the axis and its title
        top = -need * y_range[0] / max(plot - need, 1)
        figure.update_yaxes(range=[y_range[0], min(top, y_range[1])])
    for annotation in figure.layout.annotations or ():
        size = annotation.font.size if annotation.font and annotation.font.size else 0
        annotation.font.size = max(size, PRINT_FONT_PX)
        if annotation.xref == "x" and annotation.text:  # "LEAD begins, Oct 2011": fits
            annotation.text = annotation.text.split(",")[0]
    for trace in figure.data:
        if trace.type == "bar":
            categories = len(trace.x) if trace.x is not None else 0
            values = list(trace.y) if trace.y is not None else []
            trace.update(
                text=[f"{v:,.0f}" if _finite(v) else "" for v in values],  # withheld: none
                texttemplate="%{text}", textposition="outside", cliponaxis=False,
                textfont={"size": PRINT_FONT_PX},
            )  # fmt: skip
            if categories > 5:  # every other quarter, on two lines: they fit a third of a page
                labels = list(trace.x)[(categories - 1) % 2 :: 2]  # the latest is labeled
                figure.update_xaxes(
                    tickvals=labels, ticktext=[str(x).replace(" ", "<br>") for x in labels],
                    tickangle=0,
                )  # fmt: skip
    return figure


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _enrollment_chart(
    run: data.PublishedRun, period: kpis.Period
) -> tuple[str, go.Figure | None, str]:
    title = "People referred each quarter"
    frame = data.observations(run.run_id, "referrals")
    totals = frame[(frame["breakdown_value"] == "") & (frame["period_start_date"] <= period.end)]
    totals = totals.sort_values("period_start_date").tail(BAR_QUARTERS)
    if totals.empty:
        return title, None, "No referrals are published for this period."
    figure = figures.category_bars_figure(
        totals, "breakdown_value", lambda _c: "All referrals", "people", summaries.quarter_label
    )
    shown = totals[~totals["is_suppressed"]]
    withheld = int(totals["is_suppressed"].sum())
    caption = f"{int(shown['value'].sum()):,} referrals in the {len(shown)} quarters shown" + (
        f"; {withheld} withheld (fewer than {settings.get('SUPPRESSION_THRESHOLD')} people)."
        if withheld
        else "."
    )
    return title, _compact(figure), caption


def _effects_chart(run: data.PublishedRun) -> tuple[str, go.Figure | None, str]:
    title = "Arrests and jail after entry: LEAD vs comparison"
    if data.indicator(run.run_id, recidivism.HEADLINE_INDICATOR) is None:
        return title, None, "The comparison is not published in this data version."
    frame = recidivism_effects.after_entry_rows(run, ("weighted",), short=True)
    figure = row_figures.forest_figure(
        frame, lambda label: label.split(":")[0], x_title="ratio (log scale)"
    )
    caption = "Weighted for differences at entry. Below 1 = fewer for LEAD; 95% intervals."
    return title, _compact(figure), caption


def _offences_chart(
    run: data.PublishedRun, period: kpis.Period
) -> tuple[str, go.Figure | None, str]:
    title = f"Reported {kpis.QOL_GROUP} offenses, 12-month average"
    years = data.years(run.run_id, "reported_offenses")
    if not years:
        return title, None, "No offense data in this data version."
    last = min(period.end.year, years[-1])
    first = max(years[0], last - 9)
    areas = tuple(data.areas(run.run_id, "reported_offenses"))
    figure, summary, _table, _footer, _notice = quality_of_life_trend.trend_parts(
        run, kpis.QOL_GROUP, "count", "rolling", areas, first, last
    )
    return title, _compact(figure), f"{first} to {last}. " + summary.split(". ")[0] + "."


def _sources(run: data.PublishedRun) -> str:
    """One short line per publisher (program files are one source)."""
    entries: dict[str, set[str]] = {}
    for source in run.sources:
        if source.source_id.startswith("program_"):
            name = "LEAD program records" + (
                " (synthetic demonstration extract)" if source.is_synthetic else ""
            )
            entries.setdefault(name, set())
        else:
            publisher = "Synthetic" if source.is_synthetic else source.publisher
            entries.setdefault(publisher, set()).add(source.title)
    parts = [
        f"{publisher} ({'; '.join(sorted(titles))})" if titles else publisher
        for publisher, titles in entries.items()
    ]
    return "; ".join(parts) + ". Evaluation: Collins, Lonczak & Clifasefi (2017)."


def _state(period: str, third: str) -> dict[str, str]:
    return {"period": period} | ({"chart": third} if third != "offenses" else {})


@callback(
    Output("url", "search"),
    Input(PERIOD_ID, "value"),
    Input(CHART_ID, "value"),
    prevent_initial_call=True,
)
def choose_period(value: object, third: object) -> str:
    """A new period or chart reloads the brief for it (the URL is the brief's state)."""
    if not isinstance(value, str) or kpis.parse_period(value) is None:
        raise PreventUpdate
    chart = third if isinstance(third, str) and third in THIRD_CHARTS else "offenses"
    return f"?{urlencode(_state(value, chart))}"


def _third_chart(
    run: data.PublishedRun, period: kpis.Period, third: str
) -> tuple[str, go.Figure | None, str]:
    if third == "treatment":
        figure, summary, _table, _footer = drug_use.treatment_card(run)
        return "Drug treatment by month since referral", _compact(figure), summary
    if third == "overdoses":
        figure, summary, _table, _footer = drug_use.health_card(run)
        return "Overdoses and emergency visits", _compact(figure), summary.split(". ")[0] + "."
    return _offences_chart(run, period)
