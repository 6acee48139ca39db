"""Warming the cache for a newly published run, so its first visitor is not its slowest.

Every cached result (queries, figures, summaries, tables) is keyed by the run it comes
from, so a new run starts with an empty cache: the first visitor of each page used to pay
for every query and figure of its default view (23 times a warm request). ``python -m
dashboard.warm`` (run by ``python -m etl run`` and the scheduler right after a run
publishes; ``WARM_AFTER_RUN``) asks the site, in-process through Flask's test client,
for what a browser asks for on a first visit: each page's layout from the Pages router,
then every callback the page fires on load, with the values its layout gives the
inputs. The results land in the shared cache (``CACHE_TYPE=FileSystemCache`` for the
workers of one machine, ``RedisCache`` for several), where the web workers find them.

It reads only the published database, like the site; it is a separate process, so the ETL's
memory (which holds person-level records while it runs) never meets the site's code.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import dash
from dash._utils import split_callback_id

from dashboard import data

logger = logging.getLogger("dashboard.warm")  # also when run as __main__

UPDATE_PATH = "/_dash-update-component"
PAGES_OUTPUT = ".._pages_content.children..._pages_store.data.."
JSON_HEADERS = {"Content-Type": "application/json"}


@dataclass
class WarmReport:
    pages: int = 0
    callbacks: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def page_paths() -> list[str]:
    """Every registered page's path, except templates (``/embed/<card_id>``)."""
    return [
        str(page["path"])
        for page in dash.page_registry.values()
        if "path_template" not in page or not page.get("path_template")
    ]


def _components(node: Any) -> Iterator[dict[str, Any]]:
    """Every component (as Dash serializes it) in a layout, depth first."""
    if isinstance(node, list):
        for item in node:
            yield from _components(item)
    elif isinstance(node, dict) and "props" in node and "type" in node:
        yield node
        for value in node["props"].values():
            yield from _components(value)


def _props_by_id(layouts: list[Any], path: str) -> dict[str, dict[str, Any]]:
    props: dict[str, dict[str, Any]] = {}
    for layout in layouts:
        for component in _components(layout):
            identity = component["props"].get("id")
            if not isinstance(identity, str):
                continue
            values = dict(component["props"])
            if component["type"] == "Location":  # the browser's address, as on a first visit
                values.update(pathname=path, search="", hash="", href=f"http://localhost{path}")
            props[identity] = values
    return props


def _request(spec: dict[str, Any], props: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """A callback's request body with the layout's values, or None if its inputs are not
    all on the page (it belongs to another page, or to a pattern of ids)."""
    references = [*spec["inputs"], *spec["state"]]
    if any(not isinstance(r["id"], str) or r["id"] not in props for r in references):
        return None

    def filled(reference: dict[str, Any]) -> dict[str, Any]:
        value = props[reference["id"]].get(reference["property"])
        return {"id": reference["id"], "property": reference["property"], "value": value}

    return {
        "output": spec["output"],
        "outputs": split_callback_id(spec["output"]),
        "inputs": [filled(r) for r in spec["inputs"]],
        "state": [filled(r) for r in spec["state"]],
        "changedPropIds": [],
    }


def warm(app: dash.Dash, paths: list[str] | None = None) -> WarmReport:
    """Ask ``app`` for every page's default view of the newest run, as a first visit does."""
    started = time.perf_counter()
    report = WarmReport()
    # The run lookup is cached for a few seconds (data.RUN_LOOKUP_SECONDS), in the shared
    # cache too: forget it, so the new run is the one warmed, and the web workers sharing
    # the cache see it at once.
    with app.server.app_context():
        data.cache.delete_memoized(data.published_run)
    client = app.server.test_client()
    shell = client.get("/")  # Dash builds its callback map on the first request
    if shell.status_code != 200:
        report.failures.append(f"GET / answered {shell.status_code}")
    app_layout = client.get("/_dash-layout").get_json()
    specs = [
        spec
        for spec in app._callback_list  # noqa: SLF001 - Dash's own record of the callbacks
        if not spec.get("clientside_function")
        and not spec.get("prevent_initial_call")
        and spec["output"] != PAGES_OUTPUT
    ]
    for path in paths if paths is not None else page_paths():
        body = _pages_request(path)
        answer = client.post(UPDATE_PATH, data=json.dumps(body), headers=JSON_HEADERS)
        if answer.status_code != 200:
            report.failures.append(f"{path}: the page answered {answer.status_code}")
            continue
        report.pages += 1
        content = answer.get_json()["response"]["_pages_content"]["children"]
        props = _props_by_id([app_layout, content], path)
        for spec in specs:
            request = _request(spec, props)
            if request is None:
                continue
            result = client.post(UPDATE_PATH, data=json.dumps(request), headers=JSON_HEADERS)
            if result.status_code in (200, 204):
                report.callbacks += 1
            else:
                report.failures.append(
                    f"{path}: {spec['output'][:60]} answered {result.status_code}"
                )
    report.seconds = time.perf_counter() - started
    return report


def _pages_request(path: str) -> dict[str, Any]:
    """The Dash Pages router callback's request body for ``path``."""
    return {
        "output": PAGES_OUTPUT,
        "outputs": split_callback_id(PAGES_OUTPUT),
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
    }


def main() -> int:
    """``python -m dashboard.warm``: warm the cache for the published run; exit 1 on failures."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from app import app  # noqa: PLC0415 - building the site is the slow part; only here

    report = warm(app)
    logger.info(
        "cache warmed: %d pages, %d callbacks in %.1f s",
        report.pages,
        report.callbacks,
        report.seconds,
    )
    for failure in report.failures:
        logger.error("warming: %s", failure)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
