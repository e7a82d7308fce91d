"""The centre's notion of now, in one place so every timestamp is UTC and comparable."""

from __future__ import annotations

import datetime as dt
import time

# Receipt numbers carry the date in China Standard Time, where the stations are.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "CST")


def unix_now() -> int:
    return int(time.time())


def utcnow() -> dt.datetime:
    """Naive UTC, as stored in the database (portable across SQLite and PostgreSQL)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def iso_z(moment: dt.datetime) -> str:
    """A stored naive-UTC time as the protocol writes it: ISO 8601 ending in `Z`."""
    return moment.replace(microsecond=0).isoformat() + "Z"
