"""Every card's download equals its chart, for every card and every control value.

Each view is rendered through Dash's update route as the page renders it; its "Data shown
in this chart" CSV links are then fetched. The contract, both ways: every number the chart
plots is a value (or an interval end) in the download, and every value in the download is
plotted or shown in the card's caption or data table (a total the caption quotes, the
counts behind a chart of percentages). Withheld rows are empty in the download and never
plotted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import dash
import pytest
from flask.testing import FlaskClient

from etl import pipeline
from tests.integration import card_views

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def client(
    app: dash.Dash, demo_extract: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FlaskClient]:
    folder = tmp_path_factory.mktemp("card-downloads")
    url = f"sqlite:///{folder / 'lead.db'}"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "DATABASE_URL": url,
            "PROGRAM_EXTRACT_DIR": str(demo_extract),
            "RAW_CACHE_DIR": str(folder / "cache"),
            "QUARANTINE_DIR": str(folder / "quarantine"),
        }.items():
            patch.setenv(name, value)
        pipeline.run(database_url=url)
        yield app.server.test_client()


def _all_views(app: dash.Dash, client: FlaskClient) -> list[tuple[card_views.Card, dict]]:
    client.get("/")  # Dash builds its callback map on the first request
    known = card_views.controls(app)
    return [
        (card, view) for card in card_views.cards(app) for view in card_views.views(card, known)
    ]


def test_every_card_and_control_value_downloads_exactly_what_it_shows(
    app: dash.Dash, client: FlaskClient
) -> None:
    problems: list[str] = []
    checked = 0
    for card, view in _all_views(app, client):
        payload = card_views.render(client, card, view)
        if not payload:
            continue
        where = f"{card.card_id} {json.dumps({k: v for k, v in view.items() if k != card.card_id})}"
        figure = payload[f"{card.card_id}-graph"]["figure"]
        drawn = card_views.drawn_values(figure)
        links = card_views.links(payload[f"{card.card_id}-share"]["children"] or [])
        csv_links = [link for link in links if ".csv?" in link]
        if not drawn:
            if csv_links:
                problems.append(f"{where}: nothing drawn, yet it offers {csv_links}")
            continue
        rows = [row for link in csv_links for row in card_views.csv_rows(client, link)]
        shown = [float(r["value"]) for r in rows if r["value"]]
        bounds = [float(r[k]) for r in rows for k in ("lower_bound", "upper_bound") if r.get(k)]
        text = json.dumps(payload[f"{card.card_id}-summary"]) + json.dumps(
            payload[f"{card.card_id}-table"]
        )
        not_downloaded = sorted(
            {v for v in drawn if v != 0 and not card_views.close_to_any(v, shown + bounds)}
        )
        not_shown = sorted(
            {
                v
                for v in shown
                if not card_views.close_to_any(v, drawn) and not card_views.quoted(v, text)
            }
        )
        if not_downloaded:
            problems.append(f"{where}: drawn but not in the download: {not_downloaded[:5]}")
        if not_shown:
            problems.append(f"{where}: downloaded but not drawn or quoted: {not_shown[:5]}")
        checked += 1
    assert checked >= 60  # every card, every control value (the count guards the walk)
    assert problems == [], "\n".join(problems)
