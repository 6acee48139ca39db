"""Compression done once, not on every request.

* **Fingerprinted static files** (``/assets/...?m=<mtime>``, Dash's ``/_dash-component-suites/
  ...v<version>m<mtime>...``), which never change under their URL: the first request for
  one is answered as usual (compressed on the fly by Flask-Compress) and starts a
  background thread that writes Brotli (quality 11) and gzip (level 9) copies to
  ``COMPRESSED_ASSETS_DIR``; every later request, in any worker, is answered from those
  files. They are served ``public, max-age=31536000, immutable``.
* **Pages** are compressed when they are cached (:mod:`dashboard.page_html`), with
  :func:`compress`, and answered with :func:`respond`.

Flask-Compress leaves a response alone once it has a ``Content-Encoding``.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
import tempfile
import threading
from pathlib import Path

import brotli
from flask import Flask, Response, request

from etl import settings

logger = logging.getLogger(__name__)

# Preferred first. Brotli at its best quality is slow (about 2 s for plotly.js) and done
# once per file; gzip for clients without Brotli.
ENCODINGS = ("br", "gzip")
COMPRESSIBLE = ("application/javascript", "text/javascript", "text/css", "image/svg+xml")
IMMUTABLE = "public, max-age=31536000, immutable"
_DASH_FINGERPRINT = re.compile(r"\.v[\w-]+m\d+\.")
_PENDING: set[str] = set()
_LOCK = threading.Lock()


def compress(body: bytes, quality: int = 11) -> dict[str, bytes]:
    """``body`` in every encoding served (``mtime=0``: the same bytes every time)."""
    return {
        "br": brotli.compress(body, quality=quality),
        "gzip": gzip.compress(body, compresslevel=9, mtime=0),
    }


def chosen_encoding(accept_encoding: str) -> str | None:
    """The first of :data:`ENCODINGS` the client accepts (``q=0`` refuses one)."""
    accepted: dict[str, float] = {}
    for part in accept_encoding.lower().split(","):
        name, _, parameters = part.strip().partition(";")
        weight = 1.0
        match = re.search(r"q=([0-9.]+)", parameters)
        if match:
            try:
                weight = float(match.group(1))
            except ValueError:
                weight = 0.0
        accepted[name.strip()] = weight
    for encoding in ENCODINGS:
        if accepted.get(encoding, accepted.get("*", 0.0)) > 0:
            return encoding
    return None


def etag(body: bytes) -> str:
    """A strong validator of ``body`` (computed once, when an entry is cached)."""
    return hashlib.sha256(body).hexdigest()[:32]


def respond(
    body: bytes,
    variants: dict[str, bytes],
    mimetype: str,
    cache_control: str,
    tag: str | None = None,
) -> Response:
    """A response with the encoding the client prefers (or none), varying on it."""
    encoding = chosen_encoding(request.headers.get("Accept-Encoding", ""))
    payload = variants.get(encoding, body) if encoding else body
    response = Response(payload, mimetype=mimetype)
    if encoding and encoding in variants:
        response.headers["Content-Encoding"] = encoding
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = cache_control
    response.set_etag((tag or etag(body)) + (f"-{encoding}" if encoding else ""))
    response.make_conditional(request)
    return response


def is_fingerprinted(path: str, query_m: str | None) -> bool:
    if path.startswith("/assets/"):
        return bool(query_m)
    return path.startswith("/_dash-component-suites/") and bool(_DASH_FINGERPRINT.search(path))


def _stored(key: str, encoding: str) -> Path:
    return Path(settings.get("COMPRESSED_ASSETS_DIR")) / f"{key}.{encoding}"


def _write(key: str, body: bytes) -> None:
    try:
        folder = Path(settings.get("COMPRESSED_ASSETS_DIR"))
        folder.mkdir(parents=True, exist_ok=True)
        for encoding, payload in compress(body).items():
            with tempfile.NamedTemporaryFile(dir=folder, delete=False) as handle:
                handle.write(payload)
            os.replace(handle.name, _stored(key, encoding))
    except OSError as exc:
        logger.warning("could not store a compressed asset: %s", type(exc).__name__)
    finally:
        with _LOCK:
            _PENDING.discard(key)


def install(server: Flask) -> None:
    """Serve fingerprinted static files from their precompressed copies."""

    @server.after_request
    def _precompressed(response: Response) -> Response:
        if response.status_code != 200 or "Content-Encoding" in response.headers:
            return response
        if not is_fingerprinted(request.path, request.args.get("m")):
            return response
        response.headers["Cache-Control"] = IMMUTABLE
        if not (response.mimetype or "").startswith(COMPRESSIBLE):
            return response
        key = hashlib.sha256(request.full_path.encode()).hexdigest()[:40]
        encoding = chosen_encoding(request.headers.get("Accept-Encoding", ""))
        stored = _stored(key, encoding) if encoding else None
        if stored is not None and stored.exists():
            response.direct_passthrough = False
            response.set_data(stored.read_bytes())
            response.headers["Content-Encoding"] = str(encoding)
            response.headers["Vary"] = "Accept-Encoding"
            etag, _weak = response.get_etag()
            if etag:
                response.set_etag(f"{etag}-{encoding}")
            return response
        with _LOCK:
            if key in _PENDING:
                return response
            _PENDING.add(key)
        response.direct_passthrough = False
        body = response.get_data()
        threading.Thread(target=_write, args=(key, body), daemon=True).start()
        return response
