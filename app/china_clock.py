"""China time for the client: the store keeps naive UTC; days, deadlines and documents are
China's. China has no daylight saving, so a fixed +8 offset is exact and needs no time-zone
database (Windows terminals often have none)."""

from __future__ import annotations

import datetime as dt

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def china_time(moment: dt.datetime) -> dt.datetime:
    """`moment` in China time; a naive datetime is taken as UTC (how the store keeps times)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHINA)


def china_date(moment: dt.datetime) -> dt.date:
    return china_time(moment).date()


def stored_midnight(day: dt.date) -> dt.datetime:
    """Midnight at the start of a China date, as the naive UTC the store compares with."""
    start = dt.datetime(day.year, day.month, day.day, tzinfo=CHINA)
    return start.astimezone(dt.UTC).replace(tzinfo=None)
