"""The Flask/Dash server against a real published database (no browser): routes, status
codes, the read-only connection and callback validation."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import brotli
import dash
import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from dashboard.app_factory import PAGE_MODULES
from etl import pipeline
from etl.db import reader_engine
from tests.integration import card_views
from tests.integration.conftest import SAMPLE_NIBRS
from tests.integration.helpers import find_component, render_layout, render_page


@pytest.fixture
def client(app: dash.Dash, database_url: str, monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    monkeypatch.setenv("DATABASE_URL", database_url)
    pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
    return app.server.test_client()


ALL_AREAS = ["belltown", "capitol-hill", "downtown-commercial"]


def trend_request(
    group: object,
    measure: object,
    smoothing: object = "month",
    areas: object = ALL_AREAS,
    from_year: object = "2008",
    to_year: object = "2021",
    opened: bool = False,
) -> dict[str, object]:
    """The request the trend card's callback gets when a reader changes a control."""
    return card_views.view_request(
        "qol-trend",
        [
            {"id": "qol-offense-group", "property": "value", "value": group},
            {"id": "qol-measure", "property": "value", "value": measure},
            {"id": "qol-smoothing", "property": "value", "value": smoothing},
            {"id": "qol-areas", "property": "value", "value": areas},
            {"id": "qol-from-year", "property": "value", "value": from_year},
            {"id": "qol-to-year", "property": "value", "value": to_year},
        ],
        opened,
    )


def test_every_page_renders(client: FlaskClient) -> None:
    for module in PAGE_MODULES:
        response = client.get(module.PATH)
        assert response.status_code == 200, module.PATH
        assert b'<html lang="en">' in response.data


def test_unknown_path_is_a_plain_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Traceback" not in response.data
    assert b"404" in response.data


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", json.dumps({"output": "nope.children"}).encode()],
)
def test_malformed_callback_requests_get_400_without_traceback(
    client: FlaskClient, body: bytes
) -> None:
    client.get("/quality-of-life")
    response = client.post("/_dash-update-component", data=body, content_type="application/json")
    assert response.status_code == 400
    assert b"Traceback" not in response.data


def _without_state(body: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in body.items() if k != "state"}


def _extra_input(body: dict[str, object]) -> dict[str, object]:
    inputs = list(body["inputs"])  # type: ignore[call-overload]
    return {**body, "inputs": [*inputs, {"id": "x", "property": "value", "value": 1}]}


def _renamed_input(body: dict[str, object]) -> dict[str, object]:
    inputs = [dict(i) for i in body["inputs"]]  # type: ignore[attr-defined]
    inputs[0]["id"] = "qol-offense-group-x"
    return {**body, "inputs": inputs}


def _no_outputs(body: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in body.items() if k != "outputs"}


@pytest.mark.parametrize("mutate", [_without_state, _extra_input, _renamed_input, _no_outputs])
def test_callback_requests_that_do_not_match_their_callback_get_400(
    client: FlaskClient, mutate: object
) -> None:
    client.get("/quality-of-life")
    body = mutate(trend_request("robbery", "count"))  # type: ignore[operator]
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 400
    assert b"Traceback" not in response.data


def test_trend_callback_returns_the_published_counts(client: FlaskClient) -> None:
    client.get("/quality-of-life")
    response = client.post("/_dash-update-component", json=trend_request("robbery", "count"))
    assert response.status_code == 200
    payload = response.get_json()["response"]
    summary = payload["qol-trend-summary"]["children"]
    assert summary.startswith(
        "Belltown had 5.6 reported robbery offenses a month in the year before LEAD began "
        "(October 2010 to September 2011). In the year after, to September 2012, it had 4.0 "
        "(down 28%). Over the same two years, Capitol Hill went from 6.5 to 8.0 (up 23%) and "
        "Downtown Commercial from 13.1 to 16.3 (up 25%). Reported robbery offenses in "
        "Belltown stayed about the same"
    )
    assert payload["qol-trend-title"]["children"] == (
        "Reported offenses: Belltown and comparison neighborhoods — Robbery, each month"
    )
    traces = payload["qol-trend-graph"]["figure"]["data"]
    assert [t["name"] for t in traces] == ["Belltown", "Capitol Hill", "Downtown Commercial"]
    assert payload["qol-trend-notice"]["children"] is None


