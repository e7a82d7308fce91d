"""Working days in China: public holidays and the make-up working days (调休) around them.

Time limits of items are in working days (办结时限). Which days are worked is decided by the
State Council each year, so a rule cannot compute it; the `chinesecalendar` package carries
the published calendars (2004 to its newest year). For a year it does not yet know (the next
year's calendar is usually published in November or December), Monday to Friday are counted
as working days and the answer says it is an estimate, rather than failing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar

from app.china_clock import china_date

__all__ = ["Deadline", "china_date", "deadline", "is_workday"]


def _known(day: dt.date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_workday(day: dt.date) -> bool:
    """Per the published calendar; Monday to Friday for a year not yet published."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


@dataclass(frozen=True)
class Deadline:
    due: dt.date  # the last working day within the time limit
    estimated: bool  # some day on the way is in a year whose calendar is not published yet


def deadline(filed: dt.date, working_days: int) -> Deadline:
    """The last day of a limit of `working_days` counted from the day after `filed`.

    A limit of 0 ("answered at once") is due the day it was filed.
    """
    day, left, estimated = filed, working_days, False
    while left > 0:
        day += dt.timedelta(days=1)
        estimated = estimated or not _known(day)
        if is_workday(day):
            left -= 1
    return Deadline(day, estimated)
