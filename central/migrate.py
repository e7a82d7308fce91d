"""The centre's schema through alembic migrations (central/migrations), from the first table:
pilots keep their data across releases, and a database from a newer release is refused."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from sqlalchemy import Engine

from app.store import alembic_runner

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class CentreSchemaTooNew(RuntimeError):
    def __init__(self, revision: str) -> None:
        super().__init__(
            f"中心数据库来自更新的版本（{revision}），请升级。"
            f" The centre's database comes from a newer release ({revision})."
        )


def alembic_config() -> Config:
    return alembic_runner.alembic_config(MIGRATIONS_DIR)


def upgrade_to_head(engine: Engine) -> None:
    alembic_runner.upgrade_to_head(engine, MIGRATIONS_DIR, CentreSchemaTooNew)
