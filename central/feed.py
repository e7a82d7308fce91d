"""Reading a station's filings back: lookup by idempotency key (§6) and the status feed (§7).

The feed's cursor is the global, ever-increasing `status_changes.seq`. On SQLite writers are
serialised, so a row with a lower seq can never become visible after a higher one. PostgreSQL
(later issue) needs care here: sequence numbers can commit out of order, so the feed must
then stop short of seqs held by transactions still in flight.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from central.clock import iso_z
from central.db import Database
from central.errors import not_found
from central.models import Filing, StatusChange

FEED_LIMIT_MAX = 1000


def lookup(db: Database, station_code: str, key: str) -> dict[str, Any]:
    with db.read() as s:
        row = s.execute(
            select(Filing).where(Filing.station_code == station_code, Filing.idempotency_key == key)
        ).scalar_one_or_none()
        if row is None:
            raise not_found("此幂等键的申请", "filing under this idempotency key")
        return {
            "idempotency_key": row.idempotency_key,
            "receipt_no": row.receipt_no,
            "payload_sha256": row.payload_sha256,
            "status": row.status,
            "message": row.message,
            "message_en": row.message_en,
        }


def status_feed(db: Database, station_code: str, cursor: int, limit: int) -> dict[str, Any]:
    """The station's status changes after `cursor`, oldest first."""
    with db.read() as s:
        rows = s.execute(
            select(StatusChange, Filing.idempotency_key, Filing.receipt_no)
            .join(Filing, Filing.id == StatusChange.filing_id)
            .where(StatusChange.station_code == station_code, StatusChange.seq > cursor)
            .order_by(StatusChange.seq)
            .limit(limit + 1)
        ).all()
    more = len(rows) > limit
    changes = [
        {
            "seq": change.seq,
            "idempotency_key": key,
            "receipt_no": receipt,
            "status": change.status,
            "message": change.message,
            "message_en": change.message_en,
            "at": iso_z(change.at),
        }
        for change, key, receipt in rows[:limit]
    ]
    next_cursor = changes[-1]["seq"] if changes else cursor
    return {"changes": changes, "next_cursor": next_cursor, "more": more}
