"""The chart card: every chart on the site is shown through this component.

A card is a ``<section>`` with a title, a one-line subtitle, optional controls, the figure
inside a ``<figure>`` whose ``<figcaption>`` is the generated summary sentence (the chart's
text alternative), a "Show data table" toggle (a native ``<details>`` element, so it works
with keyboard and screen readers and without JavaScript callbacks), and a footer with
source, period, last refresh, caveats and what a withheld value means.
"""

from __future__ import annotations

import html as html_text
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import dash
import pandas as pd
import plotly.graph_objects as go
from dash import Output, dcc, html
from dash.development.base_component import Component

from dashboard.components.share import Share, data_attributes
from dashboard.data import SourceRecord
from dashboard.figures import WITHHELD_TEXT
from dashboard.glossary import term
from dashboard.prerender import to_html
from etl.sources.common import display_name

# A data table: escaped HTML markup (data_table), or a component (a line saying why
# there is none).
TableContent = Component | str
# What a card shows: figure, summary sentence, data table, footer parts.
CardContent = tuple[go.Figure, str, TableContent, list[Component]]
DEMO_LABEL = "Demonstration data, not real participants"
SYNTHETIC_SAMPLE_LABEL = "Synthetic sample data, not real records"
# No Plotly mode bar: its camera saves an image without title, source or demonstration
# label, and its "share" offers an upload to a third-party cloud. The card's own download
# (assets/share.js) is the one way to get an image; zoom and pan stay on the chart itself.
# Until its callback answers, a chart is blank (no made-up axes from -1 to 6).
BLANK_FIGURE = {"data": [], "layout": {"xaxis": {"visible": False}, "yaxis": {"visible": False}}}
GRAPH_CONFIG: dcc.Graph.Config = {"displayModeBar": False, "displaylogo": False, "responsive": True}


@dataclass(frozen=True)
class CardIds:
    """One card: its id, heading and subheading, and the component ids derived from the
    id (one place, no typos). Every card is registered in :data:`CARDS` by id (embeds)."""

    card_id: str
    heading: str = ""
    subheading: str = ""

    def __post_init__(self) -> None:
        CARDS[self.card_id] = self

    @property
    def share(self) -> str:
        return f"{self.card_id}-share"

    @property
    def title(self) -> str:
        return f"{self.card_id}-title"

    @property
    def graph(self) -> str:
        return f"{self.card_id}-graph"

    @property
    def summary(self) -> str:
        return f"{self.card_id}-summary"

    @property
    def table(self) -> str:
        return f"{self.card_id}-table"

    @property
    def footer(self) -> str:
        return f"{self.card_id}-footer"

    @property
    def notice(self) -> str:
        return f"{self.card_id}-notice"

    @property
    def provenance(self) -> str:
        return f"{self.card_id}-provenance"

    @property
    def table_details(self) -> str:
        return f"{self.card_id}-table-details"

    @property
    def table_store(self) -> str:
        return f"{self.card_id}-table-html"

    @property
    def share_details(self) -> str:
        return f"{self.card_id}-share-details"

    def outputs(self) -> list[Output]:
        """The view's callback outputs, in the order :meth:`CardParts.view` returns them.
        The data table and the share panel are built when opened
        (:mod:`dashboard.components.card_callbacks`)."""
        return [
            Output(self.graph, "figure"),
            Output(self.summary, "children"),
            Output(self.footer, "children"),
            Output(self.notice, "children"),
            Output(self.provenance, "children"),
            Output(self.title, "children"),
        ]


CARDS: dict[str, CardIds] = {}


