"""Data folders written by released schema revisions open, migrate and stay readable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.context import AppContext
from app.store.migrate import current_revision

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize("name", ["store-0001"])
def test_old_store_migrates_and_reads(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / name
    shutil.copytree(FIXTURES / name, folder)
    monkeypatch.setenv("YIBAO_KEYRING_PASSWORD", "fixture-0001")
    ctx = AppContext.open(folder)
    try:
        from alembic.script import ScriptDirectory

        from app.store.migrate import alembic_config

        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert current_revision(ctx.db.engine) == head
        rows = ctx.queue.filings()
        assert len(rows) == 8
        assert all(r.person_masked and "*" in r.person_masked for r in rows)  # decrypts
        assert sum(r.materials for r in rows) == 1
        assert ctx.db.integrity_check() == "ok"
    finally:
        ctx.close()


def test_store_0003_with_queued_filings_upgrades_and_keeps_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0004 adds columns to `outbox` and `material` with plain ADD COLUMN: the filings queued
    before the upgrade stay, with their materials and unsent outbox entries, and go out as
    filings (no command)."""
    from sqlalchemy import func, select

    from app.store.models import Command, Filing, Material, OutboxEntry
    from sync.outbox import OutboxStore

    folder = tmp_path / "store-0003"
    shutil.copytree(FIXTURES / "store-0003", folder)
    monkeypatch.setenv("YIBAO_KEYRING_PASSWORD", "fixture-0003")
    ctx = AppContext.open(folder)
    try:
        assert current_revision(ctx.db.engine) == "0004"
        rows = ctx.queue.filings()
        assert len(rows) == 7
        assert all(r.person_masked and "*" in r.person_masked for r in rows)
        assert sum(r.materials for r in rows) == 2
        assert ctx.queue.counts().outbox_by_state == {"pending": 7}
        with ctx.db.read() as s:
            assert s.execute(select(func.count()).select_from(Command)).scalar_one() == 0
            assert (
                s.execute(
                    select(func.count()).where(OutboxEntry.command_id.is_not(None))
                ).scalar_one()
                == 0
            )
            assert (
                s.execute(select(func.count()).where(Material.command_id.is_not(None))).scalar_one()
                == 0
            )
            pending = s.execute(select(Filing.uid).where(Filing.materials_pending)).scalars().all()
        assert len(pending) == 1
        due = OutboxStore(ctx.db, ctx.cipher).due(100)
        assert len(due) == 7 and {d.kind for d in due} == {"filing"}
        assert sum(len(d.attachments) for d in due) == 2
        with ctx.db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert ctx.db.integrity_check() == "ok"
    finally:
        ctx.close()
