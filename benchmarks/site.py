"""The site under test: a database the ETL filled, served by gunicorn on 127.0.0.1.

:func:`running_site` starts ``gunicorn --config gunicorn.conf.py app:server`` (the same
command as the Procfile and ``make serve``) in its own process group with a temporary
DATABASE_URL, CACHE_DIR and a free loopback port, waits until it answers, and always stops
the whole process group on the way out.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

from etl import pipeline, settings
from etl.demo import write_demo_extract

logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 30.0
PROBE_PATH = "/quality-of-life"


@dataclass(frozen=True)
class Site:
    """A running server: where it listens and how it was configured."""

    base_url: str
    port: int
    workers: int
    database_url: str
    log_path: Path
    startup_seconds: float

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


def require_loopback(url: str) -> None:
    """Refuse any URL that is not on 127.0.0.1: benchmarks send traffic nowhere else."""
    host = urlsplit(url).hostname
    if host != LOOPBACK:
        raise ValueError(f"benchmarks only send traffic to {LOOPBACK}, not to {host!r}")


@contextlib.contextmanager
def scoped_environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a block, then restore them.

    The settings registry reads ``os.environ`` at call time, so this is how an in-process
    ETL run is pointed at temporary folders.
    """
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def publish_sample_database(folder: Path) -> tuple[str, str]:
    """Run the ETL in-process on the bundled sample into a new SQLite file in ``folder``.

    Returns the database URL and the run's summary message.
    """
    database_url = f"sqlite:///{(folder / 'lead.db').as_posix()}"
    extract = folder / "demo_program_extract"
    write_demo_extract(extract)
    with scoped_environ({"QUARANTINE_DIR": str(folder / "quarantine")}):
        summary = pipeline.run(database_url=database_url, program_extract_dir=str(extract))
    logger.info("site database: %s (%s)", database_url, summary.message)
    return database_url, summary.message


def free_loopback_port() -> int:
    """A port nothing listens on right now (the OS picks it; a tiny race is possible)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def site_environment(folder: Path, database_url: str, port: int, workers: int) -> dict[str, str]:
    """The site's settings for a benchmark: temporary folders, loopback, ``workers``."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "HOST": LOOPBACK,
        "PORT": str(port),
        "WEB_CONCURRENCY": str(workers),
        "CACHE_DIR": str(folder / "cache"),
        "PDF_CACHE_DIR": str(folder / "pdf-cache"),
        "QUARANTINE_DIR": str(folder / "quarantine"),
        "COMPRESSED_ASSETS_DIR": str(folder / "compressed-assets"),
    }


def warm_site(env: Mapping[str, str]) -> float:
    """``python -m dashboard.warm``, as after every ETL run: every page built, its charts
    rendered as static SVG, into the site's cache. Returns the seconds it took."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "dashboard.warm"],
        cwd=settings.PROJECT_ROOT,
        env=dict(env),
        check=True,
        capture_output=True,
        timeout=900,
    )
    return time.perf_counter() - started


@contextlib.contextmanager
def running_site(folder: Path, workers: int | None = None) -> Iterator[Site]:
    """Fill a database with the ETL, build its pages as a run does, start gunicorn on it,
    yield, and always stop it."""
    database_url, _message = publish_sample_database(folder)
    port = free_loopback_port()
    worker_count = workers if workers is not None else int(settings.get("WEB_CONCURRENCY"))
    env = site_environment(folder, database_url, port, worker_count)
    logger.info("pages built and charts rendered in %.1f s", warm_site(env))
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "app:server"]
    base_url = f"http://{LOOPBACK}:{port}"
    with _serving(command, env, folder / "gunicorn.log", base_url + PROBE_PATH) as seconds:
        yield Site(base_url, port, worker_count, database_url, folder / "gunicorn.log", seconds)


@contextlib.contextmanager
def running_bare(folder: Path, workers: int = 2) -> Iterator[Site]:
    """The reference app (``benchmarks.bare_app``) under gunicorn with ``workers`` sync
    workers and gunicorn's defaults otherwise."""
    port = free_loopback_port()
    config = folder / "bare.conf.py"
    config.write_text(f'bind = "{LOOPBACK}:{port}"\nworkers = {workers}\n', encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(config),
        "benchmarks.bare_app:server",
    ]
    base_url = f"http://{LOOPBACK}:{port}"
    with _serving(command, dict(os.environ), folder / "bare.log", base_url + "/") as seconds:
        yield Site(base_url, port, workers, "", folder / "bare.log", seconds)


@contextlib.contextmanager
def _serving(
    command: list[str], env: Mapping[str, str], log_path: Path, probe_url: str
) -> Iterator[float]:
    """Start ``command`` in its own process group, wait until ``probe_url`` answers, yield
    the seconds that took, and always stop the whole group."""
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.PROJECT_ROOT,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            _wait_until_answering(process, probe_url, log_path)
            seconds = round(time.perf_counter() - started, 2)
            logger.info(
                "gunicorn (pid %s) answers %s after %.1f s", process.pid, probe_url, seconds
            )
            yield seconds
        finally:
            _stop(process)


def worker_restarts(site: Site) -> int:
    """How many times gunicorn recycled a worker (``max_requests``) so far."""
    text = site.log_path.read_text(encoding="utf-8", errors="replace")
    return text.count("Autorestarting worker")


def _wait_until_answering(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    require_loopback(url)
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    attempts = int(STARTUP_TIMEOUT_SECONDS / 0.2) + 1
    for _attempt in range(attempts):
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{_tail(log_path)}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    raise RuntimeError(
        f"gunicorn did not answer {url} within {STARTUP_TIMEOUT_SECONDS:.0f} s:\n{_tail(log_path)}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate gunicorn's whole process group (arbiter and workers); kill if it lingers.

    On SIGTERM the arbiter stops its workers (within ``graceful_timeout``) and exits.
    """
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        logger.warning("gunicorn did not stop within %.0f s; killing it", STOP_TIMEOUT_SECONDS)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_SECONDS)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])
