"""One ETL run at a time: a lock held for the whole run.

:func:`run_lock` takes an exclusive, non-blocking ``fcntl.flock`` on a lock file. The lock
belongs to the open file, so the operating system releases it when the process ends in
any way, including ``SIGKILL`` or a crash: a dead run never blocks the next one, and there
is no stale lock to clean up by hand. The holder writes its pid and start time into the
file so that the refusal can say who holds it.

Scope and limits:

* ``flock`` locks are per machine. Keep the lock file on a local disk (``flock`` on NFS is
  not reliable) and run the ETL on one machine (the Procfile's single ``worker``).
* When ETL workers may run on several machines against one PostgreSQL database, use
  :func:`postgres_advisory_lock` instead (or as well): a session-level advisory lock held by
  the database, released when the holding connection ends, including when its process dies.
* The lock file is never deleted: removing it while another process waits on the same
  path would let two processes lock two different files.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, text


class LockHeld(RuntimeError):
    """Another ETL run holds the lock. ``pid`` and ``started`` are the holder's, if known."""

    def __init__(self, message: str, pid: int | None = None, started: str | None = None):
        super().__init__(message)
        self.pid = pid
        self.started = started


@contextmanager
def run_lock(path: str | Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` for the ``with`` block, or raise :class:`LockHeld`.

    Never waits: a second run refuses at once with "another ETL run is in progress (pid N,
    started ...)". The file's folder is created if needed.
    """
    lock_path = Path(path)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid, started = _holder(fd)
            who = f"pid {pid if pid is not None else 'unknown'}, started {started or 'unknown'}"
            raise LockHeld(
                f"another ETL run is in progress ({who}); lock file {lock_path}", pid, started
            ) from None
        _write_holder(fd)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # the file no longer names a holder
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _write_holder(fd: int) -> None:
    holder = {
        "pid": os.getpid(),
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "host": socket.gethostname(),
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(holder).encode("utf-8"), 0)
    os.fsync(fd)


def _holder(fd: int) -> tuple[int | None, str | None]:
    """What the current holder wrote (it may not have written yet: then unknown)."""
    try:
        holder = json.loads(os.pread(fd, 4096, 0).decode("utf-8"))
    except (OSError, ValueError):
        return None, None
    if not isinstance(holder, dict):
        return None, None
    pid = holder.get("pid")
    started = holder.get("started")
    return (
        pid if isinstance(pid, int) else None,
        started if isinstance(started, str) else None,
    )


def advisory_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a name (e.g. ``"belltown-lead-etl"``)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def postgres_advisory_lock(engine: Engine, key: int) -> Iterator[None]:
    """Hold PostgreSQL's session advisory lock ``key`` for the block, or raise LockHeld.

    For ETL workers on several machines sharing one database. ``pg_try_advisory_lock``
    never waits; the lock lives as long as this dedicated connection, so a killed run's
    lock is released by the server when its connection drops. It is released explicitly
    before the connection goes back to the pool.
    """
    if engine.dialect.name != "postgresql":
        raise ValueError(
            f"advisory locks need PostgreSQL, not {engine.dialect.name}; use run_lock()"
        )
    with engine.connect() as conn:
        acquired = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
        conn.commit()
        if not acquired:
            raise LockHeld(
                f"another ETL run is in progress (it holds database advisory lock {key})"
            )
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            conn.commit()