@pytest.mark.parametrize(
    ("group", "measure", "notice"),
    [
        ("<script>", "count", "is not a known offense group; showing Robbery instead."),
        ("robbery", "per-capita", "is not a known measure; showing Number of offenses instead."),
        (12, "count", "“12” is not a known offense group"),
    ],
)
def test_unknown_filter_values_fall_back_with_a_notice(
    client: FlaskClient, group: object, measure: object, notice: str
) -> None:
    client.get("/quality-of-life")
    response = client.post("/_dash-update-component", json=trend_request(group, measure))
    assert response.status_code == 200
    notice_component = response.get_json()["response"]["qol-trend-notice"]["children"]
    assert notice in notice_component["props"]["children"]


def test_the_site_connection_cannot_write(database_url: str) -> None:
    pipeline.run(database_url=database_url, nibrs_sources=SAMPLE_NIBRS)
    engine = reader_engine(database_url)
    try:
        refused = r"(?i)read-only|readonly|not authorized|permission denied"
        with pytest.raises(DBAPIError, match=refused), engine.begin() as conn:
            conn.execute(text("DELETE FROM observation"))
        with engine.connect() as conn:
            remaining = conn.execute(text("SELECT COUNT(*) FROM observation")).scalar_one()
        assert remaining == 2037  # monthly, index, 12-month averages, area effects, grid, yearly
        if database_url.startswith("sqlite"):
            # Nor can it open (and so create) another file, or load an extension.
            folder = Path(make_url(database_url).database or "").parent
            for statement in (
                f"ATTACH '{folder / 'planted.db'}' AS planted",
                "SELECT load_extension('anything')",
                "PRAGMA query_only = OFF",
            ):
                with pytest.raises(DBAPIError, match=refused), engine.connect() as conn:
                    conn.execute(text(statement))
            assert not (folder / "planted.db").exists()
    finally:
        engine.dispose()


