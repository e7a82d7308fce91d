"""Running alembic from code (no alembic.ini), shared by the terminal's store and the centre.

Both refuse a database whose revision they do not know: it was written by a newer release,
and guessing at its schema risks the data.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, create_engine


def alembic_config(migrations_dir: Path) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(migrations_dir: Path) -> str | None:
    return ScriptDirectory.from_config(alembic_config(migrations_dir)).get_current_head()


def upgrade_to_head(
    engine: Engine, migrations_dir: Path, too_new: Callable[[str], Exception]
) -> None:
    """Migrate to the newest revision; raise `too_new(revision)` for an unknown one."""
    cfg = alembic_config(migrations_dir)
    script = ScriptDirectory.from_config(cfg)
    current = current_revision(engine)
    if current == script.get_current_head():
        return
    if current is not None and current not in {r.revision for r in script.walk_revisions()}:
        raise too_new(current)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def run_env(metadata: MetaData) -> None:
    """The body of a migrations folder's env.py: use the connection handed in by
    `upgrade_to_head`, or, for `alembic revision --autogenerate`, the configured URL."""
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection, metadata)
        return
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///autogen.db"
    with create_engine(url).connect() as conn:
        _run(conn, metadata)


def _run(connection: Connection, metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
