"""The served HTML of every page: its content first, the interactive page after.

Dash's own index page is an empty ``<div>`` that the scripts fill. Here each page's HTML
holds the page's default view written from the same component tree (:mod:`prerender`):
navigation, headings, key figures, summaries, data tables and each chart as static SVG,
so the first paint is the real page, readers and search engines without JavaScript get
the content, and the page stays useful if the scripts fail. Beside it, the layout Dash
will render, as JSON, so the browser does not ask for it (``assets/hydrate.js`` answers
Dash's request from it). The interactive page is rendered out of sight and takes the
static page's place when its charts are drawn: the same boxes, so nothing moves.

Default views (no query string) are cached per data version in the shared cache and
built for every page right after a run publishes (:mod:`dashboard.warm`).
"""

from __future__ import annotations

import hashlib
import html as html_text
import logging
import os
import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import dash
from dash import dcc
from dash._utils import to_json
from flask import Flask, Response, make_response, redirect, request

from dashboard import data, i18n, precompressed, response_cache, router, static_charts
from dashboard.prerender import Renderer
from etl import settings

logger = logging.getLogger(__name__)

SOCIAL_IMAGE = "app.png"
# Linked by every page itself, run on load (the rest of the scripts wait for the reader's
# first interaction, assets/interactive.js); embed-host.js is for other sites' pages.
EAGER_SCRIPTS = ("interactive.js", "embed.js")
EAGER_ASSETS = r"^(?:embed-host|interactive|embed)\.js$"
LAYOUT_SCRIPT_ID = "_page-layout"
PAGE_CACHE_PREFIX = "page-html"
# The reader's language choice, remembered for a year (a preference, not tracking).
LANGUAGE_COOKIE = "lang"
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


# Browsers keep a page a minute, shared caches (a CDN) five; a new data version is served
# within that (the HTML is cheap to revalidate: it carries an ETag).
PAGE_CACHE_CONTROL = "public, max-age=60, s-maxage=300"


def page_cache_key(path: str, language: i18n.Language = i18n.ENGLISH) -> str:
    """The cache key of a page's default view in ``language``: the data version, and
    whether the page says the data are stale or the last refresh failed (the notice in
    every page's shell)."""
    run = data.published_run()
    if run is None:
        return f"{PAGE_CACHE_PREFIX}:none:{router.normal_path(path)}:{language.code}"
    hours = settings.get("STALE_AFTER_HOURS")
    stale = datetime.now(UTC) - run.finished_at > timedelta(hours=hours)
    failed = data.latest_run_failed_after_publication()
    base = _short_hash(settings.public_base_url())  # the page's links and metadata name it
    path = router.normal_path(path)
    flags = f"{int(stale)}{int(failed)}"
    return f"{PAGE_CACHE_PREFIX}:{run.run_id}:{flags}:{base}:{path}:{language.code}"


def dependencies_version() -> str:
    """Names the callback graph Dash sends (``/_dash-dependencies``): it changes only with
    the site's code and Dash, so the browser may keep it (``assets/hydrate.js`` asks for
    ``/_dash-dependencies?v=<this>``). A hash: no version number is published."""
    return _short_hash(f"{dash.__version__}-{data.code_version()}")


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


_DASH_FINGERPRINT = re.compile(r"\.v([\w-]+)m([0-9a-fA-F]+)\.")


def without_versions(tags: str) -> str:
    """Dash's fingerprints (``react@18.v4_4_1m1796680176.3.1.min.js``) name its version;
    the same fingerprint as a hash still changes with the file and is still recognized by
    Dash (``check_fingerprint``) and cached for a year."""
    return _DASH_FINGERPRINT.sub(lambda m: f".v{_short_hash(m.group(1) + m.group(2))}m0.", tags)


def install_dependencies_caching(server: Flask) -> None:
    @server.after_request
    def _cache_dependencies(response: Response) -> Response:
        if (
            request.path.endswith("/_dash-dependencies")
            and response.status_code == 200
            and request.args.get("v") == dependencies_version()
        ):
            response.headers["Cache-Control"] = precompressed.IMMUTABLE
        return response


def chart_markup(graph: dcc.Graph) -> str | None:
    source = static_charts.chart_source(getattr(graph, "figure", None))
    return static_charts.markup(source) if source is not None else None