def chart_card(ids: CardIds, controls: Sequence[Component] = ()) -> html.Section:
    """The card's static shell; a callback fills it with :func:`card_parts`."""
    return html.Section(
        id=ids.card_id,
        className="chart-card",
        **aria(labelledby=ids.title),
        children=[
            html.H2(ids.heading, id=ids.title, className="chart-card__title"),
            # The demonstration label and source, first: shown above the chart where the
            # card travels alone (embeds, print), so no figure circulates without them.
            html.Div(id=ids.provenance, className="chart-card__provenance"),
            html.P(ids.subheading, className="chart-card__subtitle"),
            html.Div(list(controls), className="chart-card__controls") if controls else None,
            html.Div(id=ids.notice, className="chart-card__notice", role="status"),
            html.Figure(
                className="chart-card__figure",
                children=[
                    dcc.Loading(
                        dcc.Graph(
                            id=ids.graph,
                            figure=BLANK_FIGURE,
                            config=GRAPH_CONFIG,
                            className="chart-card__graph",
                        ),
                        type="circle",
                    ),
                    html.Figcaption(id=ids.summary, className="chart-card__summary"),
                ],
            ),
            # Built when opened (card_callbacks): the table as plain HTML from its store, the
            # share panel for the view drawn. The served page has both already (prerender).
            html.Details(
                id=ids.table_details,
                className="chart-card__table",
                **data_attributes(lazy="table"),
                children=[
                    html.Summary("Show data table"),
                    scroll_region(f"Data table: {ids.heading}", id=ids.table),
                    dcc.Store(id=ids.table_store),
                ],
            ),
            html.Div(
                className="chart-card__share",
                children=html.Details(
                    id=ids.share_details,
                    className="share-panel",
                    **data_attributes(lazy="share"),
                    children=[
                        html.Summary("Download, link, embed or cite this chart"),
                        html.Div(id=ids.share, className="share-panel__body"),
                    ],
                ),
            ),
            html.Footer(id=ids.footer, className="chart-card__footer"),
        ],
    )


def aria(**attributes: str) -> dict[str, Any]:
    """``aria(label="x")`` -> ``{"aria-label": "x"}``, for ``**`` into a Dash html component."""
    return {f"aria-{name}": value for name, value in attributes.items()}


def scroll_region(label: str, children: Component | None = None, **props: Any) -> html.Div:
    """A scrollable box that keyboard users can focus and screen readers can name."""
    return html.Div(
        children,
        className="table-scroll",
        tabIndex="0",
        role="region",
        **aria(label=label),
        **props,
    )


@dataclass(frozen=True)
class CardParts:
    """Everything a card shows for one view. ``share`` gives the card its download, link,
    embed and citation panel and a title naming the view drawn."""

    figure: go.Figure | dict[str, Any]
    summary: str
    table: TableContent
    footer: Sequence[Component]
    notice: str | None = None
    share: Share | None = None

    def view(self) -> tuple[object, ...]:
        """The view's outputs, in :meth:`CardIds.outputs` order."""
        return (
            self.figure,
            self.summary,
            list(self.footer),
            html.P(self.notice) if self.notice else None,
            provenance_strip(self.footer),
            self.share.heading if self.share is not None else dash.no_update,
        )

    def table_html(self) -> str:
        return self.table if isinstance(self.table, str) else to_html(self.table)


def card_parts(
    figure: go.Figure,
    summary: str,
    table: TableContent,
    footer: Sequence[Component],
    notice: str | None = None,
    share: Share | None = None,
) -> CardParts:
    """What a card's builder returns (:func:`card_callbacks.card_callback`)."""
    return CardParts(figure, summary, table, footer, notice, share)


def provenance_strip(footer: Sequence[Component]) -> list[Component]:
    """The footer's demonstration label (if any) and source line, for the top of the card."""
    strip: list[Component] = []
    for part in footer:
        classes = str(getattr(part, "className", "") or "")
        children = getattr(part, "children", None)
        first = children[0] if isinstance(children, list) and children else None
        if "demo-label" in classes:
            strip.append(html.P(part.children, className="demo-label"))
        elif getattr(first, "children", None) == "Source: ":
            strip.append(html.P(children, className="chart-card__source"))
    return strip


def data_table(frame: pd.DataFrame, caption: str, value_format: str = "{:,.0f}") -> str:
    """The table of :func:`table_component` as plain, escaped HTML (:func:`table_html`).

    Tables are plain HTML everywhere: in the served page (:mod:`dashboard.prerender`) and,
    once a reader opens one on the interactive page, written into its box by the browser
    from the same markup (``assets/lazy.js``). A few hundred rows as Dash components would
    be a few thousand components for Dash's renderer to track.
    """
    return table_html(frame, caption, value_format)


Cell = tuple[str, str, str]  # (tag, class, text)


