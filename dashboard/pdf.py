"""``/briefing.pdf?period=…&paper=letter|a4``: the Briefing page printed by headless Chromium.

The PDF is the page itself, printed with the print stylesheet, so it cannot differ from
what the browser prints. Chromium comes from Debian's ``chromium`` package
(``CHROMIUM_PATH``); where it is missing the route answers 503 with a message saying so.
The web server must be able to serve a second request while this one waits (gunicorn runs
threads per worker, ``WEB_THREADS``).

Printing takes seconds, so each PDF is printed once per data version, period, paper size,
chart and site code version, kept in ``PDF_CACHE_DIR`` (written to a temporary file and
renamed, so a reader never gets half a file) and served from there afterwards; a new data
version's PDFs are printed afresh on their first request (``benchmarks/pdf.py`` measures
both).
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections import deque
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, Response, request
from werkzeug.exceptions import BadRequest, HTTPException

from dashboard import data, kpis
from etl import settings

PDF_PATH = "/briefing.pdf"
PAPERS = {"letter": "Letter", "a4": "A4"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
READY_TIMEOUT_MS = 20_000
QUEUE_WAIT_SECONDS = 25.0  # within gunicorn's 30 s timeout


class PrintQueue:
    """One print at a time per worker process (each launches a browser, and the page it
    prints needs the worker's other threads), taken in turn: a client may have one print
    waiting or under way, no more, and at most ``capacity`` clients wait. So one client
    asking again and again can delay another by at most one print, never lock it out."""

    def __init__(self, capacity: int = 3) -> None:
        self.capacity = capacity
        self._condition = threading.Condition()
        self._waiting: deque[object] = deque()
        self._clients: set[str] = set()
        self._printing = False

    def enter(self, client: str, timeout: float) -> bool:
        """Wait for this client's turn; False if it already has one or the queue is full."""
        with self._condition:
            if client in self._clients or len(self._waiting) >= self.capacity:
                return False
            ticket = object()
            self._waiting.append(ticket)
            self._clients.add(client)
            turn = self._condition.wait_for(
                lambda: not self._printing and self._waiting[0] is ticket, timeout
            )
            if not turn:
                self._waiting.remove(ticket)
                self._clients.discard(client)
                self._condition.notify_all()
                return False
            self._waiting.popleft()
            self._printing = True
            return True

    def leave(self, client: str) -> None:
        with self._condition:
            self._printing = False
            self._clients.discard(client)
            self._condition.notify_all()


PRINTING = PrintQueue()


class PdfUnavailable(HTTPException):
    code = 503


def render_pdf(url: str, paper: str, chromium: str) -> bytes:
    """Open ``url`` in headless Chromium, wait for every chart, print it to PDF."""
    from playwright.sync_api import Error, sync_playwright  # noqa: PLC0415 -- heavy import

    if not Path(chromium).exists():
        raise PdfUnavailable(
            f"PDF download needs headless Chromium at {chromium}, which is not installed "
            "(apt-get install chromium, or set CHROMIUM_PATH). Use the browser's Print "
            "instead: it gives the same one-page brief."
        )
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                # The printer waits on the page with its own script; the page's Content
                # Security Policy (no eval) is for readers, not for our own printer.
                page = browser.new_page(bypass_csp=True)
                page.goto(url, wait_until="load", timeout=READY_TIMEOUT_MS)
                # The interactive page (charts drawn at print size by present.js and the
                # print styles) loads on a first interaction: start it.
                page.evaluate("window.leadHydrate && window.leadHydrate()")
                page.wait_for_function(
                    """() => {
                      // The interactive page, once it has replaced the served one.
                      if (!document.documentElement.classList.contains('hydrated')) {
                        return false;
                      }
                      const brief = document.querySelector('#brief');
                      if (!brief) { return false; }
                      const graphs = brief.querySelectorAll('.brief__graph');
                      return [...graphs].every((g) => g.querySelector('.main-svg'));
                    }""",
                    timeout=READY_TIMEOUT_MS,
                )
                page.emulate_media(media="print")
                return page.pdf(format=PAPERS[paper], print_background=True)
            finally:
                browser.close()
    except Error as exc:
        raise PdfUnavailable(
            f"the briefing could not be printed to PDF ({type(exc).__name__}); use the "
            "browser's Print instead"
        ) from exc


def install(server: Flask) -> None:
    @server.route(PDF_PATH, methods=["GET"])
    def briefing_pdf() -> Response:
        unknown = sorted(set(request.args) - {"period", "paper", "chart"})
        if unknown:
            raise BadRequest(f"unknown parameter {unknown[0]!r}")
        paper = request.args.get("paper", "letter")
        if paper not in PAPERS:
            raise BadRequest("paper must be letter or a4")
        period = kpis.parse_period(request.args.get("period"))
        if request.args.get("period") is not None and period is None:
            raise BadRequest("period must look like 2014-Q3 or 2014")
        chart = request.args.get("chart")
        if chart is not None and chart not in ("offenses", "treatment", "overdoses"):
            raise BadRequest("chart must be offenses, treatment or overdoses")
        run = data.published_run()
        if period is None and run is not None:
            period = kpis.default_period(run)  # "latest" is a fixed period of this version
        name = f"belltown-lead-briefing_{period.key if period else 'latest'}_{paper}.pdf"
        cached = cache_path(run, period, paper, chart)
        if cached is not None and cached.is_file():
            return pdf_response(cached.read_bytes(), name)
        params = ({"period": period.key} if period else {}) | ({"chart": chart} if chart else {})
        query = urlencode(params)
        # The page is printed from the site's public address (PUBLIC_BASE_URL), never from
        # the Host header a client sends (which could point the server's browser anywhere).
        page_url = f"{settings.public_base_url()}/briefing" + (f"?{query}" if query else "")
        client = request.remote_addr or "unknown"
        if not PRINTING.enter(client, QUEUE_WAIT_SECONDS):
            response = Response(
                "Briefing PDFs are being printed for other readers, or one is already being "
                "printed for you; try again in a few seconds.",
                status=503,
                mimetype="text/plain",
            )
            response.headers["Retry-After"] = "10"
            return response
        try:
            if cached is not None and cached.is_file():  # printed while this one waited
                return pdf_response(cached.read_bytes(), name)
            content = render_pdf(page_url, paper, settings.get("CHROMIUM_PATH"))
            if cached is not None:
                keep(cached, content)
        finally:
            PRINTING.leave(client)
        return pdf_response(content, name)


def cache_path(
    run: data.PublishedRun | None, period: kpis.Period | None, paper: str, chart: str | None
) -> Path | None:
    """Where the PDF of this view of this data version is kept (None: nothing published)."""
    if run is None:
        return None
    key = "_".join(
        [run.run_id, data.code_version(), period.key if period else "none", paper, chart or "all"]
    )
    return Path(settings.get("PDF_CACHE_DIR")) / f"{key}.pdf"


def keep(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` atomically (a temporary file in the folder, renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def pdf_response(content: bytes, name: str) -> Response:
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    # The PDF of "latest" changes with the next data version: let caches keep it briefly.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
