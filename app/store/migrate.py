"""The terminal store's migrations (app/store/migrations), refusing databases from the future."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from sqlalchemy import Engine

from app.errors import UserFacingError
from app.store import alembic_runner
from app.store.alembic_runner import current_revision

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

__all__ = [
    "MIGRATIONS_DIR",
    "SchemaTooNew",
    "alembic_config",
    "current_revision",
    "upgrade_to_head",
]


class SchemaTooNew(UserFacingError):
    def __init__(self, revision: str) -> None:
        super().__init__(
            f"本地数据库来自更新版本的程序（{revision}），请升级本程序后再打开。",
            f"The local database comes from a newer version ({revision}); upgrade first.",
        )


def alembic_config() -> Config:
    return alembic_runner.alembic_config(MIGRATIONS_DIR)


def upgrade_to_head(engine: Engine) -> None:
    alembic_runner.upgrade_to_head(engine, MIGRATIONS_DIR, SchemaTooNew)
