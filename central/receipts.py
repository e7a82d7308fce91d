"""Receipt numbers (受理号): "YB" + region code + YYMMDD (China time) + a 7-digit sequence.

The sequence counts per region and day in `receipt_counters`, incremented inside the same
transaction as the filing it numbers: a filing that loses the race for its idempotency key
rolls its number back with it, and `filings.receipt_no` is UNIQUE besides.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.clock import CHINA_TZ
from central.models import ReceiptCounter

SEQUENCE_DIGITS = 7


def format_receipt(region_code: str, day: str, sequence: int) -> str:
    if sequence >= 10**SEQUENCE_DIGITS:
        raise OverflowError(
            f"more than {10**SEQUENCE_DIGITS - 1} receipts for {region_code} on {day}"
        )
    return f"YB{region_code}{day}{sequence:0{SEQUENCE_DIGITS}d}"


def next_receipt(session: Session, region_code: str, now: dt.datetime | None = None) -> str:
    """The next receipt number for `region_code` today; call inside a write transaction."""
    day = (now or dt.datetime.now(CHINA_TZ)).astimezone(CHINA_TZ).strftime("%y%m%d")
    for _ in range(3):
        bumped = session.execute(
            update(ReceiptCounter)
            .where(ReceiptCounter.region_code == region_code, ReceiptCounter.day == day)
            .values(last=ReceiptCounter.last + 1)
            .returning(ReceiptCounter.last)
        ).scalar_one_or_none()
        if bumped is not None:
            return format_receipt(region_code, day, bumped)
        try:
            with session.begin_nested():  # the first receipt of the day, unless someone won
                session.add(ReceiptCounter(region_code=region_code, day=day, last=1))
            return format_receipt(region_code, day, 1)
        except IntegrityError:
            continue
    raise RuntimeError("could not allocate a receipt number")
