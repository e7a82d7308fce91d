"""Operators logging in on an activated terminal against the reference centre (a real process
on 127.0.0.1): the first log-in online, then offline with the centre stopped, a password change,
a suspended operator, and a password reset that the centre wants changed at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.context import AppContext
from app.services.login_service import LoginFailed
from app.store.models import AuditEvent, Operator
from central import admin
from central.db import Database as CentralDatabase
from sync.activation import activate
from sync.engine import SyncEngine
from sync.operator_login import LoginRefused, OperatorInactive
from tests.centre_process import Centre
from ui.login.logins import Logins

PASSWORD = "Counter@2026"


@pytest.fixture
def station(centre: Centre, data_dir: Path) -> Iterator[tuple[AppContext, str]]:
    out = centre.admin("seed-demo", "--json", "--operator-password", PASSWORD)
    assert out.returncode == 0, out.stderr
    import json

    seeded = json.loads(out.stdout.strip().splitlines()[-1])
    ctx = AppContext.open(data_dir)
    try:
        activate(ctx, centre.url, seeded["enrolment_code"], "test-terminal")
        assert SyncEngine(ctx).run_once().error is None  # the roster comes down
        yield ctx, seeded["station"]
    finally:
        ctx.close()


def verifier_of(ctx: AppContext, code: str) -> str | None:
    with ctx.db.read() as s:
        return s.execute(select(Operator.verifier).where(Operator.code == code)).scalar_one()


def test_online_then_offline_then_a_new_password(
    centre: Centre, station: tuple[AppContext, str], tmp_path: Path
) -> None:
    ctx, _ = station
    logins = Logins(ctx)
    assert verifier_of(ctx, "DEMO01") is None  # nothing cached before the first log-in
    with pytest.raises(LoginRefused):
        logins.login("DEMO01", "Wrong-pass-1")  # the centre judges: no offline fallback
    first = logins.login("DEMO01", PASSWORD)
    assert first.online and first.operator.code == "DEMO01" and first.offline_until is not None
    cached = verifier_of(ctx, "DEMO01")
    assert cached is not None and PASSWORD not in cached
    # A second log-in moves on; changing the password needs the centre.
    logins.change_password("DEMO01", PASSWORD, "Counter@2027")
    assert logins.login("DEMO01", "Counter@2027").online
    centre.process.terminate()
    centre.process.wait(10)
    offline = logins.login("DEMO01", "Counter@2027")  # the centre is gone: the verifier decides
    assert not offline.online
    with pytest.raises(LoginFailed):
        logins.login("DEMO01", PASSWORD)  # the old password no longer works, offline either
    with pytest.raises(LoginFailed) as never:
        logins.login("DEMO02", PASSWORD)  # never logged in here: needs the network first
    assert "首次在本终端登录需要联网" in never.value.zh
    with pytest.raises(Exception) as offline_change:
        logins.change_password("DEMO01", "Counter@2027", "Counter@2028")
    assert "无法连接" in str(getattr(offline_change.value, "zh", ""))
    with ctx.db.read() as s:
        details = (
            s.execute(select(AuditEvent.detail).where(AuditEvent.action == "operator.login"))
            .scalars()
            .all()
        )
    assert details == ["online", "online", "offline"]


def test_a_suspended_operator_loses_the_offline_log_in(
    centre: Centre, station: tuple[AppContext, str]
) -> None:
    ctx, station_code = station
    logins = Logins(ctx)
    assert logins.login("DEMO01", PASSWORD).online
    db = CentralDatabase(centre.db_url)
    admin.set_operator(db, station_code, "DEMO01", "李明", ["township_agent"], status="suspended")
    with pytest.raises(OperatorInactive):
        logins.login("DEMO01", PASSWORD)
    assert verifier_of(ctx, "DEMO01") is None
    centre.process.terminate()
    centre.process.wait(10)
    with pytest.raises(LoginFailed):
        logins.login("DEMO01", PASSWORD)  # and not offline either


def test_a_reset_password_must_be_changed(centre: Centre, station: tuple[AppContext, str]) -> None:
    ctx, station_code = station
    db = CentralDatabase(centre.db_url)
    admin.set_operator_password(db, station_code, "DEMO02", "Reset@2026", must_change=True)
    logged = Logins(ctx).login("DEMO02", "Reset@2026")
    assert logged.must_change_password
