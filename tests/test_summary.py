"""The day at a glance: counts by item and operator for today and the month (China time), what
needs doing, and a CSV export that holds no personal data and is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from app.china_clock import CHINA
from app.context import AppContext
from app.drills import DrillFiler
from app.identity import PersonRead
from app.services.station_service import StationInfo
from app.store.models import AuditEvent, Filing, FilingState
from devices.simulated_identity import SimulatedIdentityReader
from tests.test_counter_gui import SHOTS
from ui.app import build_counter_window, save_screenshot
from ui.counter.main_window import CounterWindow


@pytest.fixture(autouse=True)
def _chinese(chinese: None) -> None:
    """Checked in Chinese (see conftest)."""


def file_some(ctx: AppContext, count: int) -> tuple[list[PersonRead], list[str]]:
    """`count` drill filings; the people whose cards were read, and the filings' uids."""
    reader = SimulatedIdentityReader(seed=21, read_delay=0)
    people: list[PersonRead] = []

    def read() -> PersonRead:
        people.append(reader.read())
        return people[-1]

    drills = DrillFiler(ctx, read, 21)
    uids = [drills.file().uid for _ in range(count)]
    return people, uids


def test_counts_today_month_and_what_needs_doing(ctx: AppContext, station: StationInfo) -> None:
    _people, uids = file_some(ctx, 6)
    now = dt.datetime.now(dt.UTC)
    earlier_this_month = now.astimezone(CHINA).replace(day=1, hour=0, minute=30)
    with ctx.db.write() as s:
        # One filing from the first of the month (China time), one from last month.
        s.execute(
            update(Filing)
            .where(Filing.uid == uids[0])
            .values(created_at=earlier_this_month.astimezone(dt.UTC).replace(tzinfo=None))
        )
        s.execute(
            update(Filing)
            .where(Filing.uid == uids[1])
            .values(created_at=(now - dt.timedelta(days=40)).replace(tzinfo=None))
        )
        s.execute(
            update(Filing).where(Filing.uid == uids[2]).values(state=FilingState.REFUSED.value)
        )
        s.execute(
            update(Filing)
            .where(Filing.uid == uids[3])
            .values(state=FilingState.NEEDS_MATERIALS.value)
        )
    summary = ctx.summaries.summary(now)
    first_is_today = earlier_this_month.date() == now.astimezone(CHINA).date() and (
        earlier_this_month <= now.astimezone(CHINA)
    )
    assert summary.month.filings == 5
    assert summary.today.filings == (5 if first_is_today else 4)
    assert sum(summary.month.by_item.values()) == 5
    assert summary.month.by_operator == {"DEMO01": 5}
    assert summary.waiting_to_sync == 4 and summary.rejected == 1 and summary.needs_materials == 1


def test_csv_export_has_no_personal_data_and_is_audited(
    ctx: AppContext, station: StationInfo
) -> None:
    people, _ = file_some(ctx, 3)
    assert people
    summary = ctx.summaries.summary()
    path = ctx.paths.root / "exports" / "summary.csv"
    ctx.summaries.export_csv(summary, path, "DEMO01")
    text = path.read_text(encoding="utf-8-sig")
    assert "城乡居民" in text or any(name in text for name in summary.item_names.values())
    assert "待上传 waiting to sync,3" in text
    with ctx.db.read() as s:
        persons = s.execute(select(Filing.person_id)).scalars().all()
        assert persons
        actions = s.execute(select(AuditEvent.action, AuditEvent.operator_code)).all()
    assert ("summary.export", "DEMO01") in [tuple(a) for a in actions]
    for person in people:
        assert person.name not in text and person.id_number not in text


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> Iterator[CounterWindow]:
    win = build_counter_window(ctx, demo=True, language="zh_CN")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.db_lane.pending == 0, timeout=5000)
    yield win
    win.shutdown()


def test_the_summary_tab_and_its_export(
    qtbot: QtBot, ctx: AppContext, window: CounterWindow
) -> None:
    file_some(ctx, 4)
    window.tabs.setCurrentWidget(window.summary)
    qtbot.waitUntil(lambda: window.summary.figures["today"].text() == "4", timeout=5000)
    assert window.summary.figures["waiting"].text() == "4"
    assert window.summary.table.rowCount() >= 1
    save_screenshot(window, SHOTS / "counter-summary.png")
    qtbot.mouseClick(window.summary.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.last_export is not None, timeout=5000)
    assert str(window.last_export) in window.summary.message.text()


def test_ratings_are_counted_for_today_and_the_month_and_exported(
    ctx: AppContext, station: StationInfo, tmp_path: Path
) -> None:
    from app.ratings import Rating

    _, uids = file_some(ctx, 3)
    ctx.commands.rate(uids[0], Rating.GOOD, ["fast"], "DEMO01")
    ctx.commands.rate(uids[1], Rating.POOR, ["waited"], "DEMO01")
    ctx.commands.rate(uids[2], Rating.GOOD, [], None)
    summary = ctx.summaries.summary()
    assert summary.ratings_today == {"good": 2, "poor": 1}
    assert summary.ratings_month == {"good": 2, "poor": 1}
    out = ctx.summaries.export_csv(summary, tmp_path / "s.csv", "DEMO01")
    rows = out.read_text(encoding="utf-8-sig").splitlines()
    assert "今日 today,2,0,1" in rows and "本月 month,2,0,1" in rows
