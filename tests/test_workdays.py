"""Working days with China's holidays and make-up working days, and overdue filings."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from app.context import AppContext
from app.drills import DrillFiler
from app.services.station_service import StationInfo
from app.store.models import Filing, FilingState
from app.workdays import china_date, deadline, is_workday
from devices.simulated_identity import SimulatedIdentityReader


@pytest.mark.parametrize(
    ("filed", "days", "due"),
    [
        ("2026-09-30", 5, "2026-10-13"),  # across National Day; Sat 10 Oct is worked
        ("2026-02-13", 1, "2026-02-14"),  # Sat 14 Feb 2026 is worked before Spring Festival
        ("2026-02-14", 1, "2026-02-24"),  # then nine days off: back on the 24th
        ("2026-11-20", 3, "2026-11-25"),  # an ordinary weekend
        ("2026-11-23", 0, "2026-11-23"),  # 0 = answered the same day
    ],
)
def test_deadlines_follow_the_published_calendar(filed: str, days: int, due: str) -> None:
    result = deadline(dt.date.fromisoformat(filed), days)
    assert result.due == dt.date.fromisoformat(due) and not result.estimated


def test_make_up_days_are_worked_and_holidays_are_not() -> None:
    assert is_workday(dt.date(2026, 10, 10))  # a Saturday, worked (调休)
    assert not is_workday(dt.date(2026, 10, 1))  # a Thursday, National Day


def test_a_year_not_yet_published_is_estimated_from_weekdays() -> None:
    result = deadline(dt.date(2026, 12, 30), 3)
    assert result.estimated and result.due.weekday() < 5 and result.due.year == 2027


def test_china_date_of_a_stored_moment() -> None:
    assert china_date(dt.datetime(2026, 11, 22, 17, 0)) == dt.date(2026, 11, 23)  # 01:00 +8


def test_the_queue_flags_overdue_open_filings(ctx: AppContext, station: StationInfo) -> None:
    drills = DrillFiler(ctx, SimulatedIdentityReader(seed=31, read_delay=0).read, 31)
    old, done, fresh = (drills.file().uid for _ in range(3))
    long_ago = dt.datetime(2026, 9, 1, 2, 0)
    with ctx.db.write() as s:
        s.execute(update(Filing).where(Filing.uid.in_([old, done])).values(created_at=long_ago))
        s.execute(
            update(Filing).where(Filing.uid == done).values(state=FilingState.COMPLETED.value)
        )
    rows = {r.uid: r for r in ctx.queue.filings()}
    today = dt.date(2026, 11, 23)
    assert rows[old].overdue(today)
    assert not rows[done].overdue(today)  # finished: not overdue whatever the date
    assert not rows[fresh].overdue(china_date(rows[fresh].created_at))
