"""End to end against the real reference centre on 127.0.0.1: activation → filing → sync →
review at the centre → the status back in the client's queue view."""

from __future__ import annotations

import json
import random
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.drills import DrillFiler
from app.services.demo_data import demo_photo
from app.services.filing_service import Attachment
from devices.simulated_identity import SimulatedIdentityReader
from sync.engine import SyncEngine
from tests.centre_process import Centre, yibao


def drills(ctx: AppContext, seed: int) -> DrillFiler:
    reader = SimulatedIdentityReader(seed=seed, read_delay=0)
    operator = ctx.stations.first_active_operator()
    assert operator is not None
    return DrillFiler(ctx, reader.read, seed, on_own_station=True, operator_code=operator)


def test_activation_filing_sync_review_status(centre: Centre, activated: AppContext) -> None:
    ctx = activated
    filer = drills(ctx, 1)
    rng = random.Random(1)
    big = demo_photo(rng, size=2_500_000)  # three chunks
    saved = [
        filer.file([Attachment("face_photo", big)]),
        filer.file([Attachment("id_copy", demo_photo(rng, size=50_000))]),
        filer.file(),
        filer.file(),
    ]
    report = SyncEngine(ctx).run_once()
    assert report.error is None, report.error_en
    assert report.acknowledged == 4 and report.remaining == 0
    assert report.bytes_sent > 2_500_000
    rows = {r.uid: r for r in ctx.queue.filings()}
    receipts = {uid: rows[uid].receipt_no for uid in (s.uid for s in saved)}
    assert all(r and r.startswith("YB") for r in receipts.values())
    assert {rows[s.uid].state for s in saved} == {"accepted"}

    approve, need = receipts[saved[0].uid], receipts[saved[1].uid]
    assert approve and need
    assert centre.admin("review", approve, "--approve").returncode == 0
    out = centre.admin("review", need, "--need-materials", "请补充户口簿首页")
    assert out.returncode == 0, out.stderr
    again = SyncEngine(ctx).run_once()
    assert again.status_changes >= 2
    rows = {r.uid: r for r in ctx.queue.filings()}
    assert rows[saved[0].uid].state == "completed"
    assert rows[saved[1].uid].state == "needs_materials"
    assert rows[saved[1].uid].centre_message == "请补充户口簿首页"

    from sqlalchemy import select

    from app.store.models import Filing, FilingStateChange

    with ctx.db.read() as s:
        history = s.execute(
            select(FilingStateChange.state, FilingStateChange.actor)
            .join(Filing, Filing.id == FilingStateChange.filing_id)
            .where(Filing.uid == saved[0].uid)
            .order_by(FilingStateChange.seq)
        ).all()
    # One row per change: the feed's "accepted" repeats what the batch answer recorded.
    assert [tuple(h) for h in history] == [
        ("queued", filer.operator_code),
        ("accepted", "centre"),
        ("completed", "centre"),
    ]

    stats = json.loads(centre.admin("stats", "--json").stdout)["stations"][0]
    assert stats["filings"] == 4 and stats["distinct_keys"] == 4 and stats["attachments"] == 2


def test_sync_once_cli_exit_codes(centre: Centre, activated: AppContext, data_dir: Path) -> None:
    filer = drills(activated, 2)
    for _ in range(3):
        filer.file()
    activated.close()  # the CLI opens the folder itself
    done = yibao("--data-dir", str(data_dir), "sync", "--once", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["acknowledged"] == 3


def test_status_shows_in_the_queue_view(
    qtbot: QtBot, centre: Centre, activated: AppContext, chinese: None
) -> None:
    from ui.app import build_counter_window

    filer = drills(activated, 3)
    saved = filer.file()
    window = build_counter_window(activated, demo=False, language="zh_CN")
    qtbot.addWidget(window)
    window.show()
    try:
        assert window.sync is not None
        qtbot.waitUntil(lambda: window.queue.model.rowCount() == 1, timeout=10_000)
        qtbot.waitUntil(lambda: bool(window.queue.model.row(0).receipt_no), timeout=15_000)
        receipt = window.queue.model.row(0).receipt_no
        assert receipt is not None
        assert window.status.network_label.text().startswith("在线")
        assert centre.admin("review", receipt, "--reject", "材料不全").returncode == 0
        window.sync.sync_now()
        qtbot.waitUntil(lambda: window.queue.model.row(0).state == "refused", timeout=15_000)
        assert window.queue.model.row(0).uid == saved.uid
        assert window.queue.model.data(window.queue.model.index(0, 6)) == "材料不全"
        # Device health rides on the heartbeat: a real station on this machine has no card
        # readers (no simulators outside the demo), and the centre hears why.
        assert window.devices.discovered
        from sqlalchemy import select

        from central.db import Database as CentralDatabase
        from central.models import Heartbeat

        window.sync.sync_now()
        central_db = CentralDatabase(centre.db_url)

        def heard_devices() -> list[dict[str, object]]:
            with central_db.read() as s:
                rows = s.execute(select(Heartbeat.devices)).scalars().all()
            return next((list(d) for d in rows if d), [])

        qtbot.waitUntil(lambda: bool(heard_devices()), timeout=15_000)
        by_name = {d["name"]: d for d in heard_devices()}
        assert by_name["id_card"]["present"] is False
        assert by_name["ssc_card"]["last_error"]  # why it is absent, in Chinese
        assert not any(d["simulated"] for d in by_name.values())
    finally:
        window.shutdown()


def test_inactive_station_pauses_the_queue_until_reinstated(
    centre: Centre, activated: AppContext
) -> None:
    from central import admin
    from central.db import Database as CentralDatabase

    central_db = CentralDatabase(centre.db_url)
    station = activated.stations.require_station().code
    filer = drills(activated, 4)
    filer.file()
    admin.set_station_status(central_db, station, "suspended")
    paused = SyncEngine(activated).run_once()
    assert paused.blocked == "blocked_config"
    assert activated.queue.counts().outbox_by_state == {"blocked_config": 1}
    filer.file()  # the counter keeps working offline while paused
    admin.set_station_status(central_db, station, "active")
    resumed = SyncEngine(activated).run_once()
    assert resumed.error is None, resumed.error_en
    assert resumed.acknowledged == 2 and resumed.remaining == 0


def test_rejected_filing_shows_the_reason_and_a_correction_goes_through(
    centre: Centre, activated: AppContext
) -> None:
    """A filing the centre refuses (here: filled against a catalog version it never issued)
    is shown rejected with the centre's reason; a correction that references it is accepted."""
    from app.catalog.loader import load_default_catalog

    ctx = activated
    real = ctx.catalog.current()
    ctx.catalog.install(real.model_copy(update={"version": "2099.01.1"}), source="bundled")
    filer = drills(ctx, 7)
    bad = filer.file()
    report = SyncEngine(ctx).run_once()
    assert report.rejected == 1 and report.remaining == 0
    row = next(r for r in ctx.queue.filings() if r.uid == bad.uid)
    assert row.state == "rejected" and row.centre_message
    assert [o.state for o in ctx.queue.outbox() if o.filing_uid == bad.uid] == ["rejected"]

    ctx.catalog.install(load_default_catalog(), source="bundled")
    request = filer.request()
    from dataclasses import replace

    fixed = filer.service.submit(replace(request, references_uid=bad.uid))
    again = SyncEngine(ctx).run_once()
    assert again.acknowledged == 1, again.error_en
    row = next(r for r in ctx.queue.filings() if r.uid == fixed.uid)
    assert row.state == "accepted" and row.receipt_no
