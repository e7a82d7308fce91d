"""The centre's schema through alembic migrations, from the first table: pilots keep their
data across releases, and a database from a newer release is refused, not guessed at."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class CentreSchemaTooNew(RuntimeError):
    pass


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade_to_head(engine: Engine) -> None:
    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if current == script.get_current_head():
        return
    if current is not None and current not in {r.revision for r in script.walk_revisions()}:
        raise CentreSchemaTooNew(
            f"中心数据库来自更新的版本（{current}），请升级。"
            f" The centre's database comes from a newer release ({current})."
        )
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
