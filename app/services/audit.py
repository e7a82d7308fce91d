"""The audit trail: every action recorded with operator and time, hash-chained.

Each event's hash covers the previous event's hash, so deleting or editing a row breaks the
chain at that point (`verify_chain`). Details never hold personal data, only references.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.db import Database, sql_time
from app.store.models import AuditEvent, utcnow

GENESIS = "0" * 64


def _digest(
    prev: str,
    at: dt.datetime,
    operator: str | None,
    action: str,
    subject: str | None,
    detail: str | None,
) -> str:
    body = json.dumps([prev, at.isoformat(), operator, action, subject, detail], ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def record(
    cursor: sqlite3.Cursor,
    action: str,
    *,
    operator: str | None,
    subject: str | None = None,
    detail: str | None = None,
) -> None:
    """Append an event inside the caller's write transaction (which holds the write lock).

    Takes the transaction's DBAPI cursor (`Database.raw_write`), the same for the save path
    and everything else.
    """
    row = cursor.execute("SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    prev = row[0] if row else GENESIS
    at = utcnow()
    cursor.execute(
        "INSERT INTO audit_event (at, operator_code, action, subject, detail, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            sql_time(at),
            operator,
            action,
            subject,
            detail,
            prev,
            _digest(prev, at, operator, action, subject, detail),
        ),
    )


class AuditTrail:
    """Records what happens outside a save's own transaction: prints, documents shown."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def note(
        self,
        action: str,
        *,
        operator: str | None,
        subject: str | None = None,
        detail: str | None = None,
    ) -> None:
        with self._db.raw_write() as cur:
            record(cur, action, operator=operator, subject=subject, detail=detail)


def verify_chain(session: Session) -> int | None:
    """The id of the first event that does not match the chain, or None when all is intact."""
    prev = GENESIS
    for ev in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars():
        expected = _digest(prev, ev.at, ev.operator_code, ev.action, ev.subject, ev.detail)
        if ev.prev_hash != prev or ev.hash != expected:
            return ev.id
        prev = ev.hash
    return None
