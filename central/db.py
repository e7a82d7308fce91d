"""Engine and sessions for the centre's database, SQLite by default.

The schema comes from alembic migrations (`central/migrations`), from the first table.
Queries stay in portable SQLAlchemy Core/ORM, so PostgreSQL (a later issue) is a URL, not a
rewrite.

SQLite: WAL (readers never wait for the writer), foreign keys on, a busy timeout, and
`synchronous=FULL` because a receipt number handed out must survive a power cut. Write
transactions start with `BEGIN IMMEDIATE`: two deferred transactions that both read and then
both try to write would otherwise fail with "database is locked" instead of waiting.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from central.migrate import upgrade_to_head

DEFAULT_DB_URL = "sqlite:///yibao-central.db"
BUSY_TIMEOUT_MS = 15_000


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL, or None (another backend, or in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _sqlite_engine(url: str) -> Engine:
    path = sqlite_file(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        pool_size=16,
        max_overflow=32,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # The driver's own implicit BEGIN is switched off; `_on_begin` issues ours.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("centre_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """The centre's database: `write()` for transactions that change rows, `read()` else."""

    def __init__(self, url: str) -> None:
        self.url = url
        if is_sqlite(url):
            self.engine = _sqlite_engine(url)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=16, max_overflow=32)
        self._reads = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = self.engine.execution_options(centre_write=True)
        self._writes = sessionmaker(self._writer, expire_on_commit=False)

    def create_schema(self) -> None:
        upgrade_to_head(self.engine)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction that commits on success and rolls back on any exception."""
        with self._writes() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reads() as session, session.begin():
            yield session

    @contextmanager
    def write_core(self) -> Iterator[Connection]:
        """Like `write()`, as a plain Core connection: for the hot paths (intake, nonces,
        attachment chunks), where the ORM's unit of work costs more than the SQL."""
        with self._writer.begin() as conn:
            yield conn

    @contextmanager
    def read_core(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str) -> Database:
    """Open (and create if need be) the centre's database at `url`."""
    db = Database(url)
    db.create_schema()
    return db
