"""The terminal's audit trail, uploaded to the centre after each run's filings (§12).

BRIEF §7: every view, change, print and export of personal data is logged in a tamper-evident
trail that syncs to the centre. Events go in id order, as they are chained, from the one after
the last the centre acknowledged (`AUDIT_CURSOR` in sync_state). The centre checks the chain;
an answer lost on the way back only means those events are sent again, which it skips.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from app.store.db import Database
from app.store.models import AuditEvent

AUDIT_CURSOR = "audit_uploaded_id"  # the last event id the centre acknowledged
AUDIT_ERROR = "audit_error"  # why the last upload was refused (English), for technicians
EVENTS_PER_CALL = 500
BYTES_PER_CALL = 1 << 20  # well under the centre's 2 MiB
CALLS_PER_RUN = 5


def event_json(ev: AuditEvent) -> dict[str, Any]:
    """An event on the wire: `at` exactly as it was hashed (naive UTC ISO 8601), then `Z`."""
    return {
        "id": ev.id,
        "at": ev.at.isoformat() + "Z",
        "operator": ev.operator_code,
        "action": ev.action,
        "subject": ev.subject,
        "detail": ev.detail,
        "prev_hash": ev.prev_hash,
        "hash": ev.hash,
    }


def events_after(db: Database, after_id: int) -> list[dict[str, Any]]:
    """The next call's events after `after_id`: at most EVENTS_PER_CALL and about
    BYTES_PER_CALL of JSON (always at least one)."""
    with db.read() as s:
        rows = (
            s.execute(
                select(AuditEvent)
                .where(AuditEvent.id > after_id)
                .order_by(AuditEvent.id)
                .limit(EVENTS_PER_CALL)
            )
            .scalars()
            .all()
        )
    out: list[dict[str, Any]] = []
    size = 0
    for ev in rows:
        item = event_json(ev)
        size += len(json.dumps(item, ensure_ascii=False).encode()) + 1
        if out and size > BYTES_PER_CALL:
            break
        out.append(item)
    return out
