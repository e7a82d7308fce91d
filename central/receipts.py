"""Receipt numbers (受理号): "YB" + region code + YYMMDD (China time) + a 7-digit sequence.

The sequence counts per region and day in `receipt_counters`. A batch reserves a block of
numbers in one statement inside the transaction that stores its filings; the counter's row
stays locked (the write lock on SQLite, the row lock the UPDATE takes on PostgreSQL) until that
transaction ends, so numbers are handed out in order to the filings actually stored and any
left over are given back before the commit: no gaps, and a rolled-back batch rolls its numbers
back with it. `filings.receipt_no` is UNIQUE besides.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, insert, update
from sqlalchemy.exc import IntegrityError

from central.clock import CHINA_TZ
from central.models import ReceiptCounter, table_of

SEQUENCE_DIGITS = 7
_COUNTERS = table_of(ReceiptCounter)


def format_receipt(region_code: str, day: str, sequence: int) -> str:
    if sequence >= 10**SEQUENCE_DIGITS:
        raise OverflowError(
            f"more than {10**SEQUENCE_DIGITS - 1} receipts for {region_code} on {day}"
        )
    return f"YB{region_code}{day}{sequence:0{SEQUENCE_DIGITS}d}"


class ReceiptBlock:
    """`count` consecutive receipt numbers reserved in the current transaction."""

    def __init__(self, region_code: str, day: str, first: int, count: int) -> None:
        self.region_code = region_code
        self.day = day
        self.first = first
        self.count = count

    def number(self, index: int) -> str:
        """The `index`-th number of the block (0-based)."""
        if not 0 <= index < self.count:
            raise IndexError(f"receipt {index} of a block of {self.count}")
        return format_receipt(self.region_code, self.day, self.first + index)

    def give_back(self, conn: Connection, used: int) -> None:
        """Return the numbers past the first `used` to the counter; same transaction only."""
        unused = self.count - used
        if unused > 0:
            conn.execute(
                update(_COUNTERS)
                .where(_COUNTERS.c.region_code == self.region_code, _COUNTERS.c.day == self.day)
                .values(last=_COUNTERS.c.last - unused)
            )
            self.count = used


def reserve_receipts(
    conn: Connection, region_code: str, count: int, now: dt.datetime | None = None
) -> ReceiptBlock:
    """The next `count` receipt numbers for `region_code` today; call inside a write
    transaction, which keeps the counter locked until it ends."""
    if count < 1:
        raise ValueError("reserve at least one receipt number")
    day = (now or dt.datetime.now(CHINA_TZ)).astimezone(CHINA_TZ).strftime("%y%m%d")
    for _ in range(3):
        last = conn.execute(
            update(_COUNTERS)
            .where(_COUNTERS.c.region_code == region_code, _COUNTERS.c.day == day)
            .values(last=_COUNTERS.c.last + count)
            .returning(_COUNTERS.c.last)
        ).scalar_one_or_none()
        if last is not None:
            return ReceiptBlock(region_code, day, last - count + 1, count)
        try:
            with conn.begin_nested():  # the first receipts of the day, unless someone won
                conn.execute(insert(_COUNTERS).values(region_code=region_code, day=day, last=count))
            return ReceiptBlock(region_code, day, 1, count)
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a receipt number")
