"""The served HTML written from component trees (``dashboard.prerender``), the router's
reading of paths and queries, and the static chart helpers."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pytest
from dash import dcc, html
from hypothesis import given
from hypothesis import strategies as st

from dashboard import router, static_charts
from dashboard.components.chart_card import aria
from dashboard.components.share import view_state
from dashboard.prerender import Renderer, css, to_html


def test_html_components_are_their_tags_with_react_props_as_attributes() -> None:
    tree = html.Section(
        id="card",
        className="chart-card",
        **aria(labelledby="card-title"),
        children=[
            html.H2("Robbery <by> month", id="card-title"),
            html.Label("Year", htmlFor="year"),
            html.Div(tabIndex="0", role="region", style={"marginTop": 4, "display": "none"}),
            html.Details([html.Summary("Show"), html.Br()], open=True),
            html.A("CSV", href="/download/x.csv?a=1&b=2", download=""),
        ],
    )
    assert to_html(tree) == (
        '<section class="chart-card" id="card" aria-labelledby="card-title">'
        '<h2 id="card-title">Robbery &lt;by&gt; month</h2>'
        '<label for="year">Year</label>'
        '<div role="region" tabindex="0" style="margin-top:4px;display:none"></div>'
        "<details open><summary>Show</summary><br></details>"
        '<a download="" href="/download/x.csv?a=1&amp;b=2">CSV</a>'
        "</section>"
    )


def test_styles_follow_react_units() -> None:
    assert css({"fontSize": 12, "lineHeight": 1.5, "zIndex": 3, "width": "50%", "margin": 0}) == (
        "font-size:12px;line-height:1.5;z-index:3;width:50%;margin:0"
    )
    assert css(None) == ""


def test_controls_are_the_elements_the_browser_renders_with_their_values() -> None:
    select = dbc.Select(
        id="year", options=[{"label": "2010", "value": "2010"}, {"label": "2011", "value": "2011"}]
    )
    select.value = "2011"
    assert to_html(select) == (
        '<select class="form-select" id="year"><option value="2010">2010</option>'
        '<option value="2011" selected>2011</option></select>'
    )
    radios = dbc.RadioItems(
        id="m", options=[{"label": "Count", "value": "c"}, {"label": "Index", "value": "i"}]
    )
    radios.value = "i"
    markup = to_html(radios)
    assert markup.count('type="radio"') == 2
    assert 'value="i" checked' in markup and 'value="c" checked' not in markup
    boxes = dbc.Checklist(id="a", options=[{"label": "A", "value": "a"}], value=["a"])
    assert 'type="checkbox"' in to_html(boxes) and "checked" in to_html(boxes)
    field = dcc.Textarea(id="t", value="<iframe>", readOnly=True)
    assert to_html(field) == '<textarea id="t" readonly>&lt;iframe&gt;</textarea>'
    assert to_html([dcc.Store(id="s", data=1), dcc.Location(id="url")]) == ""


def test_a_chart_is_its_static_svg_in_a_box_of_the_figure_height() -> None:
    graph = dcc.Graph(id="g", figure={"data": [], "layout": {"height": 300}}, className="x")
    drawn = Renderer(chart=lambda _g: "<svg></svg>").render(graph)
    assert drawn == (
        '<div class="dash-graph x" id="g"><div class="ssr-chart" style="height:300px">'
        "<svg></svg></div></div>"
    )
    pending = to_html(dcc.Graph(id="h"))
    assert 'class="ssr-chart ssr-chart--pending" style="height:450px"' in pending


def test_slots_fill_the_parts_built_when_opened() -> None:
    tree = html.Div([html.Div(id="table"), html.Div(id="share")])
    renderer = Renderer(slots={"table": "<table></table>", "share": html.P("Cite")})
    assert renderer.render(tree) == (
        '<div><div id="table"><table></table></div><div id="share"><p>Cite</p></div></div>'
    )


def test_an_unknown_component_library_fails_loudly() -> None:
    with pytest.raises(TypeError, match="no HTML form"):
        to_html(dcc.Slider(min=0, max=1))


@given(st.text())
def test_text_never_becomes_markup(text: str) -> None:
    markup = to_html(html.P(text, title=text))
    assert "<" not in markup[3:-4]
    assert markup.count('"') == 2


def test_paths_name_pages_and_embeds() -> None:
    page, arguments = router.find("/quality-of-life/")  # type: ignore[misc]
    assert page.path == "/quality-of-life" and arguments == {}
    embed, arguments = router.find("/embed/qol-trend")  # type: ignore[misc]
    assert embed is router.EMBED and arguments == {"card": "qol-trend"}
    assert router.find("/embed/nothing") is None
    assert router.find("/nowhere") is None


def test_queries_become_page_arguments_a_repeated_one_a_list() -> None:
    assert router.query_arguments("a=1&b=&c=x&c=y") == {"a": "1", "b": "", "c": ["x", "y"]}


def test_a_views_state_is_its_control_values() -> None:
    inputs = (("group", "value"), ("areas", "value"), ("card", "id"), ("none", "value"))
    values = ["robbery", ["belltown", "capitol-hill"], "card", None]
    assert view_state(inputs, values) == {"group": "robbery", "areas": "belltown,capitol-hill"}


def test_an_exported_svg_scales_to_its_box_and_is_hidden_from_screen_readers() -> None:
    svg = '<svg class="main-svg" xmlns="http://www.w3.org/2000/svg" width="340" height="420">'
    out = static_charts.responsive(svg + "</svg>", 340, 420)
    assert out.startswith(
        '<svg viewBox="0 0 340 420" width="100%" height="100%" '
        'preserveAspectRatio="xMidYMid meet" aria-hidden="true" focusable="false" '
        'class="main-svg"'
    )
    assert 'width="340"' not in out


def test_a_figure_is_keyed_by_its_content() -> None:
    figure = {"data": [{"type": "bar", "y": [1, 2]}], "layout": {"height": 300}}
    first = static_charts.chart_source(figure)
    assert first is not None and first.height == 300
    same = static_charts.chart_source(
        {"layout": {"height": 300}, "data": [{"y": [1, 2], "type": "bar"}]}
    )
    assert same is not None and same.key == first.key
    other = static_charts.chart_source({"data": [{"type": "bar", "y": [1, 3]}]})
    assert other is not None and other.key != first.key and other.height == 450
    assert static_charts.chart_source({"data": [], "layout": {}}) is None