def _script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element."""
    return to_json(value).replace("</", "<\\/").replace("<!--", "<\\!--")


class Site(dash.Dash):
    """Dash with pages served whole: see the module's description."""

    _setup_lock = threading.Lock()

    def _setup_server(self) -> None:
        """Dash's once-per-process set-up (callback map, scripts), run by the first request.
        Dash marks it done before doing it, so with several threads a request could meet a
        half-built callback map (seen as 400s after each worker recycle under load): the
        others wait here until it is finished. gunicorn also runs it in the master before
        forking (gunicorn.conf.py), so recycled workers start ready."""
        with self._setup_lock:
            super()._setup_server()

    def index(self, *args: Any, **kwargs: Any) -> Any:
        """The page, from the cache when it is a default view (no query string, or only
        the language); a reader whose browser or earlier choice asks for another language
        than English is sent to the page in it."""
        arguments = request.args.to_dict(flat=False)
        chosen = arguments.get(router.LANGUAGE_PARAMETER)
        language = i18n.by_code(chosen[0]) if chosen and len(chosen) == 1 else None
        if chosen is None:
            wanted = i18n.negotiate(
                None, request.cookies.get(LANGUAGE_COOKIE), request.headers.get("Accept-Language")
            )
            if wanted != i18n.ENGLISH:
                return _to_language(wanted)
        if set(arguments) - {router.LANGUAGE_PARAMETER} or (chosen and language is None):
            response = make_response(super().index(*args, **kwargs))
        else:
            response = self._cached_page(language or i18n.ENGLISH, *args, **kwargs)
        if language is not None:
            response.set_cookie(
                LANGUAGE_COOKIE,
                language.code,
                max_age=LANGUAGE_COOKIE_SECONDS,
                samesite="Lax",
                httponly=True,
                secure=request.is_secure,
            )
        else:  # what the page answers depends on these when it names no language
            response.vary.update(("Accept-Language", "Cookie"))
        return response

    def _cached_page(self, language: i18n.Language, *args: Any, **kwargs: Any) -> Response:
        key = page_cache_key(request.path, language)
        cached = response_cache.shared_get(key)
        if cached is None:
            body = str(super().index(*args, **kwargs)).encode()
            cached = {
                "body": body,
                "variants": precompressed.compress(body, quality=9),
                "etag": precompressed.etag(body),
            }
            response_cache.shared_set(key, cached)
        return precompressed.respond(
            cached["body"], cached["variants"], "text/html", PAGE_CACHE_CONTROL, cached["etag"]
        )

    def _eager_url(self, name: str) -> str:
        """An asset's URL with Dash's fingerprint (so it is cached and compressed once)."""
        modified = os.path.getmtime(os.path.join(self.config.assets_folder, name))
        return f"{self.get_asset_url(name)}?m={modified}"

    def _config(self) -> dict[str, Any]:
        """Dash's front-end settings, without what the site does not use and should not
        tell: the server's Python and package versions, and the per-load token for
        background callbacks (none here; it would also make every page's HTML differ)."""
        config: dict[str, Any] = super()._config()
        for name in ("python_version", "dash_version", "plotly_version", "ddk_version", "end_id"):
            config.pop(name, None)
        return config

    def interpolate_index(self, **kwargs: Any) -> str:  # type: ignore[override]
        view = router.view(request.path, request.query_string.decode("utf-8", "replace"))
        if view is None:  # the HTTP layer answers unknown paths first; never reached
            return str(super().interpolate_index(**kwargs))
        static = Renderer(chart=chart_markup, slots=view.slots).render(view.layout)
        kwargs["app_entry"] = (
            f'<div id="ssr" class="ssr">{static}</div>\n'
            f'<script type="application/json" id="{LAYOUT_SCRIPT_ID}" '
            f'data-dependencies="{dependencies_version()}">'
            f"{_script_json(view.layout)}</script>\n{kwargs['app_entry']}"
        )
        kwargs["scripts"] = without_versions(kwargs["scripts"])
        kwargs["css"] = without_versions(kwargs["css"])
        kwargs["favicon"] = re.sub(
            r"\?v=([^\"]+)", lambda m: f"?v={_short_hash(m.group(1))}", kwargs["favicon"]
        )
        kwargs["config"] = kwargs["config"] + "".join(
            f'\n<script src="{self._eager_url(name)}"></script>' for name in EAGER_SCRIPTS
        )
        kwargs["title"] = html_text.escape(view.page.document_title)
        kwargs["metas"] = _meta_tags(view) + "\n" + kwargs["metas"]
        page = str(super().interpolate_index(**kwargs))
        return page.replace('<html lang="en">', f'<html lang="{view.language.code}">', 1)


def _meta_tags(view: router.PageView) -> str:
    """Description and social-card metadata (what Dash Pages wrote), with the public
    address, never the request's host."""
    base = settings.public_base_url()
    image = f"{base}/assets/{SOCIAL_IMAGE}"
    title, description = view.page.document_title, view.page.description
    url = f"{base}{view.path}"
    tags = [
        ("name", "description", description),
        ("property", "twitter:card", "summary_large_image"),
        ("property", "twitter:url", url),
        ("property", "twitter:title", title),
        ("property", "twitter:description", description),
        ("property", "twitter:image", image),
        ("property", "og:title", title),
        ("property", "og:type", "website"),
        ("property", "og:url", url),
        ("property", "og:description", description),
        ("property", "og:image", image),
    ]
    lines = [
        f'<meta {kind}="{html_text.escape(name)}" content="{html_text.escape(content)}">'
        for kind, name, content in tags
    ]
    language = view.language
    canonical = url if language == i18n.ENGLISH else f"{url}?lang={language.code}"
    lines.append(f'<link rel="canonical" href="{html_text.escape(canonical)}">')
    lines += [
        f'<link rel="alternate" hreflang="{other.code}" '
        f'href="{html_text.escape(url)}?lang={other.code}">'
        for other in i18n.LANGUAGES
    ]
    lines.append(f'<link rel="alternate" hreflang="x-default" href="{html_text.escape(url)}">')
    return "\n".join(lines)


def _to_language(language: i18n.Language) -> Any:
    """The same page and view in ``language`` (a relative redirect: never the Host)."""
    arguments = request.args.to_dict(flat=False)
    arguments[router.LANGUAGE_PARAMETER] = [language.code]
    response = redirect(f"{request.path}?{urlencode(arguments, doseq=True)}", code=302)
    response.autocorrect_location_header = False
    response.vary.update(("Accept-Language", "Cookie"))
    response.headers["Cache-Control"] = "private, no-cache"
    return response
