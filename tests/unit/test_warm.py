"""The cache warmer asks for what a first visit asks for (``dashboard.warm``)."""

from __future__ import annotations

from dashboard import warm


def _component(kind: str, **props: object) -> dict[str, object]:
    return {"type": kind, "namespace": "dash_core_components", "props": props}


LAYOUT = _component(
    "Div",
    children=[
        _component("Location", id="url", refresh=False),
        _component(
            "Div",
            id="page",
            children=[_component("Dropdown", id="group", value="robbery"), "text"],
        ),
        _component("Store", id={"type": "pattern", "index": 1}, data=1),
    ],
)


def test_props_are_taken_from_the_layout_and_the_address_from_the_path() -> None:
    props = warm._props_by_id([LAYOUT], "/quality-of-life")
    assert set(props) == {"url", "page", "group"}  # pattern-matching ids are skipped
    assert props["group"]["value"] == "robbery"
    assert props["url"]["pathname"] == "/quality-of-life"
    assert props["url"]["search"] == ""


def test_a_callback_is_asked_with_the_layout_values_of_its_inputs_and_state() -> None:
    props = warm._props_by_id([LAYOUT], "/")
    spec = {
        "output": "..chart.figure...summary.children..",
        "inputs": [{"id": "group", "property": "value"}],
        "state": [{"id": "url", "property": "pathname"}],
    }
    assert warm._request(spec, props) == {
        "output": "..chart.figure...summary.children..",
        "outputs": [
            {"id": "chart", "property": "figure"},
            {"id": "summary", "property": "children"},
        ],
        "inputs": [{"id": "group", "property": "value", "value": "robbery"}],
        "state": [{"id": "url", "property": "pathname", "value": "/"}],
        "changedPropIds": [],
    }


def test_a_callback_of_another_page_is_not_asked() -> None:
    props = warm._props_by_id([LAYOUT], "/")
    spec = {
        "output": "x.children",
        "inputs": [{"id": "elsewhere", "property": "value"}],
        "state": [],
    }
    assert warm._request(spec, props) is None


def test_a_forked_worker_forgets_the_engines_it_inherited(tmp_path: object) -> None:
    from pathlib import Path

    from dashboard import data

    url = f"sqlite:///{Path(str(tmp_path)) / 'x.db'}"
    first = data._engine(url)
    assert data._engine(url) is first
    data.forget_engines()  # what gunicorn.conf.py's post_fork does in each worker
    assert data._engine(url) is not first
    data.forget_engines()
