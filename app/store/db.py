"""The one module that creates engines and sessions.

SQLite runs in WAL mode with `synchronous=FULL` (a commit that returned survives power loss)
and foreign keys on. Sessions are short-lived and never shared between threads: each thread
opens its own through `Database.read()` or `Database.write()`. Writers take the lock up front
(`BEGIN IMMEDIATE`), so two writers queue on the busy timeout instead of failing half-way.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import UserFacingError
from app.store.migrate import upgrade_to_head

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
)


def sql_time(value: dt.datetime) -> str:
    """A naive UTC datetime in the text form SQLAlchemy's SQLite `DateTime` stores and reads."""
    return value.isoformat(sep=" ", timespec="microseconds")


class StoreUnavailable(UserFacingError):
    """The database file cannot be used: disk full, locked, unreadable or corrupt."""


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # We issue BEGIN ourselves (see _on_begin), so the driver must not.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    for pragma in PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _on_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", pool_size=8, max_overflow=4)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def explain_operational_error(exc: DatabaseError | sqlite3.Error) -> StoreUnavailable:
    """Tell a known environment problem from our bug, in words for people."""
    text = str(exc).lower()
    if "disk is full" in text or "database or disk is full" in text:
        return StoreUnavailable(
            "磁盘已满，无法保存。请清理磁盘后重试，已保存的数据不受影响。",
            "The disk is full; nothing more can be saved. Free some space; saved data is intact.",
        )
    if "locked" in text or "busy" in text:
        return StoreUnavailable(
            "数据库正被另一个程序占用，请稍后重试。",
            "The database is in use by another program; please try again shortly.",
        )
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return StoreUnavailable(
            "本地数据库已损坏，请联系技术人员。",
            "The local database is damaged; call a technician.",
        )
    return StoreUnavailable(
        "本地数据库无法打开，请联系技术人员。",
        "The local database cannot be opened; call a technician.",
    )


class Database:
    """Engine and session factories for one SQLite file."""

    def __init__(self, path: Path, *, migrate: bool = True) -> None:
        self.path = path
        self._local = threading.local()
        self._raw_lock = threading.Lock()
        self._raw_connections: list[sqlite3.Connection] = []
        self.engine = make_engine(path)
        try:
            if migrate:
                upgrade_to_head(self.engine)
        except DatabaseError as exc:
            self.engine.dispose()
            raise explain_operational_error(exc) from exc
        self._reader = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            self.engine.execution_options(sqlite_begin="IMMEDIATE"), expire_on_commit=False
        )

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; closing it ends the transaction without writing anything."""
        session = self._reader()
        try:
            yield session
        finally:
            session.close()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session holding the write lock; commits on success, rolls back on any error."""
        session = self._writer()
        try:
            yield session
            session.commit()
        except IntegrityError:
            session.rollback()
            raise  # a broken constraint is our bug, not the environment's
        except DatabaseError as exc:
            session.rollback()
            raise explain_operational_error(exc) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def _thread_connection(self) -> sqlite3.Connection:
        """This thread's own DBAPI connection for `raw_write`, opened once with our pragmas."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, check_same_thread=False)
            _on_connect(conn, None)
            self._local.conn = conn
            with self._raw_lock:
                self._raw_connections.append(conn)
        return conn

    @contextmanager
    def raw_write(self) -> Iterator[sqlite3.Cursor]:
        """The write lock on a bare DBAPI cursor, for the one hot path: saving a filing.

        SQLAlchemy costs more per statement than SQLite does; a save runs a handful of
        statements and an fsync while the operator waits. Everything else uses `write()`.
        The schema is still alembic's, and the tests run every statement written this way.
        Each thread keeps its own connection, as each thread keeps its own session.
        """
        conn = self._thread_connection()
        cursor = conn.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
                cursor.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.IntegrityError:
            raise  # a broken constraint is our bug, not the environment's
        except sqlite3.DatabaseError as exc:
            raise explain_operational_error(exc) from exc
        finally:
            cursor.close()

    def integrity_check(self) -> str:
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("PRAGMA integrity_check").scalar())

    def close(self) -> None:
        with self._raw_lock:
            for conn in self._raw_connections:
                conn.close()
            self._raw_connections.clear()
        self.engine.dispose()
