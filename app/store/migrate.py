"""Running alembic migrations from code (no alembic.ini), refusing databases from the future."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from app.errors import UserFacingError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class SchemaTooNew(UserFacingError):
    def __init__(self, revision: str) -> None:
        super().__init__(
            f"本地数据库来自更新版本的程序（{revision}），请升级本程序后再打开。",
            f"The local database comes from a newer version ({revision}); upgrade first.",
        )


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    current = current_revision(engine)
    head = script.get_current_head()
    if current == head:
        return
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise SchemaTooNew(current)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
