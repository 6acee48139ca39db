"""Database engines and migrations for the writer (the ETL) and the reader (the site)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from etl.settings import PROJECT_ROOT


def writer_engine(database_url: str) -> Engine:
    """Engine the ETL writes with; creates the SQLite file's folder if needed."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_writer_settings)
    return engine


def reader_engine(database_url: str) -> Engine:
    """Engine the web process reads with: it cannot write.

    SQLite is opened with ``mode=ro``; PostgreSQL sessions start read-only
    (``default_transaction_read_only``). In production also give the site a role with
    SELECT rights only.
    """
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        path = Path(url.database or "").resolve()
        engine = create_engine(
            f"sqlite:///file:{path.as_posix()}?mode=ro&uri=true",
            connect_args={"check_same_thread": False},
        )
        event.listen(engine, "connect", _sqlite_read_only)
        return engine
    if backend == "postgresql":
        return create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"options": "-c default_transaction_read_only=on"},
        )
    return create_engine(url)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent)."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


# What a reader's SQLite connection may do: read, call functions, run transactions, read
# (not set) pragmas. ``mode=ro`` alone does not stop ``ATTACH`` (which opens, even creates,
# another file read-write) or a write to an attached database.
_READER_ACTIONS = frozenset(
    {
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_SELECT,
        sqlite3.SQLITE_FUNCTION,
        sqlite3.SQLITE_TRANSACTION,
        sqlite3.SQLITE_SAVEPOINT,
        sqlite3.SQLITE_RECURSIVE,
    }
)


def _reader_authorizer(
    action: int, first: str | None, second: str | None, _database: str | None, _trigger: str | None
) -> int:
    if action == sqlite3.SQLITE_FUNCTION and first == "load_extension":
        return sqlite3.SQLITE_DENY
    if action in _READER_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and second is None:  # reading a pragma, not setting one
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _sqlite_read_only(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """The web's SQLite connection: no writes anywhere, no ATTACH, no extensions."""
    dbapi_connection.execute("PRAGMA query_only = ON")
    if hasattr(dbapi_connection, "enable_load_extension"):
        dbapi_connection.enable_load_extension(False)
    dbapi_connection.set_authorizer(_reader_authorizer)


def _sqlite_writer_settings(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """Foreign keys on; and write-ahead logging, so a run killed at any instant, even inside
    its commit, leaves readers the last committed run: they read around an unfinished
    transaction in the log, where a rollback journal would leave a "hot" journal that only a
    writer may undo (a read-only site would then answer nothing until the next run). The
    mode is kept in the database file."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
