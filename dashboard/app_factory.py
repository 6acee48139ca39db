"""Builds the Dash app: pages, shell, cache, compression, HTTP error handling.

Nothing here reads data: the database is first touched when a page is requested.
"""

from __future__ import annotations

import html as html_text
import logging
from types import ModuleType

import dash
from dash import dcc, html
from dash.development.base_component import Component
from flask import Flask, Response, request
from flask_compress import Compress
from werkzeug.exceptions import BadRequest, HTTPException, NotFound

from dashboard import api, data, layout, pdf, theme
from dashboard.pages import (
    about,
    accessibility,
    api_docs,
    briefing,
    data_page,
    drug_use,
    embed,
    enrollment,
    funding,
    glossary_page,
    methods,
    overview,
    problems,
    quality_of_life,
    recidivism,
)
from etl import settings

PAGE_MODULES: tuple[ModuleType, ...] = (
    overview,
    enrollment,
    recidivism,
    drug_use,
    quality_of_life,
    data_page,
    briefing,
    methods,
    about,
    funding,
    glossary_page,
    api_docs,
    problems,
    accessibility,
)
# Registered as pages but kept out of the navigation and the page-path list.
TEMPLATE_PAGES: tuple[ModuleType, ...] = (embed,)
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
{%scripts%}
{%renderer%}
</footer>
</body>
</html>"""


# plotly.js's basic partial bundle (scatter, bar, pie), vendored in assets/vendor/ with its
# version, checksum and licence (assets/vendor/README.md).
PLOTLY_BUNDLE = "vendor/plotly-basic-4.1.1.min.js"
PLOTLY_TRACE_TYPES = frozenset({"scatter", "bar", "pie"})


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
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(settings.PROJECT_ROOT / "assets"),
        # Served at /assets/embed-host.js for pages that embed a chart, not loaded here.
        assets_ignore=r"embed-host\.js",
        title="Belltown LEAD transparency dashboard",
        update_title="",
        suppress_callback_exceptions=False,
        meta_tags=[
            {"name": "viewport", "content": "width=device-width, initial-scale=1"},
        ],
    )
    app.index_string = INDEX_STRING
    _use_partial_plotly()
    for order, module in enumerate(PAGE_MODULES):
        dash.register_page(
            module.__name__,
            path=module.PATH,
            name=module.TITLE,
            title=f"{module.TITLE} | Belltown LEAD transparency dashboard",
            description=module.DESCRIPTION,
            order=order,
            layout=module.layout,
        )
    for module in TEMPLATE_PAGES:
        dash.register_page(
            module.__name__,
            path_template=module.PATH_TEMPLATE,
            name=module.TITLE,
            title=f"{module.TITLE} | Belltown LEAD transparency dashboard",
            description=module.DESCRIPTION,
            order=len(PAGE_MODULES),
            layout=module.layout,
        )
    app.layout = layout.shell
    server: Flask = app.server
    data.init_cache(server)
    Compress(server)
    _install_asset_caching(server)
    _install_validation_layout(app)
    _install_http_handling(app, {m.PATH for m in PAGE_MODULES})
    api.install(server)
    pdf.install(server)
    return app


def slim_validation_layout(layout: Component) -> html.Div:
    """Every component that has an ``id``, empty, in one flat list.

    Dash Pages builds its callback-validation layout by rendering every page, then embeds it
    in every HTML response (about 124 kB here, with the pages' data in it). Validation only
    needs the ids and component types, so this keeps just those.
    """
    slim: list[Component] = []

    def walk(node: object) -> None:
        if isinstance(node, list | tuple):
            for child in node:
                walk(child)
            return
        if not isinstance(node, Component):
            return
        identifier = getattr(node, "id", None)
        if identifier is not None:
            slim.append(type(node)(id=identifier))
        walk(getattr(node, "children", None))

    walk(layout)
    return html.Div(slim)


IMMUTABLE = "public, max-age=31536000, immutable"


def _install_asset_caching(server: Flask) -> None:
    """Assets the page links with Dash's fingerprint (``/assets/site.css?m=<mtime>``) are
    cached for a year: a changed file gets a new ``m``. Unfingerprinted asset URLs (e.g.
    embed-host.js, which other sites link as is) keep Dash's ``no-cache``."""

    @server.after_request
    def _immutable_assets(response: Response) -> Response:
        if (
            request.path.startswith("/assets/")
            and request.args.get("m")
            and response.status_code == 200
        ):
            response.headers["Cache-Control"] = IMMUTABLE
        return response


def _install_validation_layout(app: dash.Dash) -> None:
    @app.server.before_request
    def _slim_validation_layout() -> None:
        current = app.validation_layout
        if current is not None and not getattr(current, "_is_slim", False):
            slim = slim_validation_layout(current)
            slim._is_slim = True
            app.validation_layout = slim


def _install_http_handling(app: dash.Dash, page_paths: set[str]) -> None:
    """Real 404s for unknown paths, 400 for malformed callback requests, and no traceback
    ever reaches a client."""
    server: Flask = app.server

    @server.before_request
    def _reject_bad_requests() -> None:
        path = request.path.rstrip("/") or "/"
        if request.path.startswith("/_dash-update-component"):
            body = request.get_json(silent=True)
            if not isinstance(body, dict) or body.get("output") not in app.callback_map:
                raise BadRequest("unknown or malformed callback request")
            return
        if api.is_api_path(request.path):
            rule = request.url_rule
            if rule is None or not rule.endpoint.startswith(f"{api.api.name}."):
                raise NotFound("no such API endpoint; see /api/v1/openapi.json")
            return
        if path in page_paths or path == pdf.PDF_PATH or request.path.startswith(INTERNAL_PREFIXES):
            return
        if path.startswith(f"{embed.PATH}/") and embed.is_embeddable(path.split("/", 2)[2]):
            return
        raise NotFound()

    @server.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        code = error.code or 500
        if api.is_api_path(request.path):
            parameter = getattr(error, "parameter", None)
            return api.error_response(code, error.description or error.name, parameter)
        body = _ERROR_PAGE.format(
            code=code,
            name=html_text.escape(error.name),
            description=html_text.escape(error.description or ""),
        )
        return Response(body, status=code, mimetype="text/html")

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
