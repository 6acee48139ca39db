"""HTTP hardening for every response: security headers, request limits, no dev routes.

* **Headers on every response**: a Content Security Policy that the site runs under (its
  own scripts only: the pages carry no inline script that runs, their data is JSON in
  ``type="application/json"`` elements; styles inline, as plotly.js writes them),
  ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` except for ``/embed/*``, which
  any site may frame; ``Referrer-Policy``; ``Permissions-Policy``; ``nosniff``;
  ``Cross-Origin-Opener-Policy``; and ``Strict-Transport-Security`` when the site is
  served over TLS (``HSTS_SECONDS``).
* **No dev routes**: Dash's ``/_reload-hash`` (hot reload) answers 404.
* **A request body limit** (``MAX_REQUEST_BYTES``): a larger body is a 413 before any code
  reads it.
* **Malformed asset requests** (``/_dash-component-suites/`` paths Dash did not link) are
  404s, not errors.
"""

from __future__ import annotations

from collections.abc import Mapping

import dash
from dash.fingerprint import check_fingerprint
from flask import Flask, Response, request
from werkzeug.exceptions import NotFound

from etl import settings

EMBED_PREFIX = "/embed/"
DEV_ROUTES = ("/_reload-hash",)
COMPONENT_SUITES = "/_dash-component-suites/"

# 'self' for scripts: the site links its own files only. Styles: plotly.js and React set
# style attributes and plotly.js adds a <style> element. Images: charts exported as PNG or
# SVG are data: and blob: URLs. No plugins, no <base>, forms post to the site only.
POLICY: Mapping[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}
PERMISSIONS = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


def content_security_policy(path: str) -> str:
    framing = "*" if path.startswith(EMBED_PREFIX) else "'none'"
    parts = [f"{name} {value}" for name, value in POLICY.items()]
    parts.append(f"frame-ancestors {framing}")
    return "; ".join(parts)


def headers_for(path: str, hsts_seconds: int) -> dict[str, str]:
    """The security headers of a response to ``path``."""
    found = {
        "Content-Security-Policy": content_security_policy(path),
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": PERMISSIONS,
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if not path.startswith(EMBED_PREFIX):
        found["X-Frame-Options"] = "DENY"
    if hsts_seconds > 0:
        found["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"
    return found


def install(app: dash.Dash) -> None:
    server: Flask = app.server
    server.config["MAX_CONTENT_LENGTH"] = settings.get("MAX_REQUEST_BYTES")

    @server.before_request
    def _refuse_dev_routes_and_unknown_assets() -> None:
        if request.path in DEV_ROUTES:
            raise NotFound()
        if request.path.startswith(COMPONENT_SUITES) and not _linked_asset(app, request.path):
            raise NotFound()

    @server.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in headers_for(request.path, settings.get("HSTS_SECONDS")).items():
            response.headers[name] = value
        return response


def _linked_asset(app: dash.Dash, path: str) -> bool:
    """Whether ``path`` is a file Dash links (its package and path registered)."""
    package, _, rest = path[len(COMPONENT_SUITES) :].partition("/")
    if not package or not rest or ".." in rest.split("/"):
        return False
    in_package, _fingerprinted = check_fingerprint(rest)
    return in_package in app.registered_paths.get(package, set())
