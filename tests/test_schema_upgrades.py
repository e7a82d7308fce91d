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
