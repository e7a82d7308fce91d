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
from central.models import Filing, StatusChange, table_of

FEED_LIMIT_MAX = 1000
_CHANGES = table_of(StatusChange)
_FILINGS = table_of(Filing)


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
    c, f = _CHANGES, _FILINGS
    with db.read_core() as conn:
        rows = conn.execute(
            select(
                c.c.seq,
                f.c.idempotency_key,
                f.c.receipt_no,
                c.c.status,
                c.c.message,
                c.c.message_en,
                c.c.at,
            )
            .select_from(c.join(f, f.c.id == c.c.filing_id))
            .where(c.c.station_code == station_code, c.c.seq > cursor)
            .order_by(c.c.seq)
            .limit(limit + 1)
        ).all()
    more = len(rows) > limit
    changes = [
        {
            "seq": seq,
            "idempotency_key": key,
            "receipt_no": receipt,
            "status": status,
            "message": message,
            "message_en": message_en,
            "at": iso_z(at),
        }
        for seq, key, receipt, status, message, message_en, at in rows[:limit]
    ]
    next_cursor = changes[-1]["seq"] if changes else cursor
    return {"changes": changes, "next_cursor": next_cursor, "more": more}
