"""Sharing a chart: citation text, the permalink state round trip, the footer lines drawn
under an exported image, the data links, and the embed code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl, urlsplit

import dash_bootstrap_components as dbc
from dash import html
from hypothesis import given
from hypothesis import strategies as st

from dashboard.citation import citation_texts
from dashboard.components.chart_card import source_footer
from dashboard.components.controls import apply_view_state
from dashboard.components.share import (
    Share,
    data_links,
    embed_code,
    footer_texts,
    image_footer,
    permalink,
)
from dashboard.data import SourceRecord


@dataclass(frozen=True)
class Run:
    run_id: str = "20261128T194119Z-e4fbaf"
    finished_at: datetime = datetime(2026, 11, 28, 19, 41, tzinfo=UTC)


def test_citations_name_the_title_url_data_version_and_dates() -> None:
    texts = citation_texts(
        "Active participants",
        "https://x.test/p",
        Run(),
        synthetic=False,
        accessed=date(2026, 12, 1),
    )
    assert texts == {
        "short": (
            "Belltown LEAD transparency dashboard, “Active participants”, data version "
            "20261128T194119Z-e4fbaf (refreshed 2026-11-28), https://x.test/p"
        ),
        "full": (
            "Belltown LEAD transparency dashboard. (2026). Active participants [Data set; data "
            "version 20261128T194119Z-e4fbaf, last refreshed November 28, 2026, 19:41 UTC]. "
            "Retrieved December 1, 2026, from https://x.test/p"
        ),
    }


def test_citations_say_synthetic_only_when_the_figure_s_own_sources_are() -> None:
    synthetic = citation_texts("Referrals", "u", Run(), synthetic=True, accessed=date(2026, 12, 1))
    for text in synthetic.values():
        assert text.endswith("Synthetic demonstration data, not real records.")
    real = citation_texts("Robberies", "u", Run(), synthetic=False, accessed=date(2026, 12, 1))
    for text in real.values():
        assert "ynthetic" not in text


OPTION = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_|. &/é", min_size=1, max_size=12)


def controls_page(
    select_options: list[str], radio_options: list[str], check_options: list[str]
) -> html.Div:
    return html.Div(
        [
            html.H1("Page"),
            dbc.Select(id="qol-group", options=[{"label": o, "value": o} for o in select_options]),
            html.Div(
                dbc.RadioItems(
                    id="qol-measure", options=[{"label": o, "value": o} for o in radio_options]
                )
            ),
            dbc.Checklist(
                id="qol-areas", options=[{"label": o, "value": o} for o in check_options], value=[]
            ),
        ]
    )


@given(
    select_options=st.lists(OPTION, min_size=1, max_size=5, unique=True),
    radio_options=st.lists(OPTION, min_size=1, max_size=4, unique=True),
    check_options=st.lists(OPTION, min_size=1, max_size=5, unique=True),
    data=st.data(),
)
def test_a_permalink_restores_exactly_the_state_it_encodes(
    select_options: list[str],
    radio_options: list[str],
    check_options: list[str],
    data: st.DataObject,
) -> None:
    state = {
        "qol-group": data.draw(st.sampled_from(select_options)),
        "qol-measure": data.draw(st.sampled_from(radio_options)),
        "qol-areas": ",".join(
            data.draw(st.lists(st.sampled_from(check_options), min_size=1, unique=True))
        ),
    }
    link = permalink("qol-trend", state)
    parts = urlsplit(link)
    assert parts.path == "/quality-of-life" and parts.fragment == "qol-trend"
    decoded = dict(parse_qsl(parts.query, keep_blank_values=True))
    assert decoded == state

    page = apply_view_state(controls_page(select_options, radio_options, check_options), decoded)
    values = {c.id: c.value for c in _controls(page)}
    assert values == {
        "qol-group": state["qol-group"],
        "qol-measure": state["qol-measure"],
        "qol-areas": state["qol-areas"].split(","),
    }
    assert not any("page-notice" in str(getattr(c, "className", "")) for c in page.children)


def _controls(node: object) -> list:
    if isinstance(node, list):
        return [c for child in node for c in _controls(child)]
    if node is None or isinstance(node, str):
        return []
    found = [node] if isinstance(node, dbc.Select | dbc.RadioItems | dbc.Checklist) else []
    # (not ``children or []``: a Dash component with no children is falsy)
    return found + _controls(getattr(node, "children", None))


def test_invalid_link_parameters_keep_the_defaults_and_say_so() -> None:
    page = controls_page(["robbery", "burglary"], ["count", "index"], ["belltown", "other"])
    query = {"qol-group": "<script>", "qol-areas": "belltown,mars", "color": "red"}
    page = apply_view_state(page, query)
    values = {c.id: getattr(c, "value", None) for c in _controls(page)}
    assert values == {"qol-group": None, "qol-measure": None, "qol-areas": []}
    notice = page.children[1]
    assert notice.className == "notice page-notice" and notice.role == "status"
    text = notice.children[0].children
    assert "“<script>” is not a choice for “qol-group”" in text
    assert "“belltown,mars” is not a choice for “qol-areas”" in text
    assert "“color” is not a setting of this page" in text


def test_image_footer_lines_come_from_the_card_footer() -> None:
    source = SourceRecord(
        "spd_crime_nibrs", "SPD Crime Data", "City of Seattle", "x.csv", "open", False, 10, None
    )
    footer = source_footer(
        [source],
        "January 2010 to August 2021",
        datetime(2026, 11, 28, 19, 41, tzinfo=UTC),
        "Reported crime depends on reporting.",
        "Not suppressed: public records.",
        "20261128T194119Z-e4fbaf",
        11,
        has_withheld=False,
    )
    texts = footer_texts(footer)
    assert texts == {
        "Source": "City of Seattle: “SPD Crime Data”",
        "Period": "January 2010 to August 2021",
        "Last refreshed": "November 28, 2026, 19:41 UTC (data version 20261128T194119Z-e4fbaf)",
        "Privacy": "Not suppressed: public records.",
    }
    assert image_footer(texts, "https://x.test/p#c", synthetic=True) == [
        "SYNTHETIC DEMONSTRATION DATA: not real people or records.",
        "Source: City of Seattle: “SPD Crime Data”",
        "Period: January 2010 to August 2021. Last refreshed: November 28, 2026, 19:41 UTC "
        "(data version 20261128T194119Z-e4fbaf)",
        "Privacy: Not suppressed: public records.",
        "https://x.test/p#c",
    ]


def test_data_links_carry_the_filters_and_the_data_version() -> None:
    share = Share(
        "qol-trend", "T", ("reported_offenses",), {"breakdown": "robbery", "from": "2010"}
    )
    assert data_links(share, "20261128T194119Z-e4fbaf") == [
        (
            "CSV",
            "/download/reported_offenses.csv?breakdown=robbery&from=2010&run=20261128T194119Z-e4fbaf",
        ),
        (
            "Excel",
            "/download/reported_offenses.xlsx?breakdown=robbery&from=2010&run=20261128T194119Z-e4fbaf",
        ),
        (
            "JSON",
            "/api/v1/observations?indicator=reported_offenses&breakdown=robbery&from=2010"
            "&run=20261128T194119Z-e4fbaf",
        ),
    ]


def test_embed_code_is_an_escaped_titled_responsive_iframe_with_its_resize_script() -> None:
    code = embed_code('https://x.test/embed/qol-map?a=1&b="2"', 'Map "of" <Belltown>', "qol-map")
    assert code == (
        '<iframe src="https://x.test/embed/qol-map?a=1&amp;b=&quot;2&quot;" '
        'title="Map &quot;of&quot; &lt;Belltown&gt;" width="100%" height="1100" '
        'style="border:0;max-width:100%" loading="lazy"></iframe>\n'
        '<script src="https://x.test/assets/embed-host.js" async></script>'
    )
    tall = embed_code("https://x.test/embed/rec-balance", "Balance", "rec-balance")
    assert 'height="1900"' in tall
