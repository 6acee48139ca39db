"""The cache warmer builds what a first visit would wait for (``dashboard.warm``)."""

from __future__ import annotations

from dash import dcc, html

from dashboard import router, warm
from dashboard.components.chart_card import CARDS


def test_every_page_and_every_embeddable_card_is_warmed() -> None:
    paths = warm.page_paths()
    assert paths[: len(router.PAGES)] == list(router.PAGES)
    embeds = paths[len(router.PAGES) :]
    assert "/embed/qol-trend" in embeds
    assert all(router.find(path) is not None for path in paths)
    # Every card of a page with embeds, and nothing else.
    assert len(embeds) == len({c for c in CARDS if router.find(f"/embed/{c}") is not None})


def test_graphs_are_found_at_any_depth() -> None:
    first = dcc.Graph(id="a", figure={"data": [{"type": "bar", "y": [1]}]})
    second = dcc.Graph(id="b")
    layout = html.Div([html.P("text"), html.Section([html.Figure(first), [second]]), None])
    assert [g.id for g in warm.graphs(layout)] == ["a", "b"]


def test_a_forked_worker_forgets_the_engines_it_inherited(tmp_path: object) -> None:
    from pathlib import Path

    from dashboard import data

    url = f"sqlite:///{Path(str(tmp_path)) / 'x.db'}"
    first = data._engine(url)
    assert data._engine(url) is first
    data.forget_engines()  # what gunicorn.conf.py's post_fork does in each worker
    assert data._engine(url) is not first
    data.forget_engines()