def test_pages_say_no_data_yet_before_the_first_run(
    app: dash.Dash, tmp_path: os.PathLike[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/never-created.db")
    client = app.server.test_client()
    assert client.get("/quality-of-life").status_code == 200
    assert "No data published yet." in _footer_and_notice(client)
    page = render_page(client, "/quality-of-life")
    assert "This section is not published yet" in json.dumps(page)


def _served(html: str) -> tuple[str, dict[str, object]]:
    """A served page's static content and the layout it carries for Dash."""
    static = html.split('<div id="ssr" class="ssr">', 1)[1].split(
        '<script type="application/json"'
    )[0]
    carried = re.search(
        r'<script type="application/json" id="_page-layout"[^>]*>(.*?)</script>', html, re.S
    )
    assert carried is not None
    return static, json.loads(carried.group(1))


def test_the_served_page_holds_its_default_view_and_the_layout_it_becomes(
    client: FlaskClient,
) -> None:
    html = client.get("/quality-of-life").get_data(as_text=True)
    static, layout = _served(html)
    summary = find_component(layout, "qol-trend-summary")
    assert summary is not None
    sentence = summary["props"]["children"]
    assert sentence.startswith("Each point is the average of that month and the 11 before.")
    assert sentence.replace("'", "&#x27;") in static  # the same words before the script runs
    # Navigation, footer and the data table are in the page itself, not filled in later.
    assert '<a class="is-current" href="/quality-of-life">Quality of life' in static
    assert "Data last refreshed" in static
    table = static.split('id="qol-trend-table"', 1)[1].split("</table>", 1)[0]
    assert "<caption>" in table and table.count("<tr>") > 100
    # The layout Dash renders has the charts drawn but not the tables (built when opened).
    figure = find_component(layout, "qol-trend-graph")["props"]["figure"]  # type: ignore[index]
    assert [t["name"] for t in figure["data"][:3]] == [
        "Belltown",
        "Capitol Hill",
        "Downtown Commercial",
    ]
    assert find_component(layout, "qol-trend-table")["props"].get("children") is None  # type: ignore[index]
    config = re.search(
        r'<script id="_dash-config" type="application/json">(.*?)</script>', html, re.S
    )
    assert config is not None and "validation_layout" not in json.loads(config.group(1))
    # No callback fires on load: every callback waits for a reader's change.
    dependencies = client.get("/_dash-dependencies").get_json()
    assert dependencies and all(d.get("prevent_initial_call") for d in dependencies)


def test_default_pages_are_cached_compressed_and_never_name_the_requests_host(
    client: FlaskClient,
) -> None:
    first = client.get("/enrollment", headers={"Host": "evil.example", "Accept-Encoding": "br"})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "br"
    assert first.headers["Cache-Control"] == "public, max-age=60, s-maxage=300"
    plain = client.get("/enrollment", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert brotli.decompress(first.data) == plain.data
    assert b"evil.example" not in plain.data
    assert b'content="http://127.0.0.1:8050/enrollment"' in plain.data
    again = client.get(
        "/enrollment", headers={"If-None-Match": plain.headers["ETag"], "Accept-Encoding": ""}
    )
    assert again.status_code == 304


def test_period_and_area_selection_and_no_data_message(client: FlaskClient) -> None:
    client.get("/quality-of-life")
    only_belltown = client.post(
        "/_dash-update-component",
        json=trend_request(
            "robbery", "count", areas=["belltown"], from_year="2010", to_year="2012"
        ),
    ).get_json()["response"]
    traces = only_belltown["qol-trend-graph"]["figure"]["data"]
    assert [t["name"] for t in traces] == ["Belltown"]
    assert traces[0]["x"][0].startswith("2010-01-01") and traces[0]["x"][-1].startswith(
        "2012-12-01"
    )
    assert len(traces[0]["x"]) == 36

    nothing = client.post(
        "/_dash-update-component", json=trend_request("robbery", "count", areas=[])
    ).get_json()["response"]
    assert (
        nothing["qol-trend-summary"]["children"]
        == "No data for this period in the current extract."
    )

    rolling = client.post(
        "/_dash-update-component", json=trend_request("robbery", "count", smoothing="rolling")
    ).get_json()["response"]
    assert rolling["qol-trend-summary"]["children"].startswith(
        "Each point is the average of that month and the 11 before. Belltown had 5.6"
    )
    first_x = rolling["qol-trend-graph"]["figure"]["data"][0]["x"][0]
    assert first_x.startswith("2008-12-01"), "the first full 12-month window ends in December 2008"


def _footer_and_notice(client: FlaskClient) -> str:
    layout = render_layout(client, "/")
    parts = [find_component(layout, "site-footer"), find_component(layout, "stale-notice")]
    assert all(part is not None for part in parts)
    return json.dumps(parts)


def test_stale_and_failed_refresh_notices(
    client: FlaskClient, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    assert "last refreshed on" not in _footer_and_notice(client)

    monkeypatch.setenv("STALE_AFTER_HOURS", "-1")
    assert "more than -1 hours ago" in _footer_and_notice(client)
    monkeypatch.setenv("STALE_AFTER_HOURS", "48")

    with pytest.raises(pipeline.RunFailed):
        pipeline.run(database_url=database_url, nibrs_sources=["/nonexistent/spd.csv"])
    assert "The latest data refresh did not complete" in _footer_and_notice(client)


def test_the_card_csv_holds_exactly_the_rows_the_chart_draws(client: FlaskClient) -> None:
    import csv
    import io

    request = trend_request(
        "robbery",
        "count",
        areas=["belltown", "capitol-hill"],
        from_year="2011",
        to_year="2012",
        opened=True,
    )
    payload = client.post("/_dash-update-component", json=request).get_json()["response"]
    traces = payload["qol-trend-graph"]["figure"]["data"]
    drawn = {
        (trace["name"], x[:7], float(y))
        for trace in traces
        if trace.get("type", "scatter") == "scatter"
        and trace["name"] in ("Belltown", "Capitol Hill")
        for x, y in zip(card_views.values(trace["x"]), card_views.values(trace["y"]), strict=True)
    }
    links = card_views.links(payload["qol-trend-share"]["children"])
    csv_link = next(link for link in links if link.startswith("/download/reported_offenses.csv?"))
    assert "breakdown=robbery" in csv_link and "run=" in csv_link
    text = client.get(csv_link).get_data(as_text=True)
    rows = list(
        csv.DictReader(io.StringIO("\n".join(x for x in text.splitlines() if x[:1] != "#")))
    )
    names = {"belltown": "Belltown", "capitol-hill": "Capitol Hill"}
    exported = {(names[r["area"]], r["period_start"][:7], float(r["value"])) for r in rows}
    assert len(rows) == 48  # 2 areas x 24 months
    assert exported == drawn
    assert {link.split("?")[0] for link in links} == {
        "/download/reported_offenses.csv",
        "/download/reported_offenses.xlsx",
        "/api/v1/observations",
    }


def test_embed_routes_exist_only_for_known_cards(client: FlaskClient) -> None:
    assert client.get("/embed/qol-map").status_code == 200
    assert client.get("/embed/rec-effects?rec-share-event=felony").status_code == 200
    for path in ("/embed/nope", "/embed/", "/embed", "/embed/qol-map/extra", "/embed/qol-group"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Traceback" not in response.get_data(as_text=True)


def test_every_page_has_a_social_preview(client: FlaskClient) -> None:
    import re

    for module in PAGE_MODULES:
        html = client.get(module.PATH).get_data(as_text=True)
        meta = dict(re.findall(r'<meta property="(og:[a-z]+)" content="([^"]*)"', html))
        assert meta["og:title"].startswith(module.TITLE), module.PATH
        assert meta["og:description"], module.PATH
        assert meta["og:image"].endswith("/assets/app.png"), module.PATH
        assert len(re.findall(r'<meta name="description"', html)) == 1, module.PATH
    image = client.get("/assets/app.png")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data[16:24] == (1200).to_bytes(4, "big") + (630).to_bytes(4, "big")


def test_the_data_and_api_pages_link_every_download(client: FlaskClient) -> None:
    data_page = client.get("/data")
    assert data_page.status_code == 200
    layout = render_page(client, "/data")
    links = card_views.links(layout)
    assert any(link.startswith("/download/bundle.zip?run=") for link in links)
    assert any(link.startswith("/download/reported_offenses.csv?run=") for link in links)
    assert any(link.startswith("/download/reported_offenses.xlsx?run=") for link in links)
    for link in links:
        if link.startswith(("/download/", "/api/v1/")):
            assert client.get(link).status_code == 200, link


def test_the_briefing_pdf_says_clearly_when_chromium_is_missing(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHROMIUM_PATH", "/nonexistent/chromium")
    response = client.get("/briefing.pdf?period=2014-Q3")
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "needs headless Chromium at /nonexistent/chromium, which is not installed" in text
    assert "Print" in text and "Traceback" not in text
    for bad in ("period=2014-Q5", "period=yesterday", "paper=legal", "size=big"):
        response = client.get(f"/briefing.pdf?{bad}")
        assert response.status_code == 400, bad
        assert "Traceback" not in response.get_data(as_text=True)


def test_the_briefing_layout_for_a_period_and_a_bad_period(client: FlaskClient) -> None:
    def brief(search: str) -> str:
        return json.dumps(render_page(client, "/briefing", search))

    # The fixture publishes neighbourhood data only: periods are complete quarters of it.
    text = brief("?period=2015-Q2")
    assert "council briefing, Q2 2015" in text
    assert "Reported robbery offenses in Belltown in Q2 2015" in text
    repeated = brief("?period=2015-Q2&period=2015-Q3&chart=a&chart=b")
    assert "is not a period this data version covers" in repeated
    fallback = brief("?period=1999-Q1")
    assert "is not a period this data version covers" in fallback
    assert "council briefing, Q2 2021" in fallback  # the latest complete quarter


def test_fingerprinted_assets_are_cached_for_a_year_compressed_once_and_plain_ones_revalidate(
    client: FlaskClient,
) -> None:
    page = client.get("/").get_data(as_text=True)
    fingerprinted = re.findall(r'(/assets/site\.css\?m=[0-9.]+)"', page)
    assert len(fingerprinted) == 1
    linked = client.get(fingerprinted[0])
    assert linked.status_code == 200
    assert linked.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = client.get("/assets/embed-host.js")  # what other sites link, without a fingerprint
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == "no-cache"
    missing = client.get("/assets/no-such-file.css?m=1")
    assert missing.status_code == 404
    assert "immutable" not in missing.headers.get("Cache-Control", "")
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert not [s for s in scripts if "dash_table" in s or "plotly.min" in s], scripts
    renderer = next(s for s in scripts if "dash_renderer" in s)
    identity = client.get(renderer, headers={"Accept-Encoding": "identity"}).data
    for _attempt in range(100):  # the first request wrote the compressed copies in the background
        answer = client.get(renderer, headers={"Accept-Encoding": "gzip, br"})
        if answer.headers.get("Content-Encoding") == "br" and answer.headers.get("Vary"):
            break
        time.sleep(0.1)
    assert answer.headers["Content-Encoding"] == "br"
    assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert brotli.decompress(answer.data) == identity
    assert len(answer.data) < len(identity) / 3


def test_a_callback_answer_is_computed_once_per_data_version(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard.pages import quality_of_life

    client.get("/quality-of-life")
    calls = []
    original = quality_of_life.trend_parts
    monkeypatch.setattr(
        quality_of_life, "trend_parts", lambda *values: calls.append(values) or original(*values)
    )
    request = trend_request("robbery", "index", areas=["belltown"], from_year="2009")
    first = client.post("/_dash-update-component", json=request)
    again = client.post("/_dash-update-component", json=request)
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    assert len(calls) == 1  # the second reader's answer came from the cache
