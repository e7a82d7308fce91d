"""The models and the migrations describe the same schema, for the store and the centre:
a model changed without a migration fails here, not on a pilot's machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command

import central.migrate
from app.store import migrate


@pytest.mark.parametrize("module", [migrate, central.migrate], ids=["store", "centre"])
def test_no_model_change_lacks_a_migration(module: object, tmp_path: Path) -> None:
    cfg = module.alembic_config()  # type: ignore[attr-defined]
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path / 'schema.db'}")
    command.upgrade(cfg, "head")
    command.check(cfg)  # raises when autogenerate would find a difference
