"""Builds the Dash app: pages, shell, cache, compression, HTTP error handling.

Nothing here reads data: the database is first touched when a page is requested.
"""

from __future__ import annotations

import html as html_text
import logging
from typing import Any

import dash
from dash import dash_table, dcc
from dash._utils import split_callback_id
from flask import Flask, Response, request
from flask_compress import Compress
from werkzeug.exceptions import BadRequest, HTTPException, MethodNotAllowed, NotFound

from dashboard import (
    api,
    data,
    page_html,
    pdf,
    precompressed,
    response_cache,
    router,
    security,
    theme,
)
from etl import settings

# Kept for callers that list the pages (tests, the warm-up).
PAGE_MODULES = router.PAGE_MODULES
# Paths Dash and Flask serve besides the pages themselves.
INTERNAL_PREFIXES = ("/_dash", "/_reload", "/_favicon", "/assets/", "/static/")

INDEX_STRING = """<!DOCTYPE html>
<html lang="en">
<head>
{%metas%}
<title>{%title%}</title>
{%favicon%}
{%css%}
</head>
<body>
{%app_entry%}
<footer>
{%config%}
<template id="interactive-page">
{%scripts%}
{%renderer%}
</template>
</footer>
</body>
</html>"""


# plotly.js's basic partial bundle (scatter, bar, pie), vendored in assets/vendor/ with its
# version, checksum and licence (assets/vendor/README.md).
PLOTLY_BUNDLE = "vendor/plotly-basic.min.js"
PLOTLY_TRACE_TYPES = frozenset({"scatter", "bar", "pie"})


def _ship_only_what_is_used() -> None:
    """The partial plotly.js bundle instead of the full one; no dash_table bundle (the site
    draws its tables as plain HTML)."""
    _use_partial_plotly()
    dash_table._js_dist[:] = []  # type: ignore[attr-defined]  # Dash links every entry


def _use_partial_plotly() -> None:
    """Ship the partial bundle, not the full plotly.js Dash registers (4.8 MB decoded).

    Dash adds the full bundle to the graph component's scripts when an app is created;
    removing it leaves the vendored asset, which Dash links like every asset (fingerprinted,
    so cached for a year) and which sets ``window.Plotly``, the graph component's first
    choice.
    """
    dcc._js_dist[:] = [  # noqa: SLF001 - Dash's own list of the graph component's scripts
        resource
        for resource in dcc._js_dist
        if resource.get("namespace") != "plotly"  # noqa: SLF001
    ]


def create_app() -> dash.Dash:
    logging.basicConfig(level=settings.get("LOG_LEVEL"))
    theme.register()
    app = page_html.Site(
        __name__,
        assets_folder=str(settings.PROJECT_ROOT / "assets"),
        # embed-host.js is for pages that embed a chart; interactive.js and embed.js are
        # linked by the page itself, outside the scripts that load on interaction.
        assets_ignore=page_html.EAGER_ASSETS,
        title=router.SITE_NAME,
        update_title="",
        # Every callback's ids are on the pages that use it: tested on the server for every
        # page (tests/integration/test_site.py), so the browser need not be sent every
        # page's ids to check them.
        suppress_callback_exceptions=True,
        meta_tags=[
            {"name": "viewport", "content": "width=device-width, initial-scale=1"},
        ],
    )
    app.index_string = INDEX_STRING
    _ship_only_what_is_used()
    app.layout = router.serve_layout
    server: Flask = app.server
    data.init_cache(server)
    Compress(server)
    # After Compress, so it runs first: a precompressed copy leaves Compress nothing to do.
    precompressed.install(server)
    page_html.install_dependencies_caching(server)
    _install_http_handling(app)
    # After the request checks (only a well-formed callback is looked up) and after
    # Compress (its answers are kept before they are compressed).
    response_cache.install(server)
    security.install(app)
    api.install(server)
    pdf.install(server)
    return app


def _well_formed(body: dict[str, Any], callback_map: dict[str, Any]) -> bool:
    """A callback request names a known callback and gives exactly its inputs and state
    (ids and properties in order), and outputs that are its own."""
    output = body.get("output")
    spec = callback_map.get(output) if isinstance(output, str) else None
    if spec is None:
        return False
    for given, expected in (
        (body.get("inputs"), spec["inputs"]),
        (body.get("state", []), spec["state"]),
    ):
        if not isinstance(given, list) or len(given) != len(expected):
            return False
        for item, wanted in zip(given, expected, strict=True):
            if not isinstance(item, dict) or item.get("id") != wanted["id"]:
                return False
            if item.get("property") != wanted["property"]:
                return False
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return False
    outputs = body.get("outputs")
    listed = outputs if isinstance(outputs, list) else [outputs]
    wanted_outputs = split_callback_id(body["output"])
    wanted_list = wanted_outputs if isinstance(wanted_outputs, list) else [wanted_outputs]
    return [(o.get("id"), o.get("property")) if isinstance(o, dict) else None for o in listed] == [
        (o["id"], o["property"]) for o in wanted_list
    ]


def _install_http_handling(app: dash.Dash) -> None:
    """Real 404s for unknown paths, 400 for malformed callback requests, and no traceback
    ever reaches a client."""
    server: Flask = app.server

    @server.before_request
    def _reject_bad_requests() -> None:
        path = request.path.rstrip("/") or "/"
        if request.path.startswith("/_dash-update-component"):
            body = request.get_json(silent=True)
            if not isinstance(body, dict) or not _well_formed(body, app.callback_map):
                raise BadRequest("unknown or malformed callback request")
            return
        if api.is_api_path(request.path):
            if isinstance(request.routing_exception, MethodNotAllowed):
                raise request.routing_exception  # 405, with the Allow header
            rule = request.url_rule
            if rule is None or not rule.endpoint.startswith(f"{api.api.name}."):
                raise NotFound("no such API endpoint; see /api/v1/openapi.json")
            return
        if path == pdf.PDF_PATH or request.path.startswith(INTERNAL_PREFIXES):
            return
        if router.find(path) is not None:
            return
        raise NotFound()

    @server.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        code = error.code or 500
        if api.is_api_path(request.path):
            parameter = getattr(error, "parameter", None)
            response = api.error_response(code, error.description or error.name, parameter)
        else:
            body = _ERROR_PAGE.format(
                code=code,
                name=html_text.escape(error.name),
                description=html_text.escape(error.description or ""),
            )
            response = Response(body, status=code, mimetype="text/html")
        for name, value in error.get_headers():
            if name.lower() in {"allow", "retry-after"}:  # what the client needs to retry
                response.headers[name] = value
        return response

    @server.errorhandler(Exception)
    def _unexpected_error(error: Exception) -> Response:
        logging.getLogger(__name__).exception("unhandled error: %s", type(error).__name__)
        if api.is_api_path(request.path):
            return api.error_response(500, "something went wrong on our side")
        body = _ERROR_PAGE.format(code=500, name="Something went wrong on our side", description="")
        return Response(body, status=500, mimetype="text/html")


_ERROR_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{code} | Belltown LEAD dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>{code}: {name}</h1>
<p>{description}</p>
<p><a href="/">Go to the Belltown LEAD transparency dashboard</a></p></main></body></html>"""