def table_cells(frame: pd.DataFrame, value_format: str = "{:,.0f}") -> list[list[Cell]]:
    """Each body row's cells: the first column a row header, then ``withheld`` where
    ``frame.attrs["withheld"]`` marks a cell, text as text, missing as an en dash, numbers
    formatted. Reads the frame once as arrays (no per-cell indexing)."""
    withheld: pd.DataFrame | None = frame.attrs.get("withheld")
    values = frame.to_numpy(dtype=object)
    marks = (
        withheld.reindex(columns=frame.columns, fill_value=False).to_numpy(dtype=bool)
        if withheld is not None
        else None
    )
    rows = []
    for position, row in enumerate(values):
        cells: list[Cell] = [("th", "", str(row[0]))]
        for column_number in range(1, len(row)):
            value = row[column_number]
            if marks is not None and marks[position, column_number]:
                cells.append(("td", "cell--withheld", WITHHELD_TEXT))
            elif isinstance(value, str):
                cells.append(("td", "cell--text", value))
            elif value is None or pd.isna(value):
                cells.append(("td", "", "–"))
            else:
                cells.append(("td", "", value_format.format(value)))
        rows.append(cells)
    return rows


def table_component(frame: pd.DataFrame, caption: str, value_format: str = "{:,.0f}") -> html.Table:
    """An accessible HTML table of a wide frame: first column is the row header.

    Cells that are missing (withheld or not covered) show ``withheld`` when the frame marks
    them so in a parallel boolean frame ``frame.attrs["withheld"]``, else an en dash.
    """
    header = html.Thead(html.Tr([html.Th(str(c), scope="col") for c in frame.columns]))
    rows = [
        html.Tr(
            [
                html.Th(text, scope="row")
                if tag == "th"
                else html.Td(text, className=css)
                if css
                else html.Td(text)
                for tag, css, text in cells
            ]
        )
        for cells in table_cells(frame, value_format)
    ]
    return html.Table([html.Caption(caption), header, html.Tbody(rows)], className="data-table")


def table_html(frame: pd.DataFrame, caption: str, value_format: str = "{:,.0f}") -> str:
    """:func:`table_component` as escaped HTML, written directly."""
    escape = html_text.escape
    header = "".join(f'<th scope="col">{escape(str(c))}</th>' for c in frame.columns)
    body = []
    for cells in table_cells(frame, value_format):
        parts = []
        for tag, css, text in cells:
            if tag == "th":
                parts.append(f'<th scope="row">{escape(text)}</th>')
            elif css:
                parts.append(f'<td class="{css}">{escape(text)}</td>')
            else:
                parts.append(f"<td>{escape(text)}</td>")
        body.append(f"<tr>{''.join(parts)}</tr>")
    return (
        f'<table class="data-table"><caption>{escape(caption)}</caption><thead><tr>{header}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def source_footer(
    sources: Sequence[SourceRecord],
    period: str,
    refreshed: datetime,
    caveats: str,
    suppression_rule: str,
    run_id: str,
    threshold: int,
    has_withheld: bool,
) -> list[Component]:
    """Source, period, refresh time, caveats and the meaning of withheld values."""
    by_publisher: dict[str, dict[str, list[str]]] = {}
    for source in sources:
        files = by_publisher.setdefault(source.publisher, {}).setdefault(source.title, [])
        if source.period_covered:  # the files actually read, with what each covers
            files.append(f"{display_name(source.location)}, {source.period_covered}")
    titles = [
        f"{publisher}: "
        + ", ".join(
            f"“{title}”" + (f" ({'; '.join(files)})" if files else "")
            for title, files in sorted(names.items())
        )
        for publisher, names in sorted(by_publisher.items())
    ]
    items: list[Component] = []
    synthetic = [s for s in sources if s.is_synthetic]
    if synthetic:
        about_people = any(s.source_id.startswith("program_") for s in synthetic)
        label = DEMO_LABEL if about_people else SYNTHETIC_SAMPLE_LABEL
        items.append(html.P(html.Strong(label), className="demo-label"))
    items.extend(
        [
            html.P([html.Strong("Source: "), "; ".join(titles) or "–"]),
            html.P([html.Strong("Period: "), period]),
            html.P(
                [
                    html.Strong("Last refreshed: "),
                    html.Time(
                        refreshed.strftime("%B %-d, %Y, %H:%M UTC"), dateTime=refreshed.isoformat()
                    ),
                    f" (data version {run_id})",
                ]
            ),
            html.P([html.Strong("Keep in mind: "), caveats]),
            html.P([html.Strong("Privacy: "), suppression_rule]),
        ]
    )
    if has_withheld:
        items.append(
            html.P(
                [
                    html.Strong("Withheld values: "),
                    f"a value marked “{WITHHELD_TEXT}” (✕ on the chart) is based on fewer "
                    f"than {threshold} people and is not shown, to protect privacy (",
                    term("why some figures are withheld", "suppressed"),
                    ").",
                ]
            )
        )
    return items
