"""The terminal's audit trail reaches the real reference centre (a `yibao central serve`
process): in order, resumably, checked link by link, and a tampered row stops it there."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app.context import AppContext
from app.services import audit
from app.store.models import AuditEvent
from central.db import Database as CentralDatabase
from central.models import AuditEvent as CentreAuditEvent
from sync.activation import activate, device_identity
from sync.audit_upload import AUDIT_CURSOR, AUDIT_ERROR, events_after
from sync.engine import SyncEngine
from sync.errors import CentreRefused
from sync.state import SyncStateStore
from sync.transport import CentralClient
from tests.centre_process import Centre


@pytest.fixture
def activated(centre: Centre, data_dir: Path) -> Iterator[AppContext]:
    seeded = centre.seed_demo()
    ctx = AppContext.open(data_dir)
    try:
        activate(ctx, centre.url, seeded["enrolment_code"], "test-terminal")
        yield ctx
    finally:
        ctx.close()


def note(ctx: AppContext, n: int, detail: str = "") -> None:
    """`n` events, as the services record them (one transaction)."""
    with ctx.db.raw_write() as cur:
        for i in range(n):
            audit.record(
                cur, "document.printed", operator="DEMO01", subject=f"doc:{i}", detail=detail
            )


def local_count(ctx: AppContext) -> int:
    with ctx.db.read() as s:
        return int(s.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def centre_events(centre: Centre) -> list[tuple[int, str]]:
    db = CentralDatabase(centre.db_url)
    try:
        with db.read() as s:
            rows = s.execute(
                select(CentreAuditEvent.client_id, CentreAuditEvent.hash).order_by(
                    CentreAuditEvent.client_id
                )
            ).all()
            return [(int(i), str(h)) for i, h in rows]
    finally:
        db.dispose()


def local_events(ctx: AppContext) -> list[tuple[int, str]]:
    with ctx.db.read() as s:
        rows = s.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id)).all()
        return [(int(i), str(h)) for i, h in rows]


def client_of(ctx: AppContext) -> CentralClient:
    target = device_identity(ctx)
    assert target is not None
    return CentralClient(target[0], target[1])


def test_upload_resumes_over_runs_and_a_resend_is_harmless(
    centre: Centre, activated: AppContext
) -> None:
    ctx = activated
    note(ctx, 2_650, detail="A4 一次性告知书")
    total = local_count(ctx)
    first = SyncEngine(ctx).run_once()
    assert first.error is None, first.error_en
    # Five calls a run, 500 events each: the rest waits for the next run.
    assert first.audit_uploaded == 2_500 and first.audit_error is None
    state = SyncStateStore(ctx.db)
    assert state.get(AUDIT_CURSOR) == "2500"
    assert centre_events(centre) == local_events(ctx)[:2_500]

    note(ctx, 3)
    second = SyncEngine(ctx).run_once()
    assert second.audit_uploaded == total - 2_500 + 3
    assert centre_events(centre) == local_events(ctx)  # every event, the same hashes
    third = SyncEngine(ctx).run_once()
    assert third.audit_uploaded == 0

    # The answer was lost: the terminal sends from an older cursor; the centre skips what it
    # holds, stores nothing twice, and says where it stands.
    state.set(**{AUDIT_CURSOR: "2000"})
    again = SyncEngine(ctx).run_once()
    assert again.audit_uploaded == 0 and again.audit_error is None
    assert state.get(AUDIT_CURSOR) == str(local_events(ctx)[-1][0])
    assert centre_events(centre) == local_events(ctx)
    client = client_of(ctx)
    try:
        answer = client.upload_audit(events_after(ctx.db, 0)[:10])
    finally:
        client.close()
    assert answer["stored"] == 0 and answer["last_id"] == local_events(ctx)[-1][0]

    listed = centre.admin("audit", ctx.stations.require_station().code, "--json", "--limit", "3")
    assert listed.returncode == 0, listed.stderr
    trail = json.loads(listed.stdout)
    (device,) = trail["devices"]
    assert device["events"] == len(local_events(ctx)) and device["chain_ok"] is True
    assert [e["id"] for e in trail["recent"]] == [i for i, _ in local_events(ctx)[-3:]][::-1]
    text = centre.admin("audit", ctx.stations.require_station().code)
    assert text.returncode == 0 and "document.printed" in text.stdout and "完整" in text.stdout


def test_a_tampered_row_is_refused_whole_and_filings_still_go(
    centre: Centre, activated: AppContext
) -> None:
    ctx = activated
    note(ctx, 5)
    assert SyncEngine(ctx).run_once().audit_uploaded == local_count(ctx)
    held = centre_events(centre)
    note(ctx, 4)
    # Someone edits an event not yet uploaded, in the database file itself.
    victim = local_events(ctx)[-2][0]
    with ctx.db.write() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == victim).values(detail="edited"))
    from app.drills import DrillFiler
    from devices.simulated_identity import SimulatedIdentityReader

    operator = ctx.stations.first_active_operator()
    assert operator is not None
    filer = DrillFiler(
        ctx,
        SimulatedIdentityReader(seed=3, read_delay=0).read,
        3,
        on_own_station=True,
        operator_code=operator,
    )
    filer.file()
    report = SyncEngine(ctx).run_once()
    assert report.error is None and report.acknowledged == 1  # the filing went all the same
    assert report.audit_uploaded == 0
    assert report.audit_error and "审计" in report.audit_error
    assert report.audit_error_en and "chain" in report.audit_error_en
    assert centre_events(centre) == held  # nothing of the upload was stored
    state = SyncStateStore(ctx.db)
    assert state.get(AUDIT_CURSOR) == str(held[-1][0])
    assert (state.get(AUDIT_ERROR) or "").startswith("audit_chain_broken")

    # Straight to the centre: 409 with the class and the event it names.
    client = client_of(ctx)
    try:
        with pytest.raises(CentreRefused) as refused:
            client.upload_audit(events_after(ctx.db, held[-1][0]))
        assert refused.value.status == 409 and refused.value.error == "audit_chain_broken"
        assert refused.value.body["event_id"] == victim
        assert refused.value.body["last_id"] == held[-1][0]
        # An event the centre holds, sent back changed, is refused the same way.
        changed = events_after(ctx.db, 0)[:2]
        changed[1]["detail"] = "changed later"
        with pytest.raises(CentreRefused) as resent:
            client.upload_audit(changed)
        assert resent.value.error == "audit_chain_broken"
        # Out of order is a malformed request.
        with pytest.raises(CentreRefused) as disorder:
            client.upload_audit(events_after(ctx.db, 0)[:2][::-1])
        assert disorder.value.error == "bad_request"
    finally:
        client.close()
    assert centre_events(centre) == held
    listed = json.loads(centre.admin("audit", ctx.stations.require_station().code, "--json").stdout)
    assert listed["devices"][0]["chain_ok"] is True  # what the centre holds is whole

    # Put right (the row restored from a backup), the trail goes on from where it stopped.
    with ctx.db.write() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == victim).values(detail=""))
    with ctx.db.read() as s:
        assert audit.verify_chain(s) is None
    fixed = SyncEngine(ctx).run_once()
    assert fixed.audit_error is None and fixed.audit_uploaded > 0
    assert centre_events(centre) == local_events(ctx)
    assert state.get(AUDIT_ERROR) is None
