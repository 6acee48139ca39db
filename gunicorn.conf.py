"""gunicorn settings. gunicorn reads this file from the working directory by default, so the
Procfile's plain ``gunicorn app:server`` uses it too.

Values come from the settings registry (HOST, PORT, WEB_CONCURRENCY, LOG_LEVEL), so the
Procfile, `make run` and the browser tests all serve the site the same way.
"""

from etl import settings

bind = f"{settings.get('HOST')}:{settings.get('PORT')}"
workers = settings.get("WEB_CONCURRENCY")
# Threads: the briefing PDF route opens the site in headless Chromium, whose requests must be
# served while the route waits (dashboard/pdf.py).
worker_class = "gthread"
threads = settings.get("WEB_THREADS")
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound. The app is built
# once in the master (preload_app) and each worker is a fork of it, so a recycled worker is
# serving again within milliseconds instead of after seconds of importing and building the
# pages (during which, with two workers, half the capacity was gone and requests queued
# past their timeouts). The jitter staggers the recycling of the workers: each restarts
# after 2,000 to 2,500 requests, so they rarely go at once.
preload_app = True
max_requests = 2000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
loglevel = settings.get("LOG_LEVEL").lower()
# Query strings can hold filter values only; no personal data reaches the site at all.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
# gunicorn's control socket (a fixed path under $HOME) is not used; several instances on
# one machine (tests, benchmarks) would otherwise compete for it.
control_socket_disable = True


def when_ready(server: object) -> None:
    """In the master, with the app preloaded: Dash's first-request set-up, once, so that no
    forked or recycled worker pays for it (or serves requests while it runs)."""
    import app  # noqa: PLC0415 - preloaded by now

    try:
        with app.server.app_context():
            app.app._setup_server()  # noqa: SLF001 - Dash's own set-up, run early
    except Exception:  # noqa: BLE001 - the workers still set up on their first request
        server.log.exception("Dash set-up in the master failed; workers will do it")  # type: ignore[attr-defined]


def post_fork(server: object, worker: object) -> None:
    """Each worker opens its own database connections: none may be inherited."""
    from dashboard import data  # noqa: PLC0415 - the app is loaded by now (preload_app)

    data.forget_engines()
