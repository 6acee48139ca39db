"""Browser tier: the site served by gunicorn (as in production) in headless Chromium.

Chromium comes from Debian's ``chromium`` package (``/usr/bin/chromium``), driven by
Playwright. Without it the tier skips with the reason, except under ``CI=true``, where a
missing browser is a failure.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from etl import cli, pipeline
from etl.settings import PROJECT_ROOT, SAMPLE_DATA_DIR

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_SECONDS = 60


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    reason = f"headless Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def published_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("browser-db")
    url = f"sqlite:///{folder / 'lead.db'}"
    os.environ.setdefault("QUARANTINE_DIR", str(folder / "quarantine"))
    sources = sorted(str(p) for p in (SAMPLE_DATA_DIR / "seattle").glob("spd_crime_nibrs_*.csv"))
    extract = folder / "demo_program_extract"
    assert cli.main(["demo", "--out", str(extract)]) == 0
    pipeline.run(database_url=url, nibrs_sources=sources, program_extract_dir=str(extract))
    return url


@pytest.fixture(scope="session")
def pdf_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the served site keeps the briefing PDFs it has printed."""
    return tmp_path_factory.mktemp("pdf-cache")


@pytest.fixture(scope="session")
def base_url(
    published_database: str, pdf_cache: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """gunicorn serving ``app:server`` with the production config, on a free port."""
    _require_chromium()
    port = _free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": published_database,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
        "PDF_CACHE_DIR": str(pdf_cache),
    }
    # As after every ETL run: each page built, its charts rendered as static SVG, into the
    # cache the site reads (python -m dashboard.warm).
    warmed = subprocess.run(
        [sys.executable, "-m", "dashboard.warm"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert warmed.returncode == 0, warmed.stderr[-3000:]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [str(gunicorn), "--config", "gunicorn.conf.py", "app:server"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, process, log)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url + "/", timeout=10).status_code == 200:
                _warm(url)
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {SERVER_START_SECONDS}s")


def _warm(url: str) -> None:
    """Each worker's first requests made before the first test, as a deployed site has
    served some already. Several at once, so both workers get some."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(lambda path: requests.get(url + path, timeout=60), ["/about", "/"] * 2)
        )
    assert all(a.status_code == 200 for a in answers), [a.status_code for a in answers]


@pytest.fixture(scope="session")
def browser(base_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A fresh browser context per test, recording console errors and page errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.console_errors = []
    page.on(
        "console",
        lambda message: (
            page.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


INTERACTIVE = (
    "!document.getElementById('ssr') || document.documentElement.classList.contains('hydrated')"
)


def wait_until_interactive(page: object) -> None:
    """Start the interactive page as a reader's first interaction does
    (assets/interactive.js), and wait until it has replaced the served one (at once on a
    page that is not served that way, such as an error page)."""
    page.evaluate("window.leadHydrate && window.leadHydrate()")  # type: ignore[attr-defined]
    page.wait_for_function(INTERACTIVE, timeout=30_000)  # type: ignore[attr-defined]


@pytest.fixture(scope="session", autouse=True)
def _visits_wait_for_the_interactive_page() -> Iterator[None]:
    """Each page is served whole and the interactive page takes its place once its charts
    are drawn (assets/hydrate.js). Tests act on the interactive page, so every visit
    (``page.goto``) waits for it; a test about the served page itself uses its own means."""
    from playwright.sync_api import Browser, Page

    served_goto = Page.goto
    plain_context = Browser.new_context

    def new_context(self: Browser, **options: object) -> object:
        # Playwright's string waits evaluate JavaScript, which the site's Content Security
        # Policy forbids (no eval): test contexts bypass it, except a test that asks for
        # it (tests/browser/test_security.py runs every page under the policy).
        options.setdefault("bypass_csp", True)
        return plain_context(self, **options)  # type: ignore[arg-type]

    Browser.new_context = new_context  # type: ignore[method-assign,assignment]

    def goto(self: Page, url: str, **options: object) -> object:
        response = served_goto(self, url, **options)  # type: ignore[arg-type]
        if not getattr(self, "scripts_off", False):
            wait_until_interactive(self)
        return response

    Page.goto = goto  # type: ignore[method-assign,assignment]
    yield
    Page.goto = served_goto  # type: ignore[method-assign]
    Browser.new_context = plain_context  # type: ignore[method-assign]
