"""Answers computed once per data version: callback responses and a process-local copy of
hot cached pages.

* **Callback responses.** Every callback of the site is a pure function of its inputs and
  of the published data version (the builders read only published tables; links use the
  configured public address). So the response to a given request body, for a given run and
  site code, never changes: it is kept in the shared cache (keyed by a hash of the body,
  the run id and the code version, ``PAGE_CACHE_SECONDS``) with its Brotli and gzip forms,
  and the next reader asking for the same view, in any worker, gets it without the
  callback running.
* **Hot entries in process memory.** A cached page or response is read from the shared
  cache (a file, or Redis) and unpickled on every request; the few most used are also kept
  in each worker's memory (:class:`LocalCopies`, a small LRU). The keys name the data
  version and code, so a copy can never be stale; nothing else is kept per process.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

from flask import Flask, Response, request

from dashboard import data, precompressed
from etl import settings

UPDATE_PATH = "/_dash-update-component"
RESPONSE_PREFIX = "callback-response"
NOT_CACHED = "no-store"


class LocalCopies:
    """A small thread-safe LRU of immutable cache entries (bytes and their encodings)."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Any) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


LOCAL = LocalCopies()


def shared_get(key: str) -> Any:
    """An entry from this process's copies, else from the shared cache (then copied)."""
    entry = LOCAL.get(key)
    if entry is None:
        entry = data.cache.get(key)
        if entry is not None:
            LOCAL.put(key, entry)
    return entry


def shared_set(key: str, entry: Any) -> None:
    data.cache.set(key, entry, timeout=settings.get("PAGE_CACHE_SECONDS"))
    LOCAL.put(key, entry)


def _response_key() -> str | None:
    run = data.published_run()
    if run is None:
        return None
    digest = hashlib.sha256(request.get_data(cache=True))
    digest.update(settings.public_base_url().encode())  # links in share panels name it
    return f"{RESPONSE_PREFIX}:{run.run_id}:{digest.hexdigest()}"


def install(server: Flask) -> None:
    """Answer a callback request from the cache when its answer is known; keep new ones.
    Registered after the request checks, so only well-formed requests get here."""

    @server.before_request
    def _known_answer() -> Response | None:
        if request.method != "POST" or request.path != UPDATE_PATH:
            return None
        key = _response_key()
        entry = shared_get(key) if key else None
        if entry is None:
            return None
        return precompressed.respond(
            entry["body"], entry["variants"], "application/json", NOT_CACHED, entry["etag"]
        )

    @server.after_request
    def _keep_answer(response: Response) -> Response:
        if (
            request.method != "POST"
            or request.path != UPDATE_PATH
            or response.status_code != 200
            or "Content-Encoding" in response.headers
            or response.mimetype != "application/json"
        ):
            return response
        key = _response_key()
        if key is not None and shared_get(key) is None:
            body = response.get_data()
            shared_set(
                key,
                {
                    "body": body,
                    "variants": precompressed.compress(body, quality=5),
                    "etag": precompressed.etag(body),
                },
            )
        return response
