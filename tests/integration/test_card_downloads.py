"""Every card's download equals its chart, for every card and every control value.

Each view is rendered through Dash's update route as the page renders it; its "Data shown
in this chart" CSV links are then fetched. The contract, both ways: every number the chart
plots is a value (or an interval end) in the download, and every value in the download is
plotted or shown in the card's caption or data table (a total the caption quotes, the
counts behind a chart of percentages). Withheld rows are empty in the download and never
plotted.

The same rendered views carry every card's generated summary; with the Overview and the
Briefing, each is checked to read at grade 8 or below (textstat's Flesch-Kincaid grade) and
in US spelling.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import pytest
from flask.testing import FlaskClient

from etl import pipeline
from tests.integration import card_views
from tests.integration.helpers import render_layout, render_page
from tests.text_checks import british_spellings, grade

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


Rendered = list[tuple[card_views.Card, dict[str, Any], dict[str, Any]]]


@pytest.fixture(scope="module")
def rendered(app: dash.Dash, client: FlaskClient) -> Rendered:
    """Every card in every control value, as Dash's update route returns it."""
    client.get("/")  # Dash builds its callback map on the first request
    known = card_views.controls(app)
    views = [
        (card, view) for card in card_views.cards(app) for view in card_views.views(card, known)
    ]
    return [(card, view, card_views.render(client, card, view)) for card, view in views]


def test_every_card_and_control_value_downloads_exactly_what_it_shows(
    client: FlaskClient, rendered: Rendered
) -> None:
    problems: list[str] = []
    checked = 0
    for card, view, payload in rendered:
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


GRADE_LIMIT = 8.0
# Labels, citations and links: names and addresses, not sentences to read.
EXEMPT = ("demo-label", "provenance", "sources", "citation", "brief__link", "slide-source")


def _text(node: object) -> str:
    """The words of a rendered component tree, as a reader gets them."""
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list):
        return "".join(_text(n) for n in node)
    if isinstance(node, dict):
        return _text(node.get("props", {}).get("children"))
    return ""


def _summaries(rendered: Rendered) -> dict[str, str]:
    found: dict[str, str] = {}
    for card, _view, payload in rendered:
        text = _text(payload.get(f"{card.card_id}-summary", {}).get("children")) if payload else ""
        if text:
            found.setdefault(text, card.card_id)
    return found


def _paragraphs(node: object, exempt: tuple[str, ...], in_list: bool = False) -> list[str]:
    """Each generated paragraph (``P``, or item of a ``narrative`` list) of a page; ``exempt``
    classes hold labels and source lists (names and links, not sentences)."""
    if isinstance(node, list):
        return [p for n in node for p in _paragraphs(n, exempt, in_list)]
    if not isinstance(node, dict):
        return []
    props = node.get("props", {})
    classes = str(props.get("className") or "")
    if any(name in classes for name in exempt):
        return []
    if node.get("type") == "P" or (in_list and node.get("type") == "Li"):
        text = _text(props.get("children"))
        return [text] if len(text.split()) >= 6 else []
    narrative = in_list or "narrative" in classes
    return [p for value in props.values() for p in _paragraphs(value, exempt, narrative)]


def test_every_card_summary_reads_at_grade_8_in_us_spelling(rendered: Rendered) -> None:
    summaries = _summaries(rendered)
    assert len(summaries) >= 60  # every card, every distinct view (guards the walk)
    too_hard = [
        f"{card} (grade {grade(text):.1f}): {text}"
        for text, card in summaries.items()
        if grade(text) > GRADE_LIMIT
    ]
    assert too_hard == [], "\n\n".join(too_hard)
    spelling = {text[:60]: british_spellings(text) for text in summaries}
    assert {k: v for k, v in spelling.items() if v} == {}


@pytest.mark.parametrize(("path", "least"), [("/", 5), ("/briefing", 5)])
def test_overview_and_briefing_sentences_read_at_grade_8(
    client: FlaskClient, path: str, least: int
) -> None:
    paragraphs = _paragraphs(render_page(client, path), exempt=EXEMPT)
    assert len(paragraphs) >= least
    too_hard = [f"grade {grade(p):.1f}: {p}" for p in paragraphs if grade(p) > GRADE_LIMIT]
    assert too_hard == [], "\n\n".join(too_hard)


@pytest.mark.parametrize("path", ["/recidivism", "/drug-use"])
def test_the_main_results_read_at_grade_8(client: FlaskClient, path: str) -> None:
    """The generated "main result" sentences at the top of the evaluation pages."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            props = node.get("props", {})
            if "headline__sentence" in str(props.get("className") or ""):
                found.append(_text(props.get("children")))
            for value in props.values():
                walk(value)

    walk(render_page(client, path))
    assert found
    too_hard = [f"grade {grade(p):.1f}: {p}" for p in found if grade(p) > GRADE_LIMIT]
    assert too_hard == [], "\n\n".join(too_hard)


def test_every_callback_has_all_its_ids_on_each_page_that_uses_it(
    app: dash.Dash, client: FlaskClient
) -> None:
    """What Dash's in-browser validation would catch, checked on the server for every page
    and embed: where a callback's outputs and an input are on a page, so are all its inputs
    and state (a control may be on a page without its callback's outputs: the callback
    never fires there; the address bar is on every page); and every callback is on some
    page."""
    from dash._utils import split_callback_id

    from dashboard import warm

    client.get("/")  # Dash builds its callback map on the first request
    wiring = {}
    for key, spec in app.callback_map.items():
        outputs = split_callback_id(key)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        inputs = {i["id"] for i in spec["inputs"]}
        ids = {str(o["id"]) for o in outputs} | inputs | {i["id"] for i in spec["state"]}
        wiring[key] = ({str(o["id"]) for o in outputs}, inputs, ids)
    used: set[str] = set()
    for path in warm.page_paths():
        layout = json.dumps(render_layout(client, path))
        present = set(re.findall(r'"id": "([^"]+)"', layout))
        for key, (outputs, inputs, ids) in wiring.items():
            if outputs <= present and inputs & present:
                assert ids <= present, (path, key, sorted(ids - present))
                used.add(key)
    assert set(wiring) - used == set()
