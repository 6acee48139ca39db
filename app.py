"""Entry point: ``gunicorn app:server``. Builds the app; reads no data at import."""

from dashboard.app_factory import create_app

app = create_app()
server = app.server
